"""API of the access app under /api/v1/orgs/<org_slug>/, one module per concept."""

from rest_framework.routers import SimpleRouter

from trustroom.access.api import grants, inventory, requests


def register(router: SimpleRouter) -> None:
    for module in (inventory, grants, requests):
        module.register(router)
