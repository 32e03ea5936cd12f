"""Password rules as a person meets them (ASVS V6.2 to V6.4): length, no composition rules, no truncation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from tests.factories import TEST_PASSWORD, UserFactory
from tests.identity.auth_helpers import MFA_AUTHENTICATE, enrol_totp, frozen_clock, post_login, verified

pytestmark = pytest.mark.django_db

# The production hasher: the test settings use a fast one, these tests check what people really get.
ARGON2 = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])


def refusals(password: str, user: Any = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


def change_password(client: Client, new: str) -> Any:
    return client.post(
        "/accounts/password/change/", {"oldpassword": TEST_PASSWORD, "password1": new, "password2": new}
    )


def test_passwords_shorter_than_12_characters_are_refused() -> None:
    assert refusals("ab3$Xy9!qz1") != []  # 11 characters, however mixed
    assert refusals("plumtreeriver") == []  # 13 lowercase letters


def test_any_composition_is_accepted_without_character_class_rules() -> None:
    for password in (
        "onlylowercaseletterstogether",
        "ONLY UPPER AND SPACES HERE",
        "ünïcødé pässwörd ✓✓",
        "🙂" * 12,
    ):
        assert refusals(password) == [], password


def test_passwords_of_64_characters_and_more_are_accepted() -> None:
    for length in (64, 128, 512):
        password = ("correct horse battery staple " * 20)[:length]
        assert refusals(password) == [], length


def test_common_passwords_that_meet_the_length_are_refused() -> None:
    for password in ("q1w2e3r4t5y6", "1qaz2wsx3edc", "qwerty123456", "123456654321"):
        assert refusals(password) != [], password


def test_a_password_like_the_persons_own_address_is_refused() -> None:
    user = get_user_model()(email="margaret.hamilton@example.test", full_name="Margaret Hamilton")
    assert refusals("margaret.hamilton", user) != []


@ARGON2
def test_the_password_is_checked_exactly_as_typed_never_truncated_or_case_folded() -> None:
    long_password = "x" * 100 + "tail-that-matters"
    user: Any = UserFactory(email="exact@example.test")
    user.set_password(long_password)
    user.save()
    assert user.check_password(long_password)
    assert not user.check_password("x" * 100 + "tail-that-matterz")
    assert not user.check_password(long_password.upper())
    assert not user.check_password(" " + long_password)


def test_the_password_change_form_takes_a_64_character_passphrase() -> None:
    user = verified(UserFactory(email="long@example.test"))
    client = Client()
    client.force_login(user)
    passphrase = "the quick brown fox jumps over the lazy dog, then sleeps for hours"
    assert len(passphrase) >= 64
    assert change_password(client, passphrase).status_code == 302
    user.refresh_from_db()
    assert user.check_password(passphrase)


def test_password_fields_are_masked_and_let_password_managers_fill_them() -> None:
    user = verified(UserFactory(email="fields@example.test"))
    signed_in = Client()
    signed_in.force_login(user)
    pages = {
        "sign-in": Client().get("/accounts/login/"),
        "change": signed_in.get("/accounts/password/change/"),
    }
    for name, page in pages.items():
        html = page.content.decode()
        fields = re.findall(r"<input[^>]*name=\"(?:password|password1|password2|oldpassword)\"[^>]*>", html)
        assert fields, name
        for field in fields:
            assert 'type="password"' in field, (name, field)
            assert 'autocomplete="off"' not in field, (name, field)
        assert "onpaste" not in html.lower() and "oncopy" not in html.lower(), name


def test_there_are_no_password_hints_or_secret_questions() -> None:
    html = Client().get("/accounts/login/").content.decode().lower()
    for word in ("hint", "secret question", "security question", "mother's maiden"):
        assert word not in html
    field_names = {field.name for field in get_user_model()._meta.get_fields()}
    assert not {name for name in field_names if "hint" in name or "question" in name}


def test_a_fresh_installation_has_no_default_accounts() -> None:
    assert get_user_model().objects.count() == 0


def test_a_password_reset_does_not_skip_the_second_factor(monkeypatch: Any, mailoutbox: list[Any]) -> None:
    frozen_clock(monkeypatch)
    user: Any = UserFactory(email="reset-mfa@example.test")
    enrol_totp(user)
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    [mail] = mailoutbox
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.body).group(1)  # type: ignore[union-attr]
    form_url = client.get(link)["Location"]
    new = "a new passphrase after the reset"
    assert client.post(form_url, {"password1": new, "password2": new}).status_code == 302
    assert "_auth_user_id" not in client.session  # the reset itself signs nobody in

    response = post_login(client, user.email, password=new)
    assert response.status_code == 302 and response["Location"] == MFA_AUTHENTICATE
    assert "_auth_user_id" not in client.session


def test_a_password_never_expires_with_age(org_a: Any) -> None:
    import datetime as dt

    import time_machine

    user = verified(UserFactory(email="old-password@example.test"))
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=3 * 365), tick=False):
        response = post_login(Client(), user.email)
    assert response.status_code == 302
    assert "password" not in response["Location"]
