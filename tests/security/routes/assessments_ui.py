"""Cross-tenant entries of the VAPT programme's pages (/o/<org_slug>/assessments/); the objects come from
`assessments.build_world` (vendor, application, engagement, finding)."""

from __future__ import annotations

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
