"""In real Chromium: an admin creates a GuardDuty alert source and copies its intake URL and secret (shown
once); a sender delivers a signed GuardDuty finding over real HTTP with the DESIGN.md header scheme; the
alert shows in the list and on its page, is acknowledged then resolved with the page's buttons, and the
same signed request sent again is refused as a replay without counting another occurrence."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from trustroom.tenancy.services import create_organization

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).resolve().parents[1] / "monitoring" / "fixtures" / "guardduty_ec2_event.json"
FINDING_TYPE = "Canary:EC2/Stateless.IntegTest"
INSTANCE = "i-05746eb48123455e0"


def send_signed(url: str, secret: str, body: bytes, timestamp: str) -> tuple[int, dict[str, Any]]:
    """POST as an outside sender does: X-Trustroom-Timestamp, and X-Trustroom-Signature
    sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)> (computed here, not with the app's code)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310 - the live test server's http URL
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Trustroom-Timestamp": timestamp,
            "X-Trustroom-Signature": f"sha256={digest}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refusal:
        return refusal.code, json.loads(refusal.read())


def field(page: Any, term: str) -> Any:
    """The value of one entry of the alert page's description list."""
    return page.locator("dl dt", has_text=re.compile(f"^{term}$")).locator("xpath=following-sibling::dd[1]")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_source_signed_delivery_triage_and_replay(live_server: Any, browser: Any) -> None:
    owner = UserFactory(email="olive@acme.test", full_name="Olive Owner")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    admin = UserFactory(email="ada@acme.test", full_name="Ada Admin")
    MembershipFactory(organization=org, user=admin, role="admin")
    base = live_server.url

    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("ada@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Monitoring").click()
    page.get_by_role("heading", name="Security alerts", level=1).wait_for()
    expect(page.locator("#alert-rows")).to_contain_text("No alerts match.")

    page.get_by_role("link", name="Alert sources").click()
    page.get_by_role("heading", name="Alert sources", level=1).wait_for()
    sources_url = page.url
    page.get_by_label("Name", exact=True).fill("GuardDuty prod")
    page.get_by_label("Kind", exact=True).select_option(label="AWS GuardDuty")
    page.get_by_role("button", name="Create").click()
    created = page.locator("section", has=page.get_by_role("heading", name="GuardDuty prod was created"))
    expect(created).to_contain_text("they are not shown again")
    codes = created.locator("dd code")
    intake_url, secret = codes.nth(0).inner_text().strip(), codes.nth(1).inner_text().strip()
    assert re.fullmatch(re.escape(base) + r"/intake/alerts/[A-Za-z0-9_-]{20,}/", intake_url), intake_url
    assert len(secret) >= 32
    save_screenshot(page, "monitoring-source-created")

    page.goto(sources_url)  # a fresh look at the page: neither the URL's token nor the secret again
    row = page.get_by_role("table", name="Alert sources of Acme Analytics").get_by_role(
        "row", name=re.compile("GuardDuty prod")
    )
    expect(row).to_contain_text("AWS GuardDuty")
    expect(row).to_contain_text("Never")
    content = page.content()
    assert secret not in content
    token = intake_url.rstrip("/").rsplit("/", 1)[1]
    assert token not in content and token[:6] in content  # only the prefix, to tell sources apart

    body = SAMPLE.read_bytes()
    timestamp = str(int(time.time()))
    status, answer = send_signed(intake_url, secret, body, timestamp)
    assert (status, answer) == (200, {"accepted": 1, "new": 1, "repeated": 0})

    page.get_by_role("link", name="Alerts", exact=True).click()
    alert_row = page.locator("#alert-rows tr", has_text=FINDING_TYPE)
    expect(alert_row).to_contain_text("Medium")
    expect(alert_row).to_contain_text(INSTANCE)
    expect(alert_row).to_contain_text("1\u00d7")  # seen once
    expect(alert_row).to_contain_text("New")
    alert_row.get_by_role("link", name=FINDING_TYPE).click()
    page.get_by_role("heading", name=FINDING_TYPE, level=1).wait_for()
    expect(field(page, "Resource")).to_have_text(f"Instance {INSTANCE}")
    expect(field(page, "Account")).to_have_text("123456789012")
    expect(field(page, "Region")).to_have_text("us-east-1")
    expect(field(page, "Occurrences")).to_have_text("1")

    page.get_by_label("Note (optional)").fill("Looking at the instance")
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("The alert is now acknowledged.").wait_for()
    expect(field(page, "Status")).to_have_text("Acknowledged (Looking at the instance)")
    page.get_by_role("button", name="Resolve").click()
    page.get_by_text("The alert is now resolved.").wait_for()
    expect(field(page, "Status")).to_have_text("Resolved")
    save_screenshot(page, "monitoring-alert-resolved")

    status, answer = send_signed(intake_url, secret, body, timestamp)  # byte for byte the same request
    assert status == 401 and "replayed" in answer["error"], answer
    page.reload()
    expect(field(page, "Occurrences")).to_have_text("1")
    expect(field(page, "Status")).to_have_text("Resolved")
    page.goto(sources_url)
    expect(page.get_by_role("row", name=re.compile("GuardDuty prod"))).not_to_contain_text("Never")
    page.context.close()
