"""The WebAuthn relying-party ID that allauth's pages hand to the browser: the request's host, or
TRUSTROOM_WEBAUTHN_RP_ID when set (validated when the settings load)."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from tests.factories import UserFactory
from tests.identity.auth_helpers import reauthenticate, sign_in_with_password, verified
from trustroom.env import env_hostname

pytestmark = pytest.mark.django_db

ADD_KEY = "/accounts/2fa/webauthn/add/"
HOSTS = ["trust.example.com", "localhost"]


def creation_options(host: str) -> dict:
    """Sign in on `host`, open "Add Security Key", and read the options its script gives the browser."""
    user = verified(UserFactory())
    client = sign_in_with_password(user, Client(HTTP_HOST=host))
    reauthenticate(client)
    page = client.get(ADD_KEY)
    assert page.status_code == 200, page.status_code
    found = re.search(r'<script id="js_data" type="application/json">(.*?)</script>', page.content.decode())
    assert found, "the page carries no WebAuthn options"
    return json.loads(found.group(1))["creation_options"]["publicKey"]


@override_settings(ALLOWED_HOSTS=HOSTS, TRUSTROOM_WEBAUTHN_RP_ID="")
def test_by_default_the_rp_id_is_the_request_host_without_its_port() -> None:
    assert creation_options("trust.example.com:8443")["rp"]["id"] == "trust.example.com"


@override_settings(ALLOWED_HOSTS=HOSTS, TRUSTROOM_WEBAUTHN_RP_ID="example.com")
def test_a_configured_rp_id_is_used_whatever_the_host() -> None:
    assert creation_options("trust.example.com")["rp"]["id"] == "example.com"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.com", "example.com"),
        (" Trust.Example.COM. ", "trust.example.com"),
        ("localhost", "localhost"),
    ],
)
def test_the_setting_takes_a_bare_host_name(monkeypatch, raw: str, expected: str) -> None:
    monkeypatch.setenv("TRUSTROOM_WEBAUTHN_RP_ID", raw)
    assert env_hostname("TRUSTROOM_WEBAUTHN_RP_ID") == expected


def test_the_setting_is_empty_when_unset(monkeypatch) -> None:
    monkeypatch.delenv("TRUSTROOM_WEBAUTHN_RP_ID", raising=False)
    assert env_hostname("TRUSTROOM_WEBAUTHN_RP_ID") == ""


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("https://trust.example.com", "without scheme, port or path"),
        ("trust.example.com:8443", "without scheme, port or path"),
        ("example.com/path", "without scheme, port or path"),
        ("[::1]", "without scheme, port or path"),
        ("192.0.2.10", "an IP address cannot be used"),
        ("exa_mple.com", "not a valid host name"),
        ("-example.com", "not a valid host name"),
        ("example..com", "not a valid host name"),
        ("bücher.example", "not a valid host name"),
    ],
)
def test_anything_else_is_refused_naming_the_variable_and_the_reason(
    monkeypatch, raw: str, reason: str
) -> None:
    monkeypatch.setenv("TRUSTROOM_WEBAUTHN_RP_ID", raw)
    with pytest.raises(ImproperlyConfigured, match="TRUSTROOM_WEBAUTHN_RP_ID") as error:
        env_hostname("TRUSTROOM_WEBAUTHN_RP_ID")
    assert reason in str(error.value)
