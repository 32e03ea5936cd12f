"""API of the VAPT programme: findings."""

from rest_framework.routers import SimpleRouter


def register(router: SimpleRouter) -> None:
    """Add this module's viewsets to the /api/v1/orgs/<org_slug>/ router."""
