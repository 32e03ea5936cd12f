"""Cross-tenant entries of the findings dashboards (the page and the API); the world of
`assessments.py` already gives each organization an application and a finding."""

from __future__ import annotations

from tests.security.cross_tenant import ORG, Route

ROUTES: dict[str, Route] = {
    "assessments:dashboard": Route(ORG),
    "findings-dashboard-summary": Route(ORG, api=True),
}
