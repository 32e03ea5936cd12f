"""Driving Trustroom's OIDC sign-in against the loopback OpenID Provider, as a browser would."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse

from tests.factories import principal_for
from tests.identity.sso.oidc_idp import OidcIdp
from trustroom.identity.models import SsoConnection
from trustroom.identity.sso.connections import login_path, provider_id_for
from trustroom.identity.sso.services import create_sso_connection
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope

TOKEN_AUTH_METHOD = "client_secret_post"  # what allauth picks when the provider offers it


def callback_uri(organization: Organization, connection: SsoConnection) -> str:
    provider_id = provider_id_for(organization, connection)
    return "http://testserver" + reverse("openid_connect_callback", kwargs={"provider_id": provider_id})


@dataclass
class OidcSetup:
    organization: Organization
    connection: SsoConnection
    client_id: str
    client_secret: str
    tenant: str = "a"

    @property
    def redirect_uri(self) -> str:
        return callback_uri(self.organization, self.connection)


def oidc_connection(
    idp: OidcIdp,
    organization: Organization,
    owner: Any,
    *,
    domains: list[str],
    tenant: str = "a",
    jit: bool = True,
    default_role: str = "viewer",
    name: str = "Test IdP",
) -> OidcSetup:
    """An OIDC connection of `organization` to tenant `tenant`, and its client registered there."""
    client_id = f"trustroom-{secrets.token_hex(4)}"
    client_secret = secrets.token_urlsafe(24)
    with org_scope(organization):
        connection = create_sso_connection(
            actor=principal_for(owner, organization),
            protocol="oidc",
            name=name,
            email_domains=domains,
            jit_provisioning=jit,
            default_role=default_role,
            oidc_preset="generic",
            oidc_issuer=idp.issuer(tenant),
            oidc_client_id=client_id,
            oidc_client_secret=client_secret,
        )
    setup = OidcSetup(organization, connection, client_id, client_secret, tenant)
    idp.add_client(tenant, client_id, client_secret, [setup.redirect_uri], TOKEN_AUTH_METHOD)
    return setup


def new_account(idp: OidcIdp, email: str, *, verified: bool = True) -> str:
    sub = f"sub-{secrets.token_hex(6)}"
    idp.set_account(sub, email, email_verified=verified, name=email.split("@")[0].title())
    return sub


def start(client: Client, setup: OidcSetup, *, process: str = "login") -> str:
    """Press the connection's button: Trustroom answers with the redirect to the provider."""
    response = client.post(login_path(setup.organization, setup.connection), {"process": process})
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def nonce_of(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["nonce"][0]


def finish(client: Client, idp: OidcIdp, authorize_url: str, sub: str) -> Any:
    """Sign in at the provider as `sub` and bring its answer back to Trustroom's callback."""
    callback = idp.follow_authorization(f"{authorize_url}&login_hint={sub}")
    parts = urlsplit(callback)
    assert parts.netloc == "testserver", callback
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, idp: OidcIdp, setup: OidcSetup, sub: str) -> Any:
    return finish(client, idp, start(client, setup), sub)
