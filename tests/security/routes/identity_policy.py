"""Cross-tenant entries of the organization's security policy (page and API)."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, Route
from trustroom.identity.services import update_security_policy
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "identity:security-policy": Route(ORG),
    "security-policy-detail": Route(ORG, api=True),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A saved policy (not the defaults), so a leak would show another organization's values."""
    policy = update_security_policy(actor=actor, session_lifetime_minutes=600, allowed_email_domains=[])
    return {"security_policy": policy.pk}
