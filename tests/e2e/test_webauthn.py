"""In real Chromium with a virtual authenticator (Chrome DevTools Protocol's WebAuthn domain): a member
adds a security key through allauth's pages, signs out, and signs back in with password + the key.

WebAuthn needs a secure context and a valid RP ID: the site is reached as http://localhost:<port> (a
secure context in browsers; 127.0.0.1 is not a valid RP ID), and the RP ID is the request's host.
Passkey (passwordless) login is not enabled in Trustroom's settings, so the key is tested as the
second factor after the password.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from allauth.mfa.models import Authenticator
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory
from trustroom.identity.models import AuthEvent
from trustroom.tenancy.services import create_organization

KEY_NAME = "Casey's YubiKey"


def localhost_url(live_server: Any) -> str:
    """The live server's address with the host name `localhost` (a secure context, a valid RP ID)."""
    parts = urlsplit(live_server.url)
    return urlunsplit(parts._replace(netloc=f"localhost:{parts.port}"))


def add_virtual_authenticator(page: Any) -> tuple[Any, str]:
    """A CTAP2 security key in the browser, which answers every ceremony as if touched and verified."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, authenticator["authenticatorId"]


def sign_in_with_password(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def reauthenticate_if_asked(page: Any) -> None:
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Confirm").click()


def enrol_security_key(page: Any, base: str, email: str) -> None:
    """Password sign-in (no factor yet: straight in), then allauth's "Add Security Key" page."""
    sign_in_with_password(page, base, email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    reauthenticate_if_asked(page)
    page.wait_for_url(f"{base}/accounts/2fa/webauthn/add/")
    assert page.get_by_role("heading", level=1).inner_text() == "Add Security Key"
    page.get_by_label("Name").fill(KEY_NAME)
    save_screenshot(page, "webauthn-add-security-key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)


def sign_out(page: Any, base: str) -> None:
    page.goto(f"{base}/o/acme/")
    page.locator("header").get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/o/acme/")
    page.wait_for_url("**/accounts/login/**")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_add_a_security_key_then_sign_in_with_it(live_server: Any, page: Any) -> None:
    base = localhost_url(live_server)
    user = UserFactory(email="casey@acme.test", full_name="Casey Doe")
    create_organization(actor=user, slug="acme", name="Acme Analytics")
    cdp, authenticator_id = add_virtual_authenticator(page)

    # 1. Enrol: the browser's authenticator makes a credential for RP ID "localhost"; the server keeps it.
    enrol_security_key(page, base, user.email)
    [key] = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == KEY_NAME
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert credential["rpId"] == "localhost"
    # Recorded: the key, and the recovery codes allauth makes along with a first authenticator.
    added = {event.details["authenticator"]: event for event in AuthEvent.objects.filter(kind="mfa_added")}
    assert set(added) == {"webauthn", "recovery_codes"}
    assert added["webauthn"].user == user and added["webauthn"].details["authenticator_id"] == key.pk

    # 2. Sign out; the password alone now stops at the second step, and the organization stays closed:
    # its pages send the person back to finish signing in.
    sign_out(page, base)
    sign_in_with_password(page, base, user.email)
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.goto(f"{base}/o/acme/")
    page.wait_for_load_state()
    assert page.url == f"{base}/accounts/2fa/authenticate/"
    assert "Acme Analytics" not in page.content()
    assert not AuthEvent.objects.filter(user=user, kind="mfa_used").exists()

    # 3. The key (no TOTP code): signed in, the dashboard.
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)
    page.goto(f"{base}/o/acme/")
    page.wait_for_url(f"{base}/o/acme/")
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Analytics"
    assert "casey@acme.test" in page.locator("header").inner_text()

    [used] = AuthEvent.objects.filter(user=user, kind="mfa_used")
    assert used.details["authenticator"] == "webauthn" and used.details["authenticator_id"] == key.pk
    assert used.details["passwordless"] is False
    # The sign-in after the key: its methods name both steps.
    last_login = AuthEvent.objects.filter(user=user, kind="login").order_by("-pk").first()
    assert last_login is not None and "mfa" in last_login.details["methods"]


def watch_for_webauthn_errors(page: Any) -> None:
    """allauth's script reports a failed browser ceremony as an `allauth.error` event: keep its name."""
    page.evaluate(
        """() => document.addEventListener('allauth.error', (event) => {
            window.webauthnError = String(event.detail.exception && event.detail.exception.name);
        })"""
    )


def forged_private_key() -> str:
    """A fresh P-256 private key (PKCS#8, base64) that the server never saw."""
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return base64.b64encode(der).decode()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_without_the_key_the_second_step_fails(live_server: Any, page: Any) -> None:
    base = localhost_url(live_server)
    user = UserFactory(email="casey@acme.test", full_name="Casey Doe")
    create_organization(actor=user, slug="acme", name="Acme Analytics")
    cdp, authenticator_id = add_virtual_authenticator(page)
    enrol_security_key(page, base, user.email)
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    sign_out(page, base)
    signed_in_before = AuthEvent.objects.filter(user=user, kind="login").count()

    # 1. The key is gone from the authenticator: the browser has nothing to answer with.
    cdp.send(
        "WebAuthn.removeCredential",
        {"authenticatorId": authenticator_id, "credentialId": credential["credentialId"]},
    )
    sign_in_with_password(page, base, user.email)
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    watch_for_webauthn_errors(page)
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_function("() => window.webauthnError !== undefined")
    assert page.evaluate("() => window.webauthnError") == "NotAllowedError"
    assert page.url == f"{base}/accounts/2fa/authenticate/"
    assert not AuthEvent.objects.filter(user=user, kind="mfa_failed").exists()  # nothing was sent

    # 2. A key with the same credential id but another private key (a clone without the secret): the
    # browser answers, the server refuses the signature.
    cdp.send(
        "WebAuthn.addCredential",
        {
            "authenticatorId": authenticator_id,
            "credential": {
                "credentialId": credential["credentialId"],
                "isResidentCredential": False,
                "rpId": "localhost",
                "privateKey": forged_private_key(),
                "signCount": credential["signCount"] + 1,
            },
        },
    )
    page.reload()
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_load_state()
    page.wait_for_selector("text=Incorrect code")
    assert page.url == f"{base}/accounts/2fa/authenticate/"
    [failed] = AuthEvent.objects.filter(user=user, kind="mfa_failed")
    [key] = Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)
    assert failed.success is False
    assert failed.details == {
        "authenticator": "webauthn",
        "authenticator_id": key.pk,
        "reauthentication": False,
    }

    # Neither attempt signed anyone in.
    page.goto(f"{base}/o/acme/")
    page.wait_for_load_state()
    assert "/o/acme/" not in page.url and "Acme Analytics" not in page.content()
    assert not AuthEvent.objects.filter(user=user, kind="mfa_used").exists()
    assert AuthEvent.objects.filter(user=user, kind="login").count() == signed_in_before
