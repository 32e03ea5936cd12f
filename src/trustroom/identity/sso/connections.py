"""Reads of SSO connections, and how allauth sees them.

allauth finds an identity provider by a provider id (OIDC: in the login and callback URLs) or by the
`client_id` of a SAML app (in the ACS URL). Both are `<organization slug>.<connection key>` here: the
slug finds the organization (slugs never change and never contain a dot), and the key is then looked up
inside that organization's scope, so row-level security applies to the read like to any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from trustroom.identity.models import OidcPreset, SsoConnection, SsoProtocol
from trustroom.identity.sso.secrets import open_client_secret
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug

OIDC_PROVIDER = "openid_connect"
SAML_PROVIDER = "saml"

# Where the e-mail, name and stable id of a person are found in a SAML assertion, first match wins.
# The NameID is the fallback for the id, and for the e-mail when its format is emailAddress.
SAML_ATTRIBUTES = {
    "uid": ["uid", "urn:oasis:names:tc:SAML:attribute:subject-id", "urn:oid:0.9.2342.19200300.100.1.1"],
    "email": [
        "email",
        "mail",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ],
    "name": ["name", "displayName", "urn:oid:2.16.840.1.113730.3.1.241"],
    "first_name": ["givenName", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"],
    "last_name": ["sn", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"],
}


def provider_id_for(organization: Organization, connection: SsoConnection) -> str:
    return f"{organization.slug}.{connection.key}"


@dataclass(frozen=True)
class ResolvedConnection:
    organization: Organization
    connection: SsoConnection

    @property
    def provider_id(self) -> str:
        return provider_id_for(self.organization, self.connection)


def resolve_provider_id(provider_id: Any, *, enabled_only: bool = True) -> ResolvedConnection | None:
    """The organization and connection a provider id names, or None (unknown, malformed, disabled)."""
    if not isinstance(provider_id, str) or provider_id.count(".") != 1:
        return None
    slug, key = provider_id.split(".")
    organization = organization_by_slug(slug) if slug and key else None
    if organization is None:
        return None
    with org_scope(organization):
        connections = SsoConnection.objects.filter(key=key)
        if enabled_only:
            connections = connections.filter(enabled=True)
        connection = connections.first()
    return ResolvedConnection(organization, connection) if connection is not None else None


def enabled_connections(organization: Organization) -> list[SsoConnection]:
    with org_scope(organization):
        return list(SsoConnection.objects.filter(enabled=True))


def has_enabled_connection(organization: Organization) -> bool:
    with org_scope(organization):
        return SsoConnection.objects.filter(enabled=True).exists()


def login_path(organization: Organization, connection: SsoConnection) -> str:
    provider_id = provider_id_for(organization, connection)
    if connection.protocol == SsoProtocol.OIDC:
        return reverse("openid_connect_login", kwargs={"provider_id": provider_id})
    return reverse("saml_login", kwargs={"organization_slug": provider_id})


def endpoints(organization: Organization, connection: SsoConnection) -> dict[str, str]:
    """The paths the identity provider is configured with (the page makes them absolute)."""
    provider_id = provider_id_for(organization, connection)
    if connection.protocol == SsoProtocol.OIDC:
        return {
            "login": login_path(organization, connection),
            "redirect_uri": reverse("openid_connect_callback", kwargs={"provider_id": provider_id}),
        }
    kwargs = {"organization_slug": provider_id}
    return {
        "login": login_path(organization, connection),
        "acs": reverse("saml_acs", kwargs=kwargs),
        "metadata": reverse("saml_metadata", kwargs=kwargs),
    }


# --- OIDC presets ---------------------------------------------------------------------------------------


def preset_issuer(preset: str, value: str) -> str:
    """The issuer URL of a preset, from what the form asks for it: a domain (Okta) or a tenant id (Entra).

    A full URL is kept as it is, so a stored issuer passes through unchanged when a connection is edited.
    """
    value = value.strip()
    if preset == OidcPreset.GOOGLE:
        return "https://accounts.google.com"
    if value.startswith(("https://", "http://")) or not value:
        return value  # exactly as given: issuers are compared character for character
    value = value.strip("/")
    if preset == OidcPreset.OKTA:
        return f"https://{value}"
    if preset == OidcPreset.ENTRA:
        return f"https://login.microsoftonline.com/{value}/v2.0"
    return value


def preset_auth_params(connection: SsoConnection) -> dict[str, str]:
    """Extra authorization parameters: Google is told which Workspace domain may answer."""
    if connection.oidc_preset == OidcPreset.GOOGLE and len(connection.email_domains) == 1:
        return {"hd": connection.email_domains[0]}
    return {}


# --- allauth's view of a connection ---------------------------------------------------------------------


def social_app(resolved: ResolvedConnection) -> SocialApp:
    """An unsaved allauth `SocialApp` for the connection (allauth reads its fields and `settings`)."""
    organization, connection = resolved.organization, resolved.connection
    provider_id = resolved.provider_id
    if connection.protocol == SsoProtocol.OIDC:
        with org_scope(organization):  # the data key the secret is sealed under is the organization's
            secret = open_client_secret(
                connection.oidc_client_secret_sealed,
                organization_id=organization.pk,
                connection_key=connection.key,
            )
        return SocialApp(
            provider=OIDC_PROVIDER,
            provider_id=provider_id,
            name=connection.name,
            client_id=connection.oidc_client_id,
            secret=secret,
            settings={
                "server_url": connection.oidc_issuer,
                "issuer": connection.oidc_issuer,
                "oauth_pkce_enabled": True,
                "fetch_userinfo": False,
                "auth_params": preset_auth_params(connection),
                "scope": ["openid", "email", "profile"],
            },
        )
    return SocialApp(
        provider=SAML_PROVIDER,
        provider_id=provider_id,
        name=connection.name,
        client_id=provider_id,
        settings={
            "attribute_mapping": SAML_ATTRIBUTES,
            "idp": {
                "entity_id": connection.saml_idp_entity_id,
                "sso_url": connection.saml_idp_sso_url,
                "x509cert": connection.saml_idp_certificate,
            },
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "want_name_id": True,
                "reject_deprecated_algorithm": True,
                "reject_idp_initiated_sso": not connection.saml_allow_idp_initiated,
                # Internal deployments answer on one-word host names (http://trustroom:8000); python3-saml
                # would otherwise refuse to build our own ACS URL for them.
                "allow_single_label_domains": True,
            },
        },
    )


def apps_for(provider: Any = None, client_id: Any = None) -> list[SocialApp]:
    """What `SocialAccountAdapter.list_apps` answers: only ever the one connection asked for by id.

    Listing every connection of every organization (allauth's default with no filter) is never offered.
    """
    candidates = [value for value in (provider, client_id) if isinstance(value, str) and "." in value]
    for candidate in candidates:
        resolved = resolve_provider_id(candidate)
        if resolved is None:
            continue
        app = social_app(resolved)
        if provider in (None, app.provider, app.provider_id) and client_id in (None, app.client_id):
            return [app]
    return []
