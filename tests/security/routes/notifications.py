"""Cross-tenant entries of the notifications inbox (/o/<org_slug>/notifications/ and its API)."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.notifications.services import notify
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "notifications:inbox": Route(ORG),
    "notifications:read-all": Route(ORG),
    "notifications:read": Route(ORG, target=obj("notification")),
    "notification-list": Route(ORG, api=True),
    "notification-detail": Route(ORG, api=True, target=obj("notification")),
    "notification-read": Route(ORG, api=True, target=obj("notification")),
    "notification-read-all": Route(ORG, api=True),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """One unread notification for the organization's owner."""
    (notification,) = notify(
        actor=actor,
        recipients=[actor.user],
        key=f"{label}-harness",
        subject=f"{label} certificate expires soon",
        body=f"{label} body",
        url=f"/o/{org.slug}/compliance/",
    )
    return {"notification": notification.pk}
