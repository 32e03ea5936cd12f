"""Every authentication event is kept: per person (AuthEvent) and in each of their organizations' logs."""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client, override_settings

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, member
from tests.identity.auth_helpers import (
    MFA_AUTHENTICATE,
    enrol_totp,
    frozen_clock,
    post_login,
    reauthenticate,
    sign_in_with_password,
    totp_code,
)
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import AuthEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

ACTIVITY = "/accounts/security/activity/"


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    frozen_clock(monkeypatch)
    cache.clear()
    yield
    cache.clear()


def kinds(user) -> list[str]:
    return list(AuthEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def audit_actions(org) -> list[str]:
    with org_scope(org):
        return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_a_failed_sign_in_is_kept_with_the_client_address_and_logged_in_every_organization(org_a, org_b):
    user = member(org_a, "viewer", email="two-orgs@example.test")
    MembershipFactory(organization=org_b, user=user, role="editor")
    client = Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="TestBrowser/1.0")
    post_login(client, user.email, password="wrong", HTTP_X_FORWARDED_FOR="10.9.9.9")
    [event] = AuthEvent.objects.filter(user=user)
    assert (event.kind, event.success, event.email) == ("login_failed", False, user.email)
    assert event.ip == "203.0.113.5", "a forged X-Forwarded-For must not be recorded as the client"
    assert event.user_agent == "TestBrowser/1.0"
    assert event.details["reason"] == "bad_credentials"
    for org in (org_a, org_b):
        assert audit_actions(org) == ["auth.login_failed"]
        with org_scope(org):
            audit = AuditEvent.objects.get(action="auth.login_failed")
        assert audit.actor_user_id == user.pk and audit.ip == "203.0.113.5"
        assert audit.changes["success"] is False


def test_failures_for_unknown_addresses_are_kept_at_platform_level(org_a):
    post_login(Client(), "Nobody@Example.test", password="guess")
    [event] = AuthEvent.objects.all()
    assert (event.user, event.email, event.kind, event.success) == (
        None,
        "nobody@example.test",
        "login_failed",
        False,
    )
    assert audit_actions(org_a) == []


def test_locked_out_attempts_are_kept_as_failures():
    user = UserFactory(email="locked@example.test")
    for _ in range(6):
        post_login(Client(), user.email, password="guess")
    reasons = [e.details.get("reason") for e in AuthEvent.objects.filter(user=user).order_by("id")]
    assert reasons == ["bad_credentials"] * 5 + ["locked_out"]


def test_sign_in_and_sign_out(org_a):
    user = member(org_a, "viewer", email="inout@example.test")
    client = sign_in_with_password(user)
    client.post("/accounts/logout/")
    assert kinds(user) == ["login", "logout"]
    login = AuthEvent.objects.get(user=user, kind="login")
    assert login.success and login.details["methods"] == ["password"]
    assert audit_actions(org_a) == ["auth.login", "auth.logout"]


def test_mfa_added_used_failed_recovery_code_used_and_removed(org_a, django_capture_on_commit_callbacks):
    user = member(org_a, "admin", email="mfa-events@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        client, secret = enrol_totp(user)
    added = AuthEvent.objects.filter(user=user, kind="mfa_added")
    assert sorted(e.details["authenticator"] for e in added) == ["recovery_codes", "totp"]

    # A wrong code, then the right one.
    second = Client()
    post_login(second, user.email)
    good = totp_code(secret)
    second.post(MFA_AUTHENTICATE, {"code": f"{(int(good) + 1) % 1_000_000:06d}"})
    second.post(MFA_AUTHENTICATE, {"code": good})
    failed = AuthEvent.objects.get(user=user, kind="mfa_failed")
    assert not failed.success and failed.details["authenticator"] == "totp"
    used = AuthEvent.objects.get(user=user, kind="mfa_used")
    assert used.details["authenticator"] == "totp"
    assert AuthEvent.objects.filter(user=user, kind="login").latest("id").details["methods"] == [
        "mfa",
        "password",
    ]

    # A recovery code.
    codes = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
    third = Client()
    post_login(third, user.email)
    third.post(MFA_AUTHENTICATE, {"code": codes.get_unused_codes()[0]})
    assert AuthEvent.objects.filter(user=user, kind="recovery_code_used").count() == 1

    # Removing TOTP (after confirming the password again) removes the now dangling recovery codes too.
    reauthenticate(client)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    removed = AuthEvent.objects.filter(user=user, kind="mfa_removed")
    assert sorted(e.details["authenticator"] for e in removed) == ["recovery_codes", "totp"]
    actions = set(audit_actions(org_a))
    assert {
        "auth.mfa_added",
        "auth.mfa_failed",
        "auth.mfa_used",
        "auth.recovery_code_used",
        "auth.mfa_removed",
        "auth.login",
    } <= actions


def test_password_changed(org_a):
    user = member(org_a, "viewer", email="pw@example.test")
    client = sign_in_with_password(user)
    new = "a brand new passphrase 2026"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "correct horse battery staple 42", "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert "password_changed" in kinds(user)
    assert "auth.password_changed" in audit_actions(org_a)


def test_password_reset(org_a, mailoutbox):
    import re

    from allauth.account.models import EmailAddress

    user = member(org_a, "viewer", email="reset@example.test")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    [mail] = mailoutbox
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.body).group(1)
    form_url = client.get(link)["Location"]
    new = "another fresh passphrase 77"
    assert client.post(form_url, {"password1": new, "password2": new}).status_code == 302
    assert "password_reset" in kinds(user)
    assert "auth.password_reset" in audit_actions(org_a)


def test_the_person_sees_their_own_sign_in_activity_and_nobody_else_s():
    alice = UserFactory(email="alice@example.test")
    bob = UserFactory(email="bob@example.test")
    post_login(Client(REMOTE_ADDR="198.51.100.77"), alice.email, password="wrong")
    post_login(Client(REMOTE_ADDR="198.51.100.88"), bob.email, password="wrong")
    client = sign_in_with_password(alice)
    page = client.get(ACTIVITY)
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Sign-in failed" in html and "198.51.100.77" in html and "Signed in" in html
    assert "198.51.100.88" not in html


def test_the_activity_page_needs_a_sign_in():
    response = Client().get(ACTIVITY)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@override_settings(TRUSTROOM_TRUSTED_PROXIES=1)
def test_owners_see_members_auth_events_in_the_audit_log(org_a, owner_a):
    viewer = member(org_a, "viewer", email="viewer@example.test")
    post_login(
        Client(REMOTE_ADDR="10.0.0.2"), viewer.email, password="wrong", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    owner = sign_in_with_password(owner_a)
    html = owner.get("/o/alpha-co/audit/?action=auth.login_failed").content.decode()
    assert "auth.login_failed" in html and "viewer@example.test" in html


def test_an_organization_that_is_not_the_persons_gets_nothing(org_a):
    other = OrganizationFactory(slug="other-co")
    user = member(org_a, "viewer", email="only-a@example.test")
    sign_in_with_password(user)
    assert audit_actions(other) == []


def test_a_security_key_or_passkey_used_is_recorded(org_a, rf):
    from allauth.mfa import signals as mfa_signals

    user = member(org_a, "viewer", email="passkey@example.test")
    key = Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "YubiKey"})
    request = rf.post("/accounts/2fa/webauthn/login/", REMOTE_ADDR="192.0.2.44")
    mfa_signals.authenticator_used.send(
        sender=Authenticator, request=request, user=user, authenticator=key, passwordless=True
    )
    [event] = AuthEvent.objects.filter(user=user, kind="mfa_used")
    assert event.details["authenticator"] == "webauthn" and event.details["passwordless"] is True
    assert event.ip == "192.0.2.44"
    assert audit_actions(org_a) == ["auth.mfa_used"]


def test_a_refused_security_key_answer_is_recorded_and_signs_nobody_in(org_a):
    user = member(org_a, "viewer", email="key-refused@example.test")
    enrol_totp(user)  # any factor puts the second step in front of the sign-in
    client = Client(REMOTE_ADDR="192.0.2.45")
    post_login(client, user.email)
    forged = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"signature": "AAAA"}}
    response = client.post(MFA_AUTHENTICATE, {"credential": json.dumps(forged)})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    [event] = AuthEvent.objects.filter(user=user, kind="mfa_failed")
    assert event.success is False and event.ip == "192.0.2.45"
    assert event.details == {"authenticator": "webauthn", "authenticator_id": None, "reauthentication": False}
    assert "auth.mfa_failed" in audit_actions(org_a)
    assert not AuthEvent.objects.filter(user=user, kind="mfa_used").exists()
