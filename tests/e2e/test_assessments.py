"""In real Chromium: an owner records an application and a high finding, sees the SLA states on the findings
list, marks the finding fixed, records a passing vendor retest, and sees it closed and the application's
"safe to host" reasons change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory
from trustroom.assessments import services
from trustroom.assessments.models import Application
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization

pytestmark = pytest.mark.e2e


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("sec@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_finding_lifecycle_changes_safe_to_host(live_server: Any, page: Any) -> None:
    owner = UserFactory(email="sec@acme.test", full_name="Sam Security")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    base = live_server.url
    sign_in(page, base)

    page.goto(f"{base}/o/acme/assessments/applications/")
    page.get_by_text("No applications yet.").wait_for()
    page.get_by_role("link", name="Add an application").click()
    page.get_by_label("Name").fill("GSP portal")
    page.get_by_label("Criticality").select_option("critical")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="GSP portal", level=1).wait_for()
    reasons = page.locator("#safe-reasons")
    assert "No completed VAPT engagement" in reasons.inner_text()
    assert "Unresolved findings" not in reasons.inner_text()

    # An older high finding, already past its 48-hour deadline, recorded by an importer days ago.
    actor = Principal(organization=org, role="owner", user=owner)
    with org_scope(org):
        services.create_finding(
            actor=actor,
            application=Application.objects.get(name="GSP portal"),
            title="Stored XSS in comments",
            severity="high",
            detected_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
        )

    page.get_by_role("link", name="Record a finding").click()
    page.get_by_label("Title").fill("SQL injection in login")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("CVSS vector").fill("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    page.get_by_label("CWE").fill("CWE-89")
    page.get_by_label("Asset").fill("https://portal.acme.test/login")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="SQL injection in login", level=1).wait_for()
    assert "Within SLA" in page.locator("#finding-sla").inner_text()

    page.get_by_role("navigation", name="Assessments").get_by_role("link", name="Findings").click()
    new_row = page.locator("tr", has_text="SQL injection in login")
    old_row = page.locator("tr", has_text="Stored XSS in comments")
    assert "Within SLA" in new_row.inner_text() and "9.8" in new_row.inner_text()
    assert "Breached" in old_row.inner_text()
    page.get_by_label("SLA state").select_option("breached")  # the htmx filter swaps the table in place
    page.wait_for_url("**sla=breached**")
    page.locator("#finding-rows").get_by_text("1 finding matches").wait_for()
    assert page.locator("#finding-rows tr", has_text="SQL injection in login").count() == 0
    page.get_by_label("SLA state").select_option("")
    page.locator("#finding-rows").get_by_text("2 findings").wait_for()
    save_screenshot(page, "assessments-findings")

    page.get_by_role("link", name="SQL injection in login").click()
    page.get_by_role("button", name="Mark fixed").click()
    page.get_by_text("Marked fixed; the vendor's retest is due by").wait_for()
    assert "Fixed, awaiting retest" in page.locator("#finding-status").inner_text()
    save_screenshot(page, "assessments-finding")
    page.get_by_label("Passed: the issue is gone").check()
    page.get_by_label("Retest notes").fill("Vendor retest: parameterised queries confirmed.")
    page.get_by_role("button", name="Record retest").click()
    page.get_by_text("Retest passed: the finding is closed.").wait_for()
    assert "Closed" in page.locator("#finding-status").inner_text()
    assert "Met" in page.locator("#finding-sla").inner_text()

    page.get_by_role("link", name="GSP portal").first.click()
    page.get_by_role("heading", name="GSP portal", level=1).wait_for()
    reasons_text = page.locator("#safe-reasons").inner_text()
    assert "Unresolved findings: 1 high" in reasons_text  # only the breached one is left
    assert "SQL injection in login" not in page.locator("main").inner_text()
    save_screenshot(page, "assessments-application")
