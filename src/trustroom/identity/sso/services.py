"""Every change to an organization's SSO connections (owners only: a connection decides who can sign in
as the organization's members, so an admin must not be able to point it at an identity provider they run).
"""

from __future__ import annotations

import secrets
import string
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from django.core.exceptions import ValidationError
from django.db import transaction

from trustroom.audit.services import record_event
from trustroom.identity.models import OidcPreset, SecurityPolicy, SsoConnection, SsoProtocol
from trustroom.identity.services import clean_domains
from trustroom.identity.sso.connections import preset_issuer
from trustroom.identity.sso.secrets import seal_client_secret
from trustroom.tenancy import policies
from trustroom.tenancy.models import Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org

# Roles a person provisioned on first SSO sign-in may get: never owner or admin.
JIT_ROLES = (Role.VIEWER, Role.EDITOR, Role.AUDITOR)
FIELDS = (
    "name",
    "enabled",
    "email_domains",
    "jit_provisioning",
    "default_role",
    "oidc_preset",
    "oidc_issuer",
    "oidc_client_id",
    "saml_idp_entity_id",
    "saml_idp_sso_url",
    "saml_idp_certificate",
    "saml_allow_idp_initiated",
)
KEY_ALPHABET = string.ascii_lowercase + string.digits


def _new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(8))


def _https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    # Plain http only for an identity provider on this machine (development and the test suite).
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


def _clean_certificate(value: str) -> str:
    """The certificate's base64 body (what SAML metadata carries), from PEM or bare base64."""
    text = value.strip()
    if not text:
        raise ValidationError({"saml_idp_certificate": "Paste the identity provider's signing certificate."})
    body = "".join(
        line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("-----")
    )
    pem = "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n"
    try:
        x509.load_pem_x509_certificate(pem.encode())
    except ValueError as error:
        raise ValidationError(
            {"saml_idp_certificate": "This is not an X.509 certificate (PEM or base64 DER)."}
        ) from error
    return body


def _clean(
    protocol: str, values: dict[str, Any], *, has_secret: bool, new_secret: str | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    name = str(values.get("name", "")).strip()
    if not name:
        errors["name"] = "Give the connection a name people will recognize (e.g. “Okta”)."
    cleaned["name"] = name[:100]
    for flag in ("enabled", "jit_provisioning", "saml_allow_idp_initiated"):
        value = values.get(flag, flag != "saml_allow_idp_initiated")
        if not isinstance(value, bool):
            errors[flag] = "Give true or false."
        cleaned[flag] = bool(value)
    try:
        cleaned["email_domains"] = clean_domains(values.get("email_domains", []))
    except ValidationError as error:
        errors["email_domains"] = " ".join(error.message_dict["allowed_email_domains"])
    else:
        if not cleaned["email_domains"]:
            errors["email_domains"] = (
                "List the e-mail domains this identity provider signs people in for (e.g. example.com)."
            )
    role = values.get("default_role", Role.VIEWER)
    if role not in JIT_ROLES:
        errors["default_role"] = "New people can join as viewer, editor or auditor (never owner or admin)."
    cleaned["default_role"] = role
    for field in ("oidc_preset", "oidc_issuer", "oidc_client_id", "saml_idp_entity_id", "saml_idp_sso_url"):
        cleaned[field] = str(values.get(field) or "").strip()
    cleaned["saml_idp_certificate"] = ""
    if protocol == SsoProtocol.OIDC:
        preset = cleaned["oidc_preset"] or OidcPreset.GENERIC
        if preset not in OidcPreset.values:
            errors["oidc_preset"] = f"Choose one of: {', '.join(OidcPreset.values)}."
        cleaned["oidc_preset"] = preset
        issuer = preset_issuer(preset, cleaned["oidc_issuer"]) if preset in OidcPreset.values else ""
        if preset in (OidcPreset.OKTA, OidcPreset.ENTRA) and not cleaned["oidc_issuer"]:
            what = "Okta domain (e.g. acme.okta.com)" if preset == OidcPreset.OKTA else "Entra tenant id"
            errors["oidc_issuer"] = f"Give your {what}."
        elif preset in OidcPreset.values and not _https_or_loopback(issuer):
            errors["oidc_issuer"] = "The issuer must be an https:// URL (e.g. https://idp.example.com)."
        cleaned["oidc_issuer"] = issuer
        if not cleaned["oidc_client_id"]:
            errors["oidc_client_id"] = "Give the client id the identity provider issued for Trustroom."
        if not new_secret and not has_secret:
            errors["oidc_client_secret"] = "Give the client secret the identity provider issued."  # noqa: S105
        for field in ("saml_idp_entity_id", "saml_idp_sso_url"):
            cleaned[field] = ""
        cleaned["saml_allow_idp_initiated"] = False
    elif protocol == SsoProtocol.SAML:
        if not cleaned["saml_idp_entity_id"]:
            errors["saml_idp_entity_id"] = "Give the identity provider's entity id (its Issuer)."
        if not _https_or_loopback(cleaned["saml_idp_sso_url"]):
            errors["saml_idp_sso_url"] = "The single sign-on URL must be an https:// URL."
        try:
            cleaned["saml_idp_certificate"] = _clean_certificate(
                str(values.get("saml_idp_certificate") or "")
            )
        except ValidationError as error:
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
        for field in ("oidc_preset", "oidc_issuer", "oidc_client_id"):
            cleaned[field] = ""
    else:
        errors["protocol"] = "Choose OpenID Connect (oidc) or SAML 2.0 (saml)."
    if errors:
        raise ValidationError(errors)
    return cleaned


def _public(connection: SsoConnection) -> dict[str, Any]:
    return {field: getattr(connection, field) for field in ("protocol", "key", *FIELDS)}


@transaction.atomic
def create_sso_connection(
    *, actor: Principal, protocol: str, oidc_client_secret: str | None = None, **values: Any
) -> SsoConnection:
    policies.check(actor, "add", SsoConnection)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown SSO connection fields: {', '.join(sorted(unknown))}")
    cleaned = _clean(protocol, values, has_secret=False, new_secret=oidc_client_secret)
    organization = require_org()
    key = _new_key()
    while SsoConnection.objects.filter(key=key).exists():  # pragma: no cover - 36^8 keys
        key = _new_key()
    connection = SsoConnection(
        organization=organization,
        key=key,
        protocol=protocol,
        created_by=actor.user if actor.is_member else None,
        **cleaned,
    )
    if protocol == SsoProtocol.OIDC and oidc_client_secret:
        connection.oidc_client_secret_sealed = seal_client_secret(
            oidc_client_secret, actor=actor, connection_key=key
        )
    connection.save()
    record_event(actor=actor, action="sso_connection.created", target=connection, changes=_public(connection))
    return connection


@transaction.atomic
def update_sso_connection(
    *, actor: Principal, connection: SsoConnection, oidc_client_secret: str | None = None, **values: Any
) -> SsoConnection:
    """Change a connection. Fields not given keep their value; the secret changes only when given."""
    policies.check(actor, "change", connection)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown SSO connection fields: {', '.join(sorted(unknown))}")
    connection = SsoConnection.objects.select_for_update().get(pk=connection.pk)
    merged = {field: getattr(connection, field) for field in FIELDS}
    merged.update(values)
    cleaned = _clean(
        connection.protocol,
        merged,
        has_secret=bool(connection.oidc_client_secret_sealed),
        new_secret=oidc_client_secret,
    )
    before = _public(connection)
    for field, value in cleaned.items():
        setattr(connection, field, value)
    secret_changed = bool(oidc_client_secret) and connection.protocol == SsoProtocol.OIDC
    if secret_changed:
        connection.oidc_client_secret_sealed = seal_client_secret(
            str(oidc_client_secret), actor=actor, connection_key=connection.key
        )
    after = _public(connection)
    diff = {field: [before[field], after[field]] for field in after if before[field] != after[field]}
    if not diff and not secret_changed:
        return connection
    connection.save()
    changes: dict[str, Any] = {
        "before": {field: values[0] for field, values in diff.items()},
        "after": {field: values[1] for field, values in diff.items()},
    }
    if secret_changed:
        changes["client_secret"] = "replaced"  # noqa: S105 - never the secret itself
    record_event(actor=actor, action="sso_connection.updated", target=connection, changes=changes)
    if not connection.enabled:
        _refuse_sso_only_without_connection(connection)
    return connection


def _refuse_sso_only_without_connection(connection: SsoConnection) -> None:
    policy = SecurityPolicy.objects.filter(sso_only=True).first()
    if (
        policy is not None
        and not SsoConnection.objects.filter(enabled=True).exclude(pk=connection.pk).exists()
    ):
        raise ValidationError(
            {
                "enabled": "The organization is in SSO-only mode and this is its last enabled connection: "
                "turn SSO-only off first, or nobody but owners could sign in."
            }
        )


@transaction.atomic
def delete_sso_connection(*, actor: Principal, connection: SsoConnection) -> None:
    policies.check(actor, "delete", connection)
    _refuse_sso_only_without_connection(connection)
    record_event(actor=actor, action="sso_connection.deleted", target=connection, changes=_public(connection))
    connection.delete()
