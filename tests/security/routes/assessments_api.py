"""Cross-tenant entries of the VAPT programme API (/api/v1/orgs/<org_slug>/...); the objects come from
the world built by `routes/assessments.py`."""

from __future__ import annotations

from tests.security.cross_tenant import ORG, Route, obj

ROUTES: dict[str, Route] = {
    "vendor-list": Route(ORG, api=True),
    "vendor-detail": Route(ORG, api=True, target=obj("vendor")),
    "application-list": Route(ORG, api=True),
    "application-detail": Route(ORG, api=True, target=obj("application")),
    "engagement-list": Route(ORG, api=True),
    "engagement-detail": Route(ORG, api=True, target=obj("engagement")),
    "engagement-complete": Route(ORG, api=True, target=obj("engagement")),
    "sla-policy-list": Route(ORG, api=True),
    "sla-policy-detail": Route(ORG, api=True, target=obj("sla_policy")),
    "sla-policy-current": Route(ORG, api=True),
    "finding-list": Route(ORG, api=True),
    "finding-detail": Route(ORG, api=True, target=obj("finding")),
    "finding-assign": Route(ORG, api=True, target=obj("finding")),
    "finding-fix": Route(ORG, api=True, target=obj("finding")),
    "finding-retest": Route(ORG, api=True, target=obj("finding")),
    "finding-accept-risk": Route(ORG, api=True, target=obj("finding")),
    "finding-false-positive": Route(ORG, api=True, target=obj("finding")),
    "finding-reopen": Route(ORG, api=True, target=obj("finding")),
}
