"""Failed sign-ins lock the account per e-mail address, whatever X-Forwarded-For says."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client, override_settings

from tests.factories import TEST_PASSWORD, UserFactory
from tests.identity.auth_helpers import post_login
from trustroom import settings as product_settings

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-in attempts; try again in"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def twenty_wrong_passwords(email: str) -> None:
    for n in range(20):
        # Each attempt from a new client with a new forged (or, behind one proxy, a new real) address.
        client = Client(REMOTE_ADDR="203.0.113.7")
        response = post_login(
            client, email, password=f"wrong-password-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}"
        )
        assert response.status_code == 200
        assert not signed_in(client)


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_twenty_wrong_passwords_from_rotating_addresses_lock_the_account(trusted_proxies, monkeypatch):
    user = UserFactory(email="target@example.test")
    with override_settings(TRUSTROOM_TRUSTED_PROXIES=trusted_proxies):
        twenty_wrong_passwords(user.email)
        # The right password, from yet another address, is refused with a clear message...
        client = Client(REMOTE_ADDR="203.0.113.99")
        response = post_login(client, user.email, HTTP_X_FORWARDED_FOR="192.0.2.200")
        html = response.content.decode()
        assert response.status_code == 200
        assert LOCKED in html and "minutes" in html
        assert not signed_in(client)

        # ... until the window has passed.
        real_time = time.time
        lockout = product_settings.TRUSTROOM_LOGIN_LOCKOUT_MINUTES * 60
        monkeypatch.setattr(time, "time", lambda: real_time() + lockout + 1)
        client = Client(REMOTE_ADDR="203.0.113.99")
        response = post_login(client, user.email, HTTP_X_FORWARDED_FOR="192.0.2.201")
        assert response.status_code == 302
        assert signed_in(client)


def test_the_message_says_how_long_to_wait():
    user = UserFactory(email="wait@example.test")
    for n in range(product_settings.TRUSTROOM_LOGIN_FAILURES_PER_ACCOUNT):
        post_login(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), user.email, password="nope")
    response = post_login(Client(REMOTE_ADDR="192.0.2.100"), user.email)
    minutes = product_settings.TRUSTROOM_LOGIN_LOCKOUT_MINUTES
    assert f"{LOCKED} {minutes} minutes." in response.content.decode()


def test_a_few_mistakes_do_not_lock_and_success_does_not_reset_the_count():
    user = UserFactory(email="typo@example.test")
    limit = product_settings.TRUSTROOM_LOGIN_FAILURES_PER_ACCOUNT
    for _ in range(limit - 1):
        post_login(Client(), user.email, password="typo")
    client = Client()
    assert post_login(client, user.email).status_code == 302
    # A success in between does not wipe the failures (an attacker cannot interleave their own logins).
    post_login(Client(), user.email, password="typo")
    assert LOCKED in post_login(Client(), user.email).content.decode()


def test_unknown_addresses_are_limited_the_same_way():
    for _ in range(product_settings.TRUSTROOM_LOGIN_FAILURES_PER_ACCOUNT):
        post_login(Client(), "nobody@example.test", password="guess")
    assert LOCKED in post_login(Client(), "nobody@example.test", password="guess").content.decode()


def test_the_address_case_does_not_give_a_fresh_counter():
    user = UserFactory(email="case@example.test")
    for n in range(product_settings.TRUSTROOM_LOGIN_FAILURES_PER_ACCOUNT):
        post_login(Client(), "CASE@example.test" if n % 2 else user.email, password="guess")
    assert LOCKED in post_login(Client(), "Case@Example.test", password=TEST_PASSWORD).content.decode()


def test_new_passwords_are_stored_with_argon2():
    with override_settings(PASSWORD_HASHERS=product_settings.PASSWORD_HASHERS):
        user = UserFactory(email="argon@example.test")
        assert user.password.startswith("argon2$argon2id$")
        assert user.check_password(TEST_PASSWORD)


def test_an_older_hash_still_verifies_and_is_upgraded_at_sign_in():
    from django.contrib.auth.hashers import make_password

    user = UserFactory(email="legacy@example.test")
    with override_settings(PASSWORD_HASHERS=product_settings.PASSWORD_HASHERS):
        user.password = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
        user.save(update_fields=["password"])
        assert post_login(Client(), user.email).status_code == 302
        user.refresh_from_db()
        assert user.password.startswith("argon2$")


@override_settings(TRUSTROOM_TRUSTED_PROXIES=1)
def test_the_per_ip_limit_counts_the_address_the_proxy_saw_not_the_forged_ones():
    """Behind one proxy: forged entries to the left never start a new counter, and clients behind the
    same proxy are counted apart (the address the proxy saw, from trustroom.identity.client_ip)."""
    proxy = "10.0.0.2"
    victims = [UserFactory(email=f"victim{n}@example.test") for n in range(11)]
    for n in range(10):  # two failures on each of five accounts: no per-account limit is reached
        forged = f"192.0.2.{n + 1}, 198.51.100.50"
        post_login(
            Client(REMOTE_ADDR=proxy), victims[n // 2].email, password="guess", HTTP_X_FORWARDED_FOR=forged
        )
    attacker = Client(REMOTE_ADDR=proxy)
    response = post_login(attacker, victims[10].email, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.50")
    assert LOCKED in response.content.decode() and not signed_in(attacker)
    someone_else = Client(REMOTE_ADDR=proxy)
    assert (
        post_login(someone_else, victims[10].email, HTTP_X_FORWARDED_FOR="198.51.100.60").status_code == 302
    )
