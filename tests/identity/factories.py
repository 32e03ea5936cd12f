"""API tokens made through the service, as an owner of the organization would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.test import Client

from tests.factories import principal_for
from trustroom.identity.models import ApiToken
from trustroom.identity.services import create_api_token
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
