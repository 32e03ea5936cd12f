"""factory-boy factories. Organization-owned rows are created inside their organization's scope."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model

from trustroom.tenancy.models import Membership, Organization, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope

TEST_PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class OrgOwnedFactory(factory.django.DjangoModelFactory):
    """Base for factories of organization-owned models: pass `organization=`; creates inside its scope."""

    class Meta:
        abstract = True

    organization = factory.SubFactory(OrganizationFactory)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        organization = kwargs["organization"]
        with org_scope(organization):
            return super()._create(model_class, *args, **kwargs)


def member(organization: Organization, role: str = Role.OWNER, **user_fields: Any) -> Any:
    """A new user who is a member of `organization` with `role`."""
    user = UserFactory(**user_fields)
    MembershipFactory(organization=organization, user=user, role=role)
    return user


def principal_for(user: Any, organization: Organization) -> Principal:
    membership = Membership.objects.get(user=user, organization=organization)
    return Principal(organization=organization, role=membership.role, user=user)


def auditor_of_everything(organization: Organization, **user_fields: Any) -> Any:
    """A member with the auditor role assigned to an audit period covering every record a test makes.

    An auditor reads only what their audit periods cover (`tenancy.narrowing`); tests about what the
    role may do, not about the periods, give it one that covers everything.
    """
    from datetime import UTC, datetime

    from trustroom.controls import audit_services

    user = member(organization, Role.AUDITOR, **user_fields)
    owner = member(organization, Role.OWNER)
    with org_scope(organization):
        actor = principal_for(owner, organization)
        period = audit_services.create_period(
            actor=actor,
            name="Whole history",
            framework_codes=["soc2-type2"],
            starts_at=datetime(2000, 1, 1, tzinfo=UTC),
            ends_at=datetime(2100, 1, 1, tzinfo=UTC),
        )
        membership = Membership.objects.get(organization=organization, user=user)
        audit_services.assign_auditor(actor=actor, period=period, membership=membership)
    return user
