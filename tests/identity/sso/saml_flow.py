"""Driving a SAML sign-in through Trustroom's real views with the Django test client, against the
loopback pysaml2 IdP (``saml_idp``): connection, SP metadata, AuthnRequest, ACS, finish.

The test client talks to Django's default host ``testserver``, a one-word host name like an internal
deployment's (``http://trustroom:8000``): python3-saml accepts it only because connections allow single-label
domains (without that, building our own ACS URL fails with ``sp_acs_url_invalid``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.test import Client

from tests.factories import principal_for
from tests.identity.sso.saml_idp import SamlIdP
from trustroom.identity.models import SsoConnection, SsoProtocol
from trustroom.identity.sso.connections import endpoints, provider_id_for
from trustroom.identity.sso.services import create_sso_connection
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope

HOST = "testserver"
BASE_URL = f"http://{HOST}"


def browser() -> Client:
    """A fresh browser (its own cookies and session)."""
    return Client(HTTP_HOST=HOST)


def saml_connection(organization: Organization, owner: Any, idp: SamlIdP, **values: Any) -> SsoConnection:
    """A SAML connection to the loopback IdP, made through the service as the organization's owner."""
    fields: dict[str, Any] = {
        "name": "Loopback IdP",
        "email_domains": ["alpha.test"],
        "saml_idp_entity_id": idp.entity_id,
        "saml_idp_sso_url": idp.sso_url,
        "saml_idp_certificate": idp.certificate,
    }
    fields.update(values)
    with org_scope(organization):
        return create_sso_connection(
            actor=principal_for(owner, organization), protocol=SsoProtocol.SAML, **fields
        )


@dataclass(frozen=True)
class ServiceProvider:
    """Trustroom as the SP of one connection: its paths and its entity id (the metadata URL)."""

    organization: Organization
    connection: SsoConnection
    login: str
    acs: str
    metadata: str

    @property
    def provider_id(self) -> str:
        return provider_id_for(self.organization, self.connection)

    @property
    def entity_id(self) -> str:
        return BASE_URL + self.metadata

    @property
    def acs_url(self) -> str:
        return BASE_URL + self.acs


def service_provider(organization: Organization, connection: SsoConnection) -> ServiceProvider:
    paths = endpoints(organization, connection)
    return ServiceProvider(organization, connection, paths["login"], paths["acs"], paths["metadata"])


def register(idp: SamlIdP, organization: Organization, connection: SsoConnection) -> ServiceProvider:
    """Fetch our SP metadata the way an IdP administrator would and give it to the IdP."""
    sp = service_provider(organization, connection)
    response = browser().get(sp.metadata)
    assert response.status_code == 200, response.content[:500]
    assert idp.register_sp(response.content) == [sp.entity_id]
    return sp


def start_login(client: Client, sp: ServiceProvider) -> str:
    """Press "sign in with SSO": our AuthnRequest, as the redirect to the IdP."""
    response = client.post(sp.login)
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def post_to_acs(client: Client, sp: ServiceProvider, form: dict[str, str]) -> HttpResponse:
    """What the browser does with the IdP's auto-submitting form: POST to the ACS, then follow the ACS's
    redirect to our finishing step. Returns the finishing step's answer (not followed further)."""
    assert form["acs_url"] == sp.acs_url
    stored = client.post(sp.acs, {"SAMLResponse": form["SAMLResponse"], "RelayState": form["RelayState"]})
    assert stored.status_code == 302, stored.content[:500]
    assert stored["Location"] == f"{sp.acs}finish/"
    return client.get(stored["Location"])


def sign_in(client: Client, idp: SamlIdP, sp: ServiceProvider, **controls: Any) -> HttpResponse:
    """A whole SP-initiated sign-in; ``controls`` make the IdP's response defective in one way."""
    location = start_login(client, sp)
    if controls:
        idp.next_response(**controls)
    return post_to_acs(client, sp, idp.respond_to(location))


def signed_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None
