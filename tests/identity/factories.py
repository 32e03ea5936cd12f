"""API tokens made through the service, as an owner of the organization would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.test import Client

from tests.factories import principal_for
from trustroom.identity.ip_allowlist import add_allowlist_entry
from trustroom.identity.models import ApiToken, IpAllowlistEntry, SecurityPolicy, SupportAccessGrant
from trustroom.identity.services import create_api_token, update_security_policy
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope


def api_token(
    organization: Organization,
    created_by: Any,
    *,
    scope: str = "read",
    name: str = "CI",
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    with org_scope(organization):
        return create_api_token(
            actor=principal_for(created_by, organization), name=name, scope=scope, expires_at=expires_at
        )


def bearer(plaintext: str) -> Client:
    """A test client that sends the token on every request and has no session."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def set_security_policy(organization: Organization, by: Any, **changes: Any) -> SecurityPolicy:
    """Change the organization's security policy as `by` (an owner or admin) would."""
    with org_scope(organization):
        return update_security_policy(actor=principal_for(by, organization), **changes)


def enrol_totp(user: Any) -> str:
    """Give `user` a TOTP authenticator the way allauth's enrolment does; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def allow(
    organization: Organization,
    by: Any,
    network: str,
    *,
    applies_to: str = "both",
    label: str = "",
    current_ip: str | None = None,
) -> IpAllowlistEntry:
    """Add a network to the organization's IP allowlist through the service, as `by` (an owner/admin).

    Saved with the lockout confirmed unless `current_ip` is given, so tests can set up any list."""
    with org_scope(organization):
        return add_allowlist_entry(
            actor=principal_for(by, organization),
            network=network,
            label=label,
            applies_to=applies_to,
            current_ip=current_ip,
            confirm_lockout=current_ip is None,
        )


def staff_user(*, mfa: bool = True, **fields: Any) -> Any:
    """A platform staff account (no membership anywhere), with a TOTP authenticator unless `mfa=False`."""
    from tests.factories import UserFactory

    fields.setdefault("email", "support@platform.test")
    user = UserFactory(is_staff=True, **fields)
    if mfa:
        enrol_totp(user)
    return user


def grant_support(
    organization: Organization, owner: Any, staff: Any, *, scope: str = "read", hours: int = 24
) -> SupportAccessGrant:
    """Grant `staff` support access through the service, as `owner` would."""
    from datetime import timedelta

    from django.utils import timezone

    from trustroom.identity.support_access import grant_support_access

    with org_scope(organization):
        return grant_support_access(
            actor=principal_for(owner, organization),
            staff_email=staff.email,
            scope=scope,
            reason="Ticket 4711: exports fail",
            expires_at=timezone.now() + timedelta(hours=hours),
        )
