"""TOTP through allauth's real views: secrets encrypted at rest, codes work once, re-authentication."""

from __future__ import annotations

import json
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory
from tests.identity.auth_helpers import (
    MFA_AUTHENTICATE,
    REAUTHENTICATE,
    TOTP_ACTIVATE,
    enrol_totp,
    frozen_clock,
    post_login,
    reauthenticate,
    sign_in_with_password,
    totp_code,
    verified,
)
from trustroom.identity.mfa_adapter import decrypt_mfa_secret, encrypt_mfa_secret
from trustroom.vault.crypto import DecryptionError, get_kek

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    frozen_clock(monkeypatch)
    cache.clear()
    yield
    cache.clear()


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def password_then_code(user, code: str) -> tuple[Client, object]:
    client = Client()
    first = post_login(client, user.email)
    assert first.status_code == 302 and first["Location"].startswith(MFA_AUTHENTICATE)
    assert not signed_in(client), "the password alone must not sign in a person with TOTP"
    return client, client.post(MFA_AUTHENTICATE, {"code": code})


def test_the_totp_secret_is_stored_encrypted_and_signing_in_with_a_code_works():
    user = UserFactory(email="totp@example.test")
    _client, secret = enrol_totp(user)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    stored = json.dumps(totp.data)
    assert secret not in stored and secret.lower() not in stored.lower()
    assert totp.data["secret"].startswith("trmfa1:")
    assert decrypt_mfa_secret(totp.data["secret"]) == secret
    # Recovery codes are derived from a seed: that is stored encrypted too.
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert codes.data["seed"].startswith("trmfa1:")

    client, response = password_then_code(user, totp_code(secret))
    assert response.status_code == 302 and signed_in(client)


def test_a_wrong_code_does_not_sign_in():
    user = UserFactory(email="wrong-code@example.test")
    _client, secret = enrol_totp(user)
    good = totp_code(secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    client, response = password_then_code(user, wrong)
    assert response.status_code == 200 and not signed_in(client)
    assert "Incorrect code" in response.content.decode()


def test_a_totp_code_works_once():
    user = UserFactory(email="replay@example.test")
    _client, secret = enrol_totp(user)
    code = totp_code(secret)  # checking it at enrolment did not use it up; signing in does
    first, response = password_then_code(user, code)
    assert response.status_code == 302 and signed_in(first)
    second, replay = password_then_code(user, code)
    assert replay.status_code == 200 and not signed_in(second)
    assert "Incorrect code" in replay.content.decode()


def test_a_recovery_code_signs_in_once():
    user = UserFactory(email="recovery@example.test")
    enrol_totp(user)
    codes = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
    code = codes.get_unused_codes()[0]
    client, response = password_then_code(user, code)
    assert response.status_code == 302 and signed_in(client)
    again, replay = password_then_code(user, code)
    assert replay.status_code == 200 and not signed_in(again)


def test_wrong_codes_lock_the_second_step():
    user = UserFactory(email="mfa-brute@example.test")
    _client, secret = enrol_totp(user)
    good = totp_code(secret)
    client = Client()
    post_login(client, user.email)
    for n in range(5):
        client.post(MFA_AUTHENTICATE, {"code": f"{(int(good) + 7 + n) % 1_000_000:06d}"})
    response = client.post(MFA_AUTHENTICATE, {"code": good})
    assert response.status_code == 200 and not signed_in(client)
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_a_secret_planted_in_the_clear_does_not_work():
    user = UserFactory(email="planted@example.test")
    _client, secret = enrol_totp(user)
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).update(data={"secret": secret})
    with pytest.raises(DecryptionError):
        TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)).validate_code(
            totp_code(secret)
        )


def test_a_ciphertext_made_for_another_purpose_is_refused():
    kek = get_kek()
    other = kek.wrap(b"JBSWY3DPEHPK3PXP", associated_data=b'{"kind":"data-key"}')
    import base64

    forged = f"trmfa1:{other.kek_version}:{base64.urlsafe_b64encode(other.wrapped).decode()}"
    with pytest.raises(DecryptionError):
        decrypt_mfa_secret(forged)
    assert decrypt_mfa_secret(encrypt_mfa_secret("JBSWY3DPEHPK3PXP")) == "JBSWY3DPEHPK3PXP"


def test_adding_totp_needs_a_recent_reauthentication(monkeypatch):
    user = verified(UserFactory(email="reauth@example.test"))
    client = sign_in_with_password(user)
    asked = client.get(TOTP_ACTIVATE)
    assert asked.status_code == 302 and asked["Location"].startswith(REAUTHENTICATE)
    reauthenticate(client)
    assert client.get(TOTP_ACTIVATE).status_code == 200
    # Later than the re-authentication timeout, the password is asked for again.
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 301)
    again = client.get(TOTP_ACTIVATE)
    assert again.status_code == 302 and again["Location"].startswith(REAUTHENTICATE)


def test_changing_the_password_needs_the_current_one():
    user = verified(UserFactory(email="change@example.test"))
    client = sign_in_with_password(user)
    new = "a brand new passphrase 2026"
    response = client.post(
        "/accounts/password/change/", {"oldpassword": "not it", "password1": new, "password2": new}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.check_password(new)


def test_the_migration_encrypts_secrets_stored_in_the_clear_before():
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("trustroom.identity.migrations.0006_encrypt_mfa_secrets")
    user = UserFactory(email="legacy-mfa@example.test")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "ab" * 20, "used_mask": 0}
    )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.encrypt_existing(apps, editor)
    migration.encrypt_existing(apps, editor)  # a second run changes nothing
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert secret not in json.dumps(totp.data)
    assert decrypt_mfa_secret(totp.data["secret"]) == secret
    seed = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).data["seed"]
    assert decrypt_mfa_secret(seed) == "ab" * 20
    assert TOTP(totp).validate_code(totp_code(secret))
