"""API of the access app under /api/v1/orgs/<org_slug>/, one module per concept."""

from rest_framework.routers import SimpleRouter

from trustroom.access.api import imports, reviews, rules


def register(router: SimpleRouter) -> None:
    for module in (reviews, rules, imports):
        module.register(router)
