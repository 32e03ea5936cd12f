"""API of the access app under /api/v1/orgs/<org_slug>/, one module per concept."""

from rest_framework.routers import SimpleRouter

from trustroom.access.api import grants, imports, inventory, requests, reviews, rules


def register(router: SimpleRouter) -> None:
    for module in (inventory, grants, requests, reviews, rules, imports):
        module.register(router)
