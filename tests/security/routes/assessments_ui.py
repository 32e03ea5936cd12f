"""Cross-tenant entries of the VAPT programme's pages (/o/<org_slug>/assessments/); the objects come from
`assessments.build_world` (vendor, application, engagement, finding)."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, Route, obj

ROUTES: dict[str, Route] = {
    "assessments:vendor-list": Route(ORG),
    "assessments:vendor-create": Route(ORG),
    "assessments:vendor-edit": Route(ORG, target=obj("vendor")),
    "assessments:application-list": Route(ORG),
    "assessments:application-create": Route(ORG),
    "assessments:application-detail": Route(ORG, target=obj("application")),
    "assessments:application-edit": Route(ORG, target=obj("application")),
    "assessments:engagement-list": Route(ORG),
    "assessments:engagement-create": Route(ORG),
    "assessments:engagement-detail": Route(ORG, target=obj("engagement")),
    "assessments:engagement-edit": Route(ORG, target=obj("engagement")),
    "assessments:engagement-complete": Route(ORG, target=obj("engagement")),
    "assessments:sla-policy": Route(ORG),
    "assessments:finding-list": Route(ORG),
    "assessments:finding-create": Route(ORG),
    "assessments:finding-detail": Route(ORG, target=obj("finding")),
    "assessments:finding-assign": Route(ORG, target=obj("finding")),
    "assessments:finding-fix": Route(ORG, target=obj("finding")),
    "assessments:finding-retest": Route(ORG, target=obj("finding")),
    "assessments:finding-accept-risk": Route(ORG, target=obj("finding")),
    "assessments:finding-false-positive": Route(ORG, target=obj("finding")),
    "assessments:finding-reopen": Route(ORG, target=obj("finding")),
}
ROUTES["assessments:finding-edit"] = Route(ORG, target=obj("finding"))

# Deleting: aimed at records nothing depends on (the world's others would be refused anyway), so the
# harness shows that another organization's attempts fail on tenancy, not on the dependency checks.
ROUTES["assessments:vendor-delete"] = Route(ORG, target=obj("deletable_vendor"))
ROUTES["assessments:application-delete"] = Route(ORG, target=obj("deletable_application"))
ROUTES["assessments:engagement-delete"] = Route(ORG, target=obj("deletable_engagement"))


def build_world(*, org: Any, actor: Any, label: str) -> dict[str, Any]:
    """A vendor and an application that nothing uses, and a planned engagement (of another vendor and
    application) that nothing points at: each one deletable by its organization's owner."""
    import datetime as dt

    from trustroom.assessments import services

    now = dt.datetime.now(dt.UTC)
    vendor = services.create_vendor(actor=actor, name=f"{label} vendor typed twice")
    application = services.create_application(actor=actor, name=f"{label} app typed twice", criticality="low")
    planned = services.create_engagement(
        actor=actor,
        vendor=services.create_vendor(actor=actor, name=f"{label} planned vendor"),
        application=services.create_application(actor=actor, name=f"{label} planned app", criticality="low"),
        name=f"{label} VAPT planned by mistake",
        window_start=now + dt.timedelta(days=30),
        window_end=now + dt.timedelta(days=35),
    )
    return {
        "deletable_vendor": vendor.pk,
        "deletable_application": application.pk,
        "deletable_engagement": planned.pk,
    }
