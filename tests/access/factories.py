"""Access records made directly through the models, inside the organization's scope (the inventory
and grant services are another module's; these tests do not depend on them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from trustroom.access.models import AccessGrant, AccessGroup, AccessGroupMember, Environment, System
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope


def system(organization: Organization, name: str = "Billing", *, owner: Any = None, **fields: Any) -> System:
    with org_scope(organization):
        return System.objects.create(organization=organization, name=name, owner=owner, **fields)


def environment(
    organization: Organization, system_: System, kind: str = "production", name: str = "", **fields: Any
) -> Environment:
    with org_scope(organization):
        return Environment.objects.create(
            organization=organization, system=system_, kind=kind, name=name, **fields
        )


def grant(
    organization: Organization,
    environment_: Environment,
    email: str,
    privilege: str = "read",
    *,
    granted_at: dt.datetime | None = None,
    **fields: Any,
) -> AccessGrant:
    with org_scope(organization):
        return AccessGrant.objects.create(
            organization=organization,
            environment=environment_,
            person_email=email,
            privilege=privilege,
            granted_at=granted_at or timezone.now() - dt.timedelta(days=30),
            **fields,
        )


def group(organization: Organization, name: str, emails: list[str]) -> AccessGroup:
    with org_scope(organization):
        created = AccessGroup.objects.create(organization=organization, name=name)
        for email in emails:
            AccessGroupMember.objects.create(organization=organization, group=created, email=email)
        return created
