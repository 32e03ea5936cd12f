"""Cross-tenant entries of support access (/o/<org_slug>/settings/support-access/, its API, and the
staff member's own /accounts/support/ page)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.factories import UserFactory
from tests.security.cross_tenant import ORG, USER, Route, obj
from trustroom.identity.support_access import grant_support_access
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "identity:support-access": Route(ORG),
    "identity:support-access-revoke": Route(ORG, target=obj("support_grant")),
    "identity-account:support": Route(USER),
    "support-access-list": Route(ORG, api=True),
    "support-access-detail": Route(ORG, api=True, target=obj("support_grant")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """An active read-only grant to a staff member whose e-mail carries the label."""
    staff = UserFactory(
        email=f"support-{label}@platform.test", full_name=f"{label.title()} Support", is_staff=True
    )
    grant = grant_support_access(
        actor=actor,
        staff_email=staff.email,
        scope="read",
        reason=f"{label} ticket 1234",
        expires_at=timezone.now() + timedelta(hours=24),
    )
    return {"support_grant": grant.pk}
