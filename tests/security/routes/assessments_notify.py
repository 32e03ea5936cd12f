"""Cross-tenant entries of "safe to host" publishing (/o/<org_slug>/trust-center/safe-to-host/ and
/api/v1/orgs/<org_slug>/trust-center/safe-to-host/), and a world in which the public trust center shows
an attestation: one published safe application, and two that must never show ("hidden" in their names:
one safe but not published, one published but not safe)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.assessments import services
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.trustcenter.services import set_safe_to_host_published

ROUTES: dict[str, Route] = {
    "trustcenter:safe-to-host": Route(ORG),
    "safe-to-host-list": Route(ORG, api=True),
    "safe-to-host-detail": Route(ORG, api=True, target=obj("notify_application")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    vendor = services.create_vendor(
        actor=actor, name=f"{label} hosting vendor", accreditation=f"{label}-CERT-In-7"
    )

    def tested(name: str) -> Any:
        app = services.create_application(actor=actor, name=name, criticality="critical")
        engagement = services.create_engagement(
            actor=actor,
            vendor=vendor,
            application=app,
            name=f"{name} VAPT",
            window_start=now - dt.timedelta(days=12),
            window_end=now - dt.timedelta(days=5),
        )
        services.complete_engagement(actor=actor, engagement=engagement)
        return app

    shown = tested(f"{label} hosted app")
    set_safe_to_host_published(actor=actor, application=shown, published=True)
    tested(f"{label} hidden internal app")  # safe, but the organization did not publish it
    unsafe = tested(f"{label} hidden unsafe app")
    set_safe_to_host_published(actor=actor, application=unsafe, published=True)
    services.create_finding(
        actor=actor, application=unsafe, title=f"{label} hidden RCE", severity="critical", detected_at=now
    )
    return {"notify_application": shown.pk}
