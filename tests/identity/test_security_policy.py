"""The security policy service and selector: defaults, validation, permissions, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import member, principal_for
from tests.identity.factories import set_security_policy
from tests.tenancy.factories import invite
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import SecurityPolicy
from trustroom.identity.selectors import security_policy_for
from trustroom.identity.services import update_security_policy
from trustroom.tenancy.models import Invitation
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import invite_member

pytestmark = pytest.mark.django_db


def refused(org, user, **changes) -> ValidationError:
    """The service's refusal, caught inside the scope (the refusal rolls back only its own savepoint)."""
    with org_scope(org), pytest.raises(ValidationError) as caught:
        update_security_policy(actor=principal_for(user, org), **changes)
    return caught.value


def refused_invitation(org, user, email) -> ValidationError:
    with org_scope(org), pytest.raises(ValidationError) as caught:
        invite_member(actor=principal_for(user, org), email=email, role="viewer")
    return caught.value


def test_defaults_when_never_saved(org_a):
    policy = security_policy_for(org_a)
    assert policy.pk is None
    assert policy.require_mfa is False
    assert policy.session_lifetime_minutes == 720
    assert policy.allowed_email_domains == []
    assert policy.sso_only is False


def test_update_creates_one_row_and_audits_before_and_after(org_a, owner_a):
    set_security_policy(org_a, owner_a, require_mfa=True, session_lifetime_minutes=60)
    policy = set_security_policy(
        org_a, owner_a, allowed_email_domains=["Alpha.TEST", "@beta.test", "alpha.test"]
    )
    assert policy.allowed_email_domains == ["alpha.test", "beta.test"]
    assert policy.updated_by == owner_a
    assert policy.updated_at is not None
    with org_scope(org_a):
        assert SecurityPolicy.objects.count() == 1
        events = list(AuditEvent.objects.filter(action="security_policy.updated").order_by("id"))
    assert len(events) == 2
    assert events[0].changes == {
        "before": {"require_mfa": False, "session_lifetime_minutes": 720},
        "after": {"require_mfa": True, "session_lifetime_minutes": 60},
    }
    assert events[1].changes["after"] == {"allowed_email_domains": ["alpha.test", "beta.test"]}


def test_policies_are_per_organization(org_a, owner_a, org_b, owner_b):
    set_security_policy(org_a, owner_a, require_mfa=True)
    assert security_policy_for(org_b).require_mfa is False


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"session_lifetime_minutes": 4}, "session_lifetime_minutes", "5 minutes"),
        ({"session_lifetime_minutes": 30 * 24 * 60 + 1}, "session_lifetime_minutes", "30 days"),
        ({"session_lifetime_minutes": "60"}, "session_lifetime_minutes", "whole number"),
        ({"allowed_email_domains": "alpha.test"}, "allowed_email_domains", "list"),
        ({"allowed_email_domains": ["not a domain"]}, "allowed_email_domains", "not a domain"),
        ({"require_mfa": "yes"}, "require_mfa", "true or false"),
        ({"sso_only": True}, "sso_only", "Add an SSO connection first"),
    ],
)
def test_bad_values_are_refused_with_the_field_and_nothing_is_written(
    org_a, owner_a, changes, field, fragment
):
    error = refused(org_a, owner_a, **changes)
    assert field in error.message_dict
    assert fragment in " ".join(error.message_dict[field])
    with org_scope(org_a):
        assert not SecurityPolicy.objects.exists()
        assert not AuditEvent.objects.filter(action="security_policy.updated").exists()


def test_unknown_fields_are_a_programming_error(org_a, owner_a):
    with org_scope(org_a), pytest.raises(TypeError):
        update_security_policy(actor=principal_for(owner_a, org_a), require_sso=True)


@pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
def test_only_owners_and_admins_change_it(org_a, role):
    user = member(org_a, role)
    with org_scope(org_a), pytest.raises(PermissionDenied):
        update_security_policy(actor=principal_for(user, org_a), require_mfa=True)
    admin = member(org_a, "admin")
    assert set_security_policy(org_a, admin, require_mfa=True).require_mfa is True


def test_invitation_outside_the_allowed_domains_is_refused(org_a, owner_a):
    set_security_policy(org_a, owner_a, allowed_email_domains=["alpha.test", "alpha-labs.test"])
    error = refused_invitation(org_a, owner_a, "mallory@elsewhere.test")
    assert "alpha.test, alpha-labs.test" in " ".join(error.message_dict["email"])
    # A look-alike domain is not the domain.
    assert "email" in refused_invitation(org_a, owner_a, "mallory@evil-alpha.test").message_dict
    invitation, _ = invite(org_a, owner_a, "Kim@Alpha-Labs.test")
    assert invitation.email == "kim@alpha-labs.test"
    with org_scope(org_a):
        assert list(Invitation.objects.values_list("email", flat=True)) == ["kim@alpha-labs.test"]


def test_any_domain_when_the_list_is_empty(org_a, owner_a):
    invitation, _ = invite(org_a, owner_a, "someone@anywhere.test")
    assert invitation.pk is not None
