"""API of the VAPT programme under /api/v1/orgs/<org_slug>/, one module per concept."""

from rest_framework.routers import SimpleRouter

from trustroom.assessments.api import dashboard, findings, imports, programme


def register(router: SimpleRouter) -> None:
    for module in (programme, findings, imports, dashboard):
        module.register(router)
