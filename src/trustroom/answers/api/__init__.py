"""API of the answer bank and questionnaires under /api/v1/orgs/<org_slug>/, one module per concept."""

from rest_framework.routers import SimpleRouter

from trustroom.answers.api import bank, questionnaires


def register(router: SimpleRouter) -> None:
    for module in (bank, questionnaires):
        module.register(router)
