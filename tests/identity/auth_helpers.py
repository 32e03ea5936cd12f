"""Signing in through allauth's real views, enrolling TOTP the way a person does, and TOTP codes."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client

from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/accounts/reauthenticate/"


def verified(user: Any) -> Any:
    """Give the user a verified primary e-mail address (allauth wants one before MFA can be added)."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now (tests freeze the clock, see `frozen_clock`)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def frozen_clock(monkeypatch: Any) -> float:
    """Stop time.time() in the middle of a TOTP period, so a code cannot expire during a test."""
    now = (int(time.time()) // 30) * 30 + 15.0
    monkeypatch.setattr(time, "time", lambda: now)
    return now


def post_login(client: Client, email: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def sign_in_with_password(user: Any, client: Client | None = None) -> Client:
    client = client or Client()
    response = post_login(client, user.email)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def reauthenticate(client: Client, password: str = TEST_PASSWORD) -> Any:
    """Confirm the password again (allauth asks before authenticators are added or removed)."""
    response = client.post(REAUTHENTICATE, {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def enrol_totp(user: Any) -> tuple[Client, str]:
    """Sign in with the password and activate TOTP through allauth's views; return the base32 secret."""
    verified(user)
    client = sign_in_with_password(user)
    reauthenticate(client)
    page = client.get(TOTP_ACTIVATE)
    assert page.status_code == 200, page.status_code
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, secret
