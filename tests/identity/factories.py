"""API tokens made through the service, as an owner of the organization would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.test import Client

from tests.factories import principal_for
from trustroom.identity.models import ApiToken, SecurityPolicy
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
