"""In real Chromium: an organization requires MFA, a member is sent to enrol TOTP, enrols through
allauth's pages, signs out, and signs back in with password + TOTP code to reach the dashboard."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory, principal_for
from trustroom.identity.services import update_security_policy
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization

TOTP_PERIOD = 30  # allauth's default step, with no tolerance: one code per 30 s window


def totp_code(secret: str) -> tuple[str, int]:
    """The current code for `secret`, computed by allauth's own HOTP helpers, and its time step."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter)), counter


def fresh_totp_code(secret: str, used_counter: int) -> str:
    """A code from a later time step than the one already used (a TOTP code works once)."""
    while int(time.time()) // TOTP_PERIOD <= used_counter:
        time.sleep(0.5)
    return totp_code(secret)[0]


def sign_in_with_password(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_forced_enrolment_then_sign_in_with_totp(live_server: Any, page: Any) -> None:
    base = live_server.url
    user = UserFactory(email="casey@acme.test", full_name="Casey Doe")
    org = create_organization(actor=user, slug="acme", name="Acme Analytics")
    with org_scope(org):
        update_security_policy(actor=principal_for(user, org), require_mfa=True)

    # 1. Password only: the organization requires MFA, so the next stop is enrolment, not the dashboard.
    sign_in_with_password(page, base, user.email)
    page.wait_for_url("**/accounts/reauthenticate/**")  # allauth re-asks the password before MFA changes
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    # The organization's pages keep sending the member back here until a factor is enrolled.
    page.goto(f"{base}/o/acme/")
    page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    assert "requires two-factor authentication" in page.content()
    save_screenshot(page, "totp-forced-enrolment")

    # 2. Enrol: read the secret shown on the page, answer with the code an authenticator app would show.
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16
    code, used_counter = totp_code(secret)
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    page.goto(f"{base}/o/acme/")
    page.wait_for_url(f"{base}/o/acme/")
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Analytics"

    # 3. Sign out, with the header's button.
    page.locator("header").get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/o/acme/")
    page.wait_for_url("**/accounts/login/**")

    # 4. Password, then the TOTP code: the dashboard.
    sign_in_with_password(page, base, user.email)
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.get_by_label("Code").fill(fresh_totp_code(secret, used_counter))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")
    assert page.get_by_role("heading", level=1).inner_text() == "Acme Analytics"
    assert "casey@acme.test" in page.locator("header").inner_text()
    save_screenshot(page, "totp-signed-in")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_wrong_totp_code_is_refused(live_server: Any, page: Any) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(email="kim@acme.test")
    create_organization(actor=user, slug="acme", name="Acme Analytics")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    good, _ = totp_code(secret)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"

    sign_in_with_password(page, live_server.url, user.email)
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Sign In").click()
    assert "/accounts/2fa/authenticate/" in page.url
    assert "/o/acme/" not in page.url
    assert "incorrect" in page.content().lower() or "invalid" in page.content().lower()
