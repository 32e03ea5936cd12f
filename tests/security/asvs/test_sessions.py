"""Session handling through allauth's real sign-in (ASVS V3.3 cookies, V7.2 tokens, V7.4 termination)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import TEST_PASSWORD, member
from tests.identity.auth_helpers import post_login, sign_in_with_password

pytestmark = pytest.mark.django_db


def session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def replay(cookie_value: str) -> Client:
    """A second browser that presents a copied session cookie."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = cookie_value
    return other


def is_signed_in(client: Client, path: str) -> bool:
    return client.get(path).status_code == 200


def test_signing_in_issues_a_new_session_id_and_drops_the_one_before(org_a: Any) -> None:
    user = member(org_a, "viewer", email="fixation@example.test")
    client = Client()
    session = client.session  # an anonymous session, as if planted by an attacker
    session["planted"] = "by an attacker"
    session.save()
    before = session.session_key
    assert before is not None
    assert post_login(client, user.email).status_code == 302
    after = session_cookie(client)
    assert after != before
    assert not is_signed_in(replay(before), f"/o/{org_a.slug}/")


def test_session_ids_are_long_random_and_unique(org_a: Any) -> None:
    user = member(org_a, "viewer", email="entropy@example.test")
    ids = {session_cookie(sign_in_with_password(user)) for _ in range(20)}
    assert len(ids) == 20
    for session_id in ids:
        # 32 characters of [a-z0-9] drawn with `secrets`: about 165 bits.
        assert re.fullmatch(r"[a-z0-9]{32}", session_id), session_id


def test_the_session_cookie_is_http_only_and_same_site_lax_and_the_id_never_in_a_url(org_a: Any) -> None:
    user = member(org_a, "viewer", email="cookie@example.test")
    client = Client()
    response = post_login(client, user.email)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie.value not in response["Location"]
    page = client.get(f"/o/{org_a.slug}/")
    assert cookie.value not in page.content.decode()


def test_after_sign_out_the_old_session_cookie_opens_nothing(org_a: Any) -> None:
    user = member(org_a, "viewer", email="logout@example.test")
    client = sign_in_with_password(user)
    copied = session_cookie(client)
    assert is_signed_in(replay(copied), f"/o/{org_a.slug}/")
    client.post("/accounts/logout/")
    assert not is_signed_in(replay(copied), f"/o/{org_a.slug}/")
    assert replay(copied).get(f"/api/v1/orgs/{org_a.slug}/profile/").status_code in {401, 403}


def test_a_deactivated_account_loses_every_session_at_once(org_a: Any) -> None:
    user = member(org_a, "viewer", email="leaver@example.test")
    browsers = [sign_in_with_password(user) for _ in range(2)]
    user.is_active = False
    user.save()
    for browser in browsers:
        assert not is_signed_in(browser, f"/o/{org_a.slug}/")
    again = Client()
    post_login(again, user.email)
    assert not is_signed_in(again, f"/o/{org_a.slug}/")


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(org_a: Any) -> None:
    user = member(org_a, "viewer", email="rotate@example.test")
    here, elsewhere = sign_in_with_password(user), sign_in_with_password(user)
    new = "a completely new passphrase 99"
    response = here.post(
        "/accounts/password/change/", {"oldpassword": TEST_PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302
    assert is_signed_in(here, f"/o/{org_a.slug}/")
    assert not is_signed_in(elsewhere, f"/o/{org_a.slug}/")


def test_every_signed_in_page_offers_sign_out(org_a: Any) -> None:
    user = member(org_a, "owner", email="signout@example.test")
    client = sign_in_with_password(user)
    for path in (
        f"/o/{org_a.slug}/",
        f"/o/{org_a.slug}/members/",
        f"/o/{org_a.slug}/audit/",
        f"/o/{org_a.slug}/vault/",
        "/accounts/password/change/",
    ):
        html = client.get(path).content.decode()
        assert re.search(r'<form method="post" action="/accounts/logout/"', html), path
        assert "Sign out" in html, path
