"""Administration of SSO connections: the services, the sealed client secret, the pages and the API.

Signing in through a connection is tested in test_oidc_sso.py and test_saml_sso.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests.factories import auditor_of_everything, member, principal_for
from tests.identity.factories import api_token, bearer, set_security_policy
from tests.identity.sso.saml_idp import make_key_and_certificate
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import SecurityPolicy, SsoConnection
from trustroom.identity.services import update_security_policy
from trustroom.identity.sso import connections as sso_connections
from trustroom.identity.sso import services
from trustroom.tenancy.scope import org_scope
from trustroom.vault import crypto
from trustroom.vault.models import OrganizationKey

pytestmark = pytest.mark.django_db

SECRET = "s3cret-client-secret-value"
PAGE = "/o/alpha-co/settings/sso/"
API = "/api/v1/orgs/alpha-co/sso-connections/"


# --- helpers ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate_pem(tmp_path_factory: pytest.TempPathFactory) -> str:
    _key, cert = make_key_and_certificate(tmp_path_factory.mktemp("cert"))
    return cert.read_text()


def certificate_body(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))


def oidc_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Company IdP",
        "email_domains": ["alpha.test"],
        "oidc_preset": "generic",
        "oidc_issuer": "https://idp.alpha.test",
        "oidc_client_id": "trustroom-client",
        "oidc_client_secret": SECRET,
    }
    values.update(overrides)
    return values


def saml_values(certificate: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Company SAML",
        "email_domains": ["alpha.test"],
        "saml_idp_entity_id": "https://idp.alpha.test/saml",
        "saml_idp_sso_url": "https://idp.alpha.test/saml/sso",
        "saml_idp_certificate": certificate,
    }
    values.update(overrides)
    return values


def create(org: Any, user: Any, protocol: str = "oidc", **values: Any) -> SsoConnection:
    with org_scope(org):
        return services.create_sso_connection(actor=principal_for(user, org), protocol=protocol, **values)


def update(org: Any, user: Any, connection: SsoConnection, **values: Any) -> SsoConnection:
    with org_scope(org):
        return services.update_sso_connection(actor=principal_for(user, org), connection=connection, **values)


def delete(org: Any, user: Any, connection: SsoConnection) -> None:
    with org_scope(org):
        services.delete_sso_connection(actor=principal_for(user, org), connection=connection)


@contextmanager
def refusal(error: type[Exception] = ValidationError) -> Iterator[pytest.ExceptionInfo[Any]]:
    """Expect `error`; the refused work is rolled back to a savepoint, so the test can go on querying."""
    with pytest.raises(error) as caught, transaction.atomic():
        yield caught


def field_errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def refused(org: Any, user: Any, protocol: str = "oidc", **values: Any) -> dict[str, list[str]]:
    with refusal() as excinfo:
        create(org, user, protocol, **values)
    assert count(org) == 0  # nothing half-written
    return field_errors(excinfo)


def count(org: Any) -> int:
    with org_scope(org):
        return SsoConnection.objects.count()


def fresh(connection: SsoConnection) -> SsoConnection:
    with org_scope(connection.organization):
        return SsoConnection.objects.get(pk=connection.pk)


def events(org: Any, action: str) -> list[AuditEvent]:
    with org_scope(org):
        return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def opened_secret(connection: SsoConnection) -> str:
    resolved = sso_connections.ResolvedConnection(connection.organization, fresh(connection))
    return sso_connections.social_app(resolved).secret


def post_json(client: Client, url: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


# --- services: OIDC presets -----------------------------------------------------------------------------


def test_generic_oidc_connection_keeps_the_issuer_exactly(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values(oidc_issuer="https://idp.alpha.test/realms/x/"))
    assert connection.oidc_issuer == "https://idp.alpha.test/realms/x/"  # trailing slash kept
    assert connection.protocol == "oidc"
    assert connection.enabled is True
    assert connection.default_role == "viewer"
    assert connection.email_domains == ["alpha.test"]
    assert len(connection.key) == 8
    app = sso_connections.social_app(sso_connections.ResolvedConnection(org_a, connection))
    assert app.provider_id == f"alpha-co.{connection.key}"
    assert app.settings["server_url"] == "https://idp.alpha.test/realms/x/"
    assert app.settings["auth_params"] == {}


def test_google_preset_sets_the_issuer_and_hd_for_one_domain(org_a, owner_a) -> None:
    one = create(org_a, owner_a, **oidc_values(oidc_preset="google", oidc_issuer=""))
    assert one.oidc_issuer == "https://accounts.google.com"
    assert sso_connections.preset_auth_params(one) == {"hd": "alpha.test"}
    two = create(
        org_a,
        owner_a,
        **oidc_values(oidc_preset="google", oidc_issuer="", email_domains=["alpha.test", "alpha.example"]),
    )
    assert two.oidc_issuer == "https://accounts.google.com"
    assert sso_connections.preset_auth_params(two) == {}  # Google takes one hd only


def test_okta_domain_becomes_an_https_issuer(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values(oidc_preset="okta", oidc_issuer="acme.okta.com"))
    assert connection.oidc_issuer == "https://acme.okta.com"
    full = create(org_a, owner_a, **oidc_values(oidc_preset="okta", oidc_issuer="https://acme.okta.com/"))
    assert full.oidc_issuer == "https://acme.okta.com/"


def test_entra_tenant_id_becomes_the_v2_issuer(org_a, owner_a) -> None:
    tenant = "0f0e0d0c-1111-2222-3333-444455556666"
    connection = create(org_a, owner_a, **oidc_values(oidc_preset="entra", oidc_issuer=tenant))
    assert connection.oidc_issuer == f"https://login.microsoftonline.com/{tenant}/v2.0"
    # Editing without touching the issuer keeps the stored URL as it is.
    update(org_a, owner_a, connection, name="Entra ID")
    assert fresh(connection).oidc_issuer == f"https://login.microsoftonline.com/{tenant}/v2.0"


@pytest.mark.parametrize("preset", ["okta", "entra"])
def test_okta_and_entra_need_their_domain_or_tenant(org_a, owner_a, preset: str) -> None:
    errors = refused(org_a, owner_a, **oidc_values(oidc_preset=preset, oidc_issuer=""))
    assert list(errors) == ["oidc_issuer"]


# --- services: SAML -------------------------------------------------------------------------------------


def test_saml_connection_from_pem_or_bare_base64(org_a, owner_a, certificate_pem: str) -> None:
    body = certificate_body(certificate_pem)
    from_pem = create(org_a, owner_a, "saml", **saml_values(certificate_pem))
    from_base64 = create(org_a, owner_a, "saml", **saml_values(body, name="Second"))
    assert from_pem.saml_idp_certificate == body == from_base64.saml_idp_certificate
    assert from_pem.saml_allow_idp_initiated is False
    assert from_pem.oidc_client_secret_sealed == ""
    app = sso_connections.social_app(sso_connections.ResolvedConnection(org_a, from_pem))
    assert app.settings["idp"] == {
        "entity_id": "https://idp.alpha.test/saml",
        "sso_url": "https://idp.alpha.test/saml/sso",
        "x509cert": body,
    }
    assert app.settings["advanced"]["reject_idp_initiated_sso"] is True


@pytest.mark.parametrize("garbage", ["not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END"])
def test_a_garbage_certificate_is_refused(org_a, owner_a, garbage: str) -> None:
    errors = refused(org_a, owner_a, "saml", **saml_values(garbage))
    assert errors == {"saml_idp_certificate": ["This is not an X.509 certificate (PEM or base64 DER)."]}


def test_saml_needs_entity_id_sso_url_and_certificate(org_a, owner_a) -> None:
    errors = refused(org_a, owner_a, "saml", **saml_values("", saml_idp_entity_id="", saml_idp_sso_url=""))
    assert set(errors) == {"saml_idp_entity_id", "saml_idp_sso_url", "saml_idp_certificate"}
    assert "entity id" in errors["saml_idp_entity_id"][0]


def test_saml_sso_url_must_be_https(org_a, owner_a, certificate_pem: str) -> None:
    errors = refused(
        org_a, owner_a, "saml", **saml_values(certificate_pem, saml_idp_sso_url="http://idp.alpha.test/sso")
    )
    assert errors == {"saml_idp_sso_url": ["The single sign-on URL must be an https:// URL."]}


# --- services: field errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"name": "  "}, "name", "Give the connection a name"),
        ({"email_domains": []}, "email_domains", "List the e-mail domains"),
        ({"email_domains": ["not a domain"]}, "email_domains", "is not a domain name"),
        ({"default_role": "owner"}, "default_role", "never owner or admin"),
        ({"default_role": "admin"}, "default_role", "never owner or admin"),
        ({"oidc_issuer": "http://idp.alpha.test"}, "oidc_issuer", "must be an https:// URL"),
        ({"oidc_issuer": "not a url"}, "oidc_issuer", "must be an https:// URL"),
        ({"oidc_client_id": ""}, "oidc_client_id", "client id"),
        ({"oidc_client_secret": ""}, "oidc_client_secret", "client secret"),
        ({"oidc_preset": "keycloak"}, "oidc_preset", "Choose one of"),
    ],
)
def test_each_bad_field_is_named_with_its_reason(org_a, owner_a, overrides, field: str, says: str) -> None:
    errors = refused(org_a, owner_a, **oidc_values(**overrides))
    assert list(errors) == [field]
    assert says in errors[field][0]
    assert events(org_a, "sso_connection.created") == []


def test_unknown_protocol_is_refused(org_a, owner_a) -> None:
    assert list(refused(org_a, owner_a, "ldap", **oidc_values())) == ["protocol"]


@pytest.mark.parametrize("host", ["127.0.0.1:9000", "localhost:9000"])
def test_plain_http_issuer_only_on_loopback(org_a, owner_a, host: str) -> None:
    connection = create(org_a, owner_a, **oidc_values(oidc_issuer=f"http://{host}/op"))
    assert connection.oidc_issuer == f"http://{host}/op"


# --- services: updates, secret and audit ----------------------------------------------------------------


def test_update_keeps_the_secret_unless_a_new_one_is_given(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    sealed = fresh(connection).oidc_client_secret_sealed
    update(org_a, owner_a, connection, name="Renamed", email_domains=["alpha.test", "alpha.example"])
    after = fresh(connection)
    assert after.name == "Renamed"
    assert after.email_domains == ["alpha.test", "alpha.example"]
    assert after.oidc_client_secret_sealed == sealed
    assert opened_secret(connection) == SECRET
    update(org_a, owner_a, connection, oidc_client_secret="a-new-secret")
    assert opened_secret(connection) == "a-new-secret"
    [renamed, replaced] = events(org_a, "sso_connection.updated")
    assert renamed.changes["before"] == {"name": "Company IdP", "email_domains": ["alpha.test"]}
    assert renamed.changes["after"] == {"name": "Renamed", "email_domains": ["alpha.test", "alpha.example"]}
    assert "client_secret" not in renamed.changes
    assert replaced.changes == {"before": {}, "after": {}, "client_secret": "replaced"}


def test_an_update_that_changes_nothing_is_not_logged(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    update(org_a, owner_a, connection, name="Company IdP")
    assert events(org_a, "sso_connection.updated") == []


def test_a_bad_update_changes_nothing(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    with refusal() as excinfo:
        update(org_a, owner_a, connection, name="Renamed", oidc_issuer="http://evil.example")
    assert list(field_errors(excinfo)) == ["oidc_issuer"]
    assert fresh(connection).name == "Company IdP"
    assert events(org_a, "sso_connection.updated") == []


def test_audit_events_never_carry_the_secret(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    update(org_a, owner_a, connection, oidc_client_secret="second-" + SECRET, name="Renamed")
    delete(org_a, owner_a, connection)
    logged = [
        *events(org_a, "sso_connection.created"),
        *events(org_a, "sso_connection.updated"),
        *events(org_a, "sso_connection.deleted"),
    ]
    assert [event.action for event in logged] == [
        "sso_connection.created",
        "sso_connection.updated",
        "sso_connection.deleted",
    ]
    for event in logged:
        text = json.dumps(event.changes)
        assert SECRET not in text
        assert "trsso" not in text  # not even sealed
    assert logged[0].changes["oidc_issuer"] == "https://idp.alpha.test"
    assert logged[0].changes["key"] == connection.key
    assert logged[2].target_label  # names what was deleted


# --- services: who may ----------------------------------------------------------------------------------


def test_an_admin_can_read_but_not_add_change_or_delete(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    admin = member(org_a, "admin")
    with refusal(PermissionDenied):
        create(org_a, admin, **oidc_values(name="Admin's own IdP"))
    with refusal(PermissionDenied):
        update(org_a, admin, connection, oidc_issuer="https://admin-controlled.example")
    with refusal(PermissionDenied):
        delete(org_a, admin, connection)
    assert count(org_a) == 1
    assert fresh(connection).oidc_issuer == "https://idp.alpha.test"
    assert signed_in(admin).get(PAGE).status_code == 200


@pytest.mark.parametrize(("role", "status"), [("auditor", 200), ("editor", 403), ("viewer", 403)])
def test_who_sees_the_connections(org_a, owner_a, role: str, status: int) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    client = signed_in(auditor_of_everything(org_a) if role == "auditor" else member(org_a, role))
    assert client.get(PAGE).status_code == status
    assert client.get(f"{PAGE}{connection.pk}/").status_code == status
    assert client.get(API).status_code == status


# --- SSO-only -------------------------------------------------------------------------------------------


def test_sso_only_needs_an_enabled_connection(org_a, owner_a) -> None:
    with refusal() as excinfo:
        set_security_policy(org_a, owner_a, sso_only=True)
    assert list(field_errors(excinfo)) == ["sso_only"]
    connection = create(org_a, owner_a, **oidc_values(enabled=False))
    with refusal():
        set_security_policy(org_a, owner_a, sso_only=True)
    update(org_a, owner_a, connection, enabled=True)
    assert set_security_policy(org_a, owner_a, sso_only=True).sso_only is True


def test_the_last_enabled_connection_stays_while_sso_only_is_on(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    set_security_policy(org_a, owner_a, sso_only=True)
    with refusal() as excinfo:
        update(org_a, owner_a, connection, enabled=False)
    assert "SSO-only" in field_errors(excinfo)["enabled"][0]
    assert fresh(connection).enabled is True
    assert events(org_a, "sso_connection.updated") == []  # rolled back with the change
    with refusal() as excinfo:
        delete(org_a, owner_a, connection)
    assert "turn SSO-only off first" in field_errors(excinfo)["enabled"][0]
    assert count(org_a) == 1
    assert events(org_a, "sso_connection.deleted") == []


def test_with_a_second_connection_one_may_go(org_a, owner_a, certificate_pem: str) -> None:
    first = create(org_a, owner_a, **oidc_values())
    second = create(org_a, owner_a, "saml", **saml_values(certificate_pem))
    set_security_policy(org_a, owner_a, sso_only=True)
    update(org_a, owner_a, first, enabled=False)
    delete(org_a, owner_a, first)
    with refusal():
        delete(org_a, owner_a, second)
    set_security_policy(org_a, owner_a, sso_only=False)
    delete(org_a, owner_a, second)
    assert count(org_a) == 0


def test_sso_only_of_another_organization_does_not_count(org_a, owner_a, org_b, owner_b) -> None:
    create(org_b, owner_b, **oidc_values(email_domains=["bravo.test"]))
    with org_scope(org_b):
        update_security_policy(actor=principal_for(owner_b, org_b), sso_only=True)
    connection = create(org_a, owner_a, **oidc_values())
    delete(org_a, owner_a, connection)  # A is not SSO-only
    with org_scope(org_a):
        assert not SecurityPolicy.objects.filter(sso_only=True).exists()


# --- the sealed client secret ---------------------------------------------------------------------------


def test_the_client_secret_is_sealed_and_opens_for_allauth(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    sealed = fresh(connection).oidc_client_secret_sealed
    assert SECRET not in sealed
    assert sealed.startswith("trsso2:")
    resolved = sso_connections.resolve_provider_id(f"alpha-co.{connection.key}")
    assert resolved is not None
    assert sso_connections.social_app(resolved).secret == SECRET
    [app] = sso_connections.apps_for(provider=f"alpha-co.{connection.key}")
    assert app.secret == SECRET
    assert app.client_id == "trustroom-client"


def test_a_sealed_secret_copied_to_another_connection_does_not_open(org_a, owner_a, org_b, owner_b) -> None:
    source = create(org_a, owner_a, **oidc_values())
    same_org = create(org_a, owner_a, **oidc_values(name="Other", oidc_client_secret="other"))
    other_org = create(org_b, owner_b, **oidc_values(email_domains=["bravo.test"]))
    sealed = fresh(source).oidc_client_secret_sealed
    for target in (same_org, other_org):
        with org_scope(target.organization):
            SsoConnection.objects.filter(pk=target.pk).update(oidc_client_secret_sealed=sealed)
        with refusal(crypto.DecryptionError):
            opened_secret(target)
    assert opened_secret(source) == SECRET


def test_a_tampered_or_plaintext_secret_does_not_open(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    sealed = fresh(connection).oidc_client_secret_sealed
    prefix, key_id, body = sealed.split(":")
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    for stored in (SECRET, f"{prefix}:{key_id}:{flipped}", f"{prefix}:999999:{body}"):
        with org_scope(org_a):
            SsoConnection.objects.filter(pk=connection.pk).update(oidc_client_secret_sealed=stored)
        with refusal(crypto.DecryptionError):
            opened_secret(connection)


ROTATION = pytest.mark.django_db(transaction=True, databases=["default", "owner"])


@pytest.fixture
def kek_file(tmp_path: Path, settings: Any) -> Path:
    """A keyset of this test's own, so rotation never touches the shared one."""
    path = tmp_path / "keys" / "kek.json"
    settings.TRUSTROOM_KEK_PATH = path
    return path


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("vault", "rotate-keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@ROTATION
def test_secrets_still_open_after_the_old_kek_versions_are_retired(
    org_a, owner_a, org_b, owner_b, kek_file: Path
) -> None:
    a = create(org_a, owner_a, **oidc_values())
    b = create(org_b, owner_b, **oidc_values(email_domains=["bravo.test"], oidc_client_secret="b-secret"))
    output = _rotate("--retire-old")
    assert "Retired KEK version(s) 1" in output
    assert [k["version"] for k in json.loads(kek_file.read_text())["keys"]] == [2]
    assert opened_secret(a) == SECRET
    assert opened_secret(b) == "b-secret"


@ROTATION
def test_data_key_rotation_reencrypts_the_secrets(org_a, owner_a, kek_file: Path) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    saml_like = create(org_a, owner_a, **oidc_values(name="Second", oidc_client_secret="second"))
    before = fresh(connection).oidc_client_secret_sealed
    _rotate("--data-keys", "--retire-old")
    with org_scope(org_a):
        [key] = OrganizationKey.objects.all()
        rotated = AuditEvent.objects.get(action="organization_key.rotated")
    assert key.version == 2
    after = fresh(connection).oidc_client_secret_sealed
    assert after != before
    assert after.startswith(f"trsso2:{key.pk}:")
    assert opened_secret(connection) == SECRET
    assert opened_secret(saml_like) == "second"
    assert rotated.changes["sso_client_secrets_reencrypted"] == 2


# --- pages ----------------------------------------------------------------------------------------------


def form_data(**overrides: Any) -> dict[str, str]:
    data = {
        "protocol": "oidc",
        "name": "Company IdP",
        "email_domains": "alpha.test, alpha.example",
        "enabled": "on",
        "jit_provisioning": "on",
        "default_role": "viewer",
        "oidc_preset": "generic",
        "oidc_issuer": "https://idp.alpha.test",
        "oidc_client_id": "trustroom-client",
        "oidc_client_secret": SECRET,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_page_shows_the_empty_state_and_the_form_to_owners(org_a, owner_a) -> None:
    body = signed_in(owner_a).get(PAGE).content.decode()
    assert "No SSO connection yet" in body
    assert "Add a connection" in body
    assert 'name="oidc_client_secret"' in body
    assert "<legend>OpenID Connect (when the protocol is OpenID Connect)</legend>" in body
    assert "<legend>SAML 2.0 (when the protocol is SAML 2.0)</legend>" in body


def test_the_edit_form_shows_only_the_connections_protocol(org_a, owner_a, certificate_pem: str) -> None:
    oidc = create(org_a, owner_a, **oidc_values())
    saml = create(org_a, owner_a, "saml", **saml_values(certificate_pem))
    client = signed_in(owner_a)
    oidc_page = client.get(f"{PAGE}{oidc.pk}/").content.decode()
    assert "<legend>OpenID Connect</legend>" in oidc_page
    assert "SAML 2.0</legend>" not in oidc_page and 'name="saml_idp_certificate"' not in oidc_page
    saml_page = client.get(f"{PAGE}{saml.pk}/").content.decode()
    assert "<legend>SAML 2.0</legend>" in saml_page
    assert 'name="oidc_client_secret"' not in saml_page
    # Saving a SAML connection from its form keeps its settings.
    data = form_data(
        name="Renamed SAML",
        oidc_preset=None,
        oidc_issuer=None,
        oidc_client_id=None,
        oidc_client_secret=None,
        saml_idp_entity_id="https://idp.alpha.test/saml",
        saml_idp_sso_url="https://idp.alpha.test/saml/sso",
        saml_idp_certificate=saml.saml_idp_certificate,
    )
    assert client.post(f"{PAGE}{saml.pk}/", data).status_code == 302
    assert fresh(saml).name == "Renamed SAML"
    assert fresh(saml).saml_idp_certificate == certificate_body(certificate_pem)


def test_the_page_lists_connections_with_absolute_endpoints(org_a, owner_a, certificate_pem: str) -> None:
    oidc = create(org_a, owner_a, **oidc_values())
    saml = create(org_a, owner_a, "saml", **saml_values(certificate_pem))
    body = signed_in(owner_a).get(PAGE).content.decode()
    assert "No SSO connection yet" not in body
    assert f"http://testserver/accounts/oidc/alpha-co.{oidc.key}/login/callback/" in body
    assert f"http://testserver/accounts/saml/alpha-co.{saml.key}/acs/" in body
    assert f"http://testserver/accounts/saml/alpha-co.{saml.key}/metadata/" in body
    assert SECRET not in body


def test_an_admin_sees_the_page_without_the_form_and_cannot_post(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    client = signed_in(member(org_a, "admin"))
    body = client.get(PAGE).content.decode()
    assert "Company IdP" in body
    assert "Only owners can add or change SSO connections." in body
    assert 'name="oidc_client_secret"' not in body
    detail = client.get(f"{PAGE}{connection.pk}/").content.decode()
    assert "Settings" not in detail and "Delete this connection" not in detail
    assert client.post(PAGE, form_data(name="Admin IdP")).status_code == 403
    assert client.post(f"{PAGE}{connection.pk}/", form_data(name="Hijacked")).status_code == 403
    assert client.get(f"{PAGE}{connection.pk}/delete/").status_code == 403
    assert client.post(f"{PAGE}{connection.pk}/delete/").status_code == 403
    assert count(org_a) == 1
    assert fresh(connection).name == "Company IdP"


def test_an_owner_adds_an_oidc_connection_through_the_form(org_a, owner_a) -> None:
    response = signed_in(owner_a).post(PAGE, form_data(), follow=True)
    assert response.status_code == 200
    with org_scope(org_a):
        connection = SsoConnection.objects.get()
    assert response.redirect_chain == [(f"{PAGE}{connection.pk}/", 302)]
    assert connection.email_domains == ["alpha.test", "alpha.example"]
    assert connection.oidc_issuer == "https://idp.alpha.test"
    assert opened_secret(connection) == SECRET
    assert "was added" in response.content.decode()


def test_an_owner_adds_a_saml_connection_through_the_form(org_a, owner_a, certificate_pem: str) -> None:
    data = form_data(
        protocol="saml",
        oidc_preset=None,
        oidc_issuer=None,
        oidc_client_id=None,
        oidc_client_secret=None,
        saml_idp_entity_id="https://idp.alpha.test/saml",
        saml_idp_sso_url="https://idp.alpha.test/saml/sso",
        saml_idp_certificate=certificate_pem,
    )
    assert signed_in(owner_a).post(PAGE, data).status_code == 302
    with org_scope(org_a):
        connection = SsoConnection.objects.get()
    assert connection.protocol == "saml"
    assert connection.saml_idp_certificate == certificate_body(certificate_pem)


def test_bad_form_input_is_400_with_field_errors_and_nothing_created(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    response = client.post(
        PAGE, form_data(oidc_issuer="http://idp.alpha.test", oidc_client_secret="", name="x")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The issuer must be an https:// URL" in body
    assert "Give the client secret the identity provider issued." in body
    assert SECRET not in body
    response = client.post(PAGE, form_data(default_role="owner", email_domains=""))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert count(org_a) == 0


def test_an_owner_edits_and_the_secret_stays(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    client = signed_in(owner_a)
    page = client.get(f"{PAGE}{connection.pk}/").content.decode()
    assert "Save connection" in page
    assert SECRET not in page and "trsso" not in page
    response = client.post(f"{PAGE}{connection.pk}/", form_data(name="Renamed", oidc_client_secret=""))
    assert response.status_code == 302
    assert fresh(connection).name == "Renamed"
    assert opened_secret(connection) == SECRET
    bad = client.post(f"{PAGE}{connection.pk}/", form_data(name="", oidc_client_secret=""))
    assert bad.status_code == 400
    assert fresh(connection).name == "Renamed"


def test_the_protocol_cannot_be_changed_by_an_edit(org_a, owner_a, certificate_pem: str) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    data = form_data(protocol="saml", oidc_client_secret="")
    assert signed_in(owner_a).post(f"{PAGE}{connection.pk}/", data).status_code == 302
    assert fresh(connection).protocol == "oidc"


def test_an_owner_deletes_a_connection(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    client = signed_in(owner_a)
    confirm = client.get(f"{PAGE}{connection.pk}/delete/")
    assert confirm.status_code == 200
    assert "Delete the SSO connection" in confirm.content.decode()
    assert client.post(f"{PAGE}{connection.pk}/delete/").status_code == 302
    assert count(org_a) == 0
    assert len(events(org_a, "sso_connection.deleted")) == 1


def test_deleting_the_last_connection_in_sso_only_mode_is_refused_on_the_page(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    set_security_policy(org_a, owner_a, sso_only=True)
    response = signed_in(owner_a).post(f"{PAGE}{connection.pk}/delete/")
    assert response.status_code == 400
    assert "turn SSO-only off first" in response.content.decode()
    assert count(org_a) == 1


def test_another_organizations_connection_is_404(org_a, owner_a, org_b, owner_b) -> None:
    theirs = create(org_b, owner_b, **oidc_values(email_domains=["bravo.test"]))
    client = signed_in(owner_a)
    assert client.get(f"{PAGE}{theirs.pk}/").status_code == 404
    assert client.post(f"{PAGE}{theirs.pk}/delete/").status_code == 404
    assert count(org_b) == 1


# --- public sign-in pages -------------------------------------------------------------------------------


def test_the_login_page_links_to_sso() -> None:
    body = Client().get("/accounts/login/").content.decode()
    assert (
        "Sign in with your organization&#x27;s SSO" in body or "Sign in with your organization's SSO" in body
    )
    assert 'href="/accounts/sso/"' in body


def test_the_sso_start_page_asks_for_the_organization(org_a, owner_a) -> None:
    client = Client()
    page = client.get("/accounts/sso/")
    assert page.status_code == 200
    assert '<label for="sso-organization">' in page.content.decode()
    unknown = client.get("/accounts/sso/", {"organization": "nope-co"})
    assert unknown.status_code == 404
    assert "No organization “nope-co” signs in through SSO" in unknown.content.decode()
    # An organization without an enabled connection answers exactly like an unknown one.
    create(org_a, owner_a, **oidc_values(enabled=False))
    without = client.get("/accounts/sso/", {"organization": "alpha-co"})
    assert without.status_code == 404
    assert "No organization “alpha-co” signs in through SSO" in without.content.decode()


def test_the_organization_page_has_a_button_per_enabled_connection(
    org_a, owner_a, certificate_pem: str
) -> None:
    client = Client()
    assert client.get("/accounts/sso/alpha-co/").status_code == 404
    oidc = create(org_a, owner_a, **oidc_values(name="Okta"))
    saml = create(org_a, owner_a, "saml", **saml_values(certificate_pem, name="ADFS"))
    create(org_a, owner_a, **oidc_values(name="Retired IdP", enabled=False))
    assert client.get("/accounts/sso/", {"organization": " Alpha-Co "}).url == "/accounts/sso/alpha-co/"
    page = client.get("/accounts/sso/alpha-co/", {"next": "/o/alpha-co/"})
    assert page.status_code == 200
    body = page.content.decode()
    assert f'action="/accounts/oidc/alpha-co.{oidc.key}/login/"' in body
    assert f'action="/accounts/saml/alpha-co.{saml.key}/login/"' in body
    assert "Continue with Okta" in body and "Continue with ADFS" in body
    assert "Retired IdP" not in body
    assert 'name="next" value="/o/alpha-co/"' in body
    assert client.get("/accounts/sso/nope-co/").status_code == 404


# --- API ------------------------------------------------------------------------------------------------


def test_api_lists_and_retrieves_without_the_secret(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    client = signed_in(owner_a)
    listed = client.get(API)
    assert listed.status_code == 200
    [item] = listed.json()["results"] if "results" in listed.json() else listed.json()
    assert item["id"] == connection.pk
    assert item["has_client_secret"] is True
    assert "oidc_client_secret" not in item and "oidc_client_secret_sealed" not in item
    assert SECRET not in listed.content.decode() and "trsso" not in listed.content.decode()
    detail = client.get(f"{API}{connection.pk}/").json()
    assert detail["endpoints"]["redirect_uri"] == (
        f"http://testserver/accounts/oidc/alpha-co.{connection.key}/login/callback/"
    )


def test_api_creates_patches_and_deletes(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    created = post_json(
        client, API, {"protocol": "oidc", **oidc_values(oidc_preset="okta", oidc_issuer="acme.okta.com")}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["oidc_issuer"] == "https://acme.okta.com"
    assert body["has_client_secret"] is True
    assert SECRET not in created.content.decode()
    url = f"{API}{body['id']}/"
    patched = post_json(client, url, {"name": "Okta", "enabled": False}, method="patch")
    assert patched.status_code == 200
    assert patched.json()["name"] == "Okta" and patched.json()["enabled"] is False
    with org_scope(org_a):
        connection = SsoConnection.objects.get()
    assert opened_secret(connection) == SECRET
    assert client.delete(url).status_code == 204
    assert count(org_a) == 0


def test_api_bad_input_is_400_naming_the_fields(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    response = post_json(
        client,
        API,
        {"protocol": "oidc", **oidc_values(oidc_issuer="http://evil.example", default_role="admin")},
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"default_role"}
    response = post_json(client, API, {"protocol": "oidc", **oidc_values(oidc_issuer="http://evil.example")})
    assert response.status_code == 400
    assert "oidc_issuer" in response.json()
    assert post_json(client, API, {"protocol": "saml", "name": "x"}).status_code == 400
    assert "email_domains" in post_json(client, API, {"protocol": "saml", "name": "x"}).json()
    assert count(org_a) == 0


def test_api_writes_are_for_owner_sessions_only(org_a, owner_a) -> None:
    connection = create(org_a, owner_a, **oidc_values())
    admin = signed_in(member(org_a, "admin"))
    assert admin.get(API).status_code == 200
    assert post_json(admin, API, {"protocol": "oidc", **oidc_values()}).status_code == 403
    assert post_json(admin, f"{API}{connection.pk}/", {"name": "x"}, method="patch").status_code == 403
    assert admin.delete(f"{API}{connection.pk}/").status_code == 403
    _token, plaintext = api_token(org_a, owner_a, scope="write")
    token = bearer(plaintext)
    assert post_json(token, API, {"protocol": "oidc", **oidc_values()}).status_code == 403
    assert post_json(token, f"{API}{connection.pk}/", {"name": "x"}, method="patch").status_code == 403
    assert token.delete(f"{API}{connection.pk}/").status_code == 403
    assert count(org_a) == 1
    assert fresh(connection).name == "Company IdP"
