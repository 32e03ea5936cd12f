"""One-time codes as allauth makes and checks them under our settings (ASVS V6.5.3 to V6.5.5)."""

from __future__ import annotations

import inspect
import math
import time
from typing import Any

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import auth as totp_auth
from django.test import Client

from tests.factories import UserFactory
from tests.identity.auth_helpers import MFA_AUTHENTICATE, enrol_totp, frozen_clock, post_login, totp_code

pytestmark = pytest.mark.django_db


def test_totp_seeds_and_recovery_seeds_come_from_the_secrets_module() -> None:
    assert "secrets.token_bytes" in inspect.getsource(totp_auth.generate_totp_secret)
    assert "secrets.token_hex" in inspect.getsource(RecoveryCodes.generate_seed)
    seeds = {totp_auth.generate_totp_secret() for _ in range(50)}
    assert len(seeds) == 50
    assert min(len(seed) for seed in seeds) * 5 >= 160  # base32 of 20 random bytes


def test_recovery_codes_carry_more_than_20_bits_each() -> None:
    user = UserFactory(email="codes@example.test")
    codes = RecoveryCodes.activate(user).generate_codes()
    assert len(codes) == len(set(codes)) == 10
    for code in codes:
        alphabet = 10 if code.isdigit() else 16
        assert len(code) * math.log2(alphabet) >= 20, code


def test_a_totp_code_of_the_previous_period_is_refused(monkeypatch: Any) -> None:
    now = frozen_clock(monkeypatch)
    user: Any = UserFactory(email="stale-code@example.test")
    _, secret = enrol_totp(user)
    stale = totp_code(secret)
    monkeypatch.setattr(time, "time", lambda: now + 30)  # the next 30-second period
    client = Client()
    post_login(client, user.email)
    response = client.post(MFA_AUTHENTICATE, {"code": stale})
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session
    assert client.post(MFA_AUTHENTICATE, {"code": totp_code(secret)}).status_code == 302
    assert "_auth_user_id" in client.session
