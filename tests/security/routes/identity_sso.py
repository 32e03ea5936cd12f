"""Cross-tenant entries of SSO: the organization's connections (pages and API) and the sign-in legs."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, PUBLIC, Route, obj
from trustroom.identity.sso.services import create_sso_connection
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

_SIGN_IN_NOTE = (
    "A sign-in leg of an SSO connection, named by its provider id <org slug>.<key>: it holds no "
    "organization data beyond the connection's sign-in button; checked with an unknown provider id here, "
    "and by tests/identity/sso for the real flows."
)

ROUTES: dict[str, Route] = {
    "identity:sso-connections": Route(ORG),
    "identity:sso-connection": Route(ORG, target=obj("sso_connection")),
    "identity:sso-connection-delete": Route(ORG, target=obj("sso_connection")),
    "sso-connection-list": Route(ORG, api=True),
    "sso-connection-detail": Route(ORG, api=True, target=obj("sso_connection")),
    "sso-oidc-login": Route(PUBLIC, target=lambda world: {"provider_id": "nobody.nokey"}, note=_SIGN_IN_NOTE),
    "sso-oidc-callback": Route(
        PUBLIC, target=lambda world: {"provider_id": "nobody.nokey"}, note=_SIGN_IN_NOTE
    ),
    "sso-saml-finish-acs": Route(
        PUBLIC, target=lambda world: {"organization_slug": "nobody.nokey"}, note=_SIGN_IN_NOTE
    ),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    connection = create_sso_connection(
        actor=actor,
        protocol="oidc",
        name=f"{label} Okta",
        email_domains=[f"{label}.example"],
        oidc_preset="okta",
        oidc_issuer=f"{label}.okta.com",
        oidc_client_id=f"{label}-client",
        oidc_client_secret=f"{label}-secret",
    )
    return {"sso_connection": connection.pk}
