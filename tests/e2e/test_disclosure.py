"""In real Chromium: a researcher finds the disclosure program from the trust center, reads the policy and
security.txt, reports through the public form, confirms the e-mail and follows the private status link;
a team member triages the report from the Disclosure section (valid, high, a finding) and posts an
update, which the researcher sees without the team's internal note. Also: a bad e-mail address is
announced on its field, and the fourth report within the hour from one address is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.assessments.helpers import application
from tests.disclosure.helpers import publish_policy
from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from trustroom.disclosure.models import DisclosureReport, ReportStatus
from trustroom.disclosure.services import REPORTS_PER_EMAIL
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization
from trustroom.trustcenter import services as trustcenter

pytestmark = pytest.mark.e2e
RESEARCHER = "rita@research.example"
TITLE = "Stored XSS in the profile name"
PUBLIC_UPDATE = "Thanks, Rita: we reproduced it and a fix is on its way."
INTERNAL_NOTE = "Internal: the renderer bypasses autoescape, see ticket SEC-77."


def last_link(path_part: str, to: str) -> str:
    """The path of the newest link containing `path_part` mailed to `to` (the live server runs in this
    process, so its mail lands in Django's in-memory outbox)."""
    for message in reversed(mail.outbox):
        found = re.search(r"https?://[^/\s]+(/\S*" + re.escape(path_part) + r"\S*)", str(message.body))
        if found and message.to == [to]:
            return found.group(1)
    raise AssertionError(
        f"no e-mail to {to} with a {path_part} link; outbox: {[m.subject for m in mail.outbox]}"
    )


def build_program() -> Any:
    owner = UserFactory(email="olive@acme.test", full_name="Olive Owner")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    triager = UserFactory(email="tess@acme.test", full_name="Tess Triage")
    MembershipFactory(organization=org, user=triager, role="editor")
    actor = Principal(organization=org, role="owner", user=owner)
    with org_scope(org):
        trustcenter.update_settings(actor=actor, published=True, intro="Acme's security, in the open.")
        application(actor, name="Customer portal")
    publish_policy(org, actor)
    return org


def new_page(browser: Any) -> Any:
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    return page


def fill_report(page: Any, *, email: str = RESEARCHER, title: str = TITLE) -> None:
    page.get_by_label("Your name").fill("Rita Researcher")
    page.get_by_label("Your e-mail").fill(email)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Affected asset").fill("https://app.acme.test/profile")
    page.get_by_label("Description").fill("The display name is rendered without escaping.")
    page.get_by_label("Steps to reproduce").fill("1. Set the name to <img src=x onerror=alert(1)>")
    page.get_by_label("Your severity guess").select_option("high")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_report_verify_triage_and_follow_the_status(live_server: Any, browser: Any) -> None:
    org = build_program()
    base = live_server.url
    researcher = new_page(browser)

    researcher.goto(f"{base}/trust/acme/")
    disclosure = researcher.locator(
        "section", has=researcher.get_by_role("heading", name="Vulnerability disclosure")
    )
    disclosure.get_by_role("link", name="security.txt").click()
    researcher.wait_for_url(f"{base}/trust/acme/security.txt")
    security_txt = researcher.locator("body").inner_text()
    assert "Contact: mailto:security@acme.test" in security_txt
    assert "Contact: https://acme.test/report" in security_txt
    assert re.search(r"^Expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", security_txt, re.MULTILINE)
    policy_line = re.search(r"^Policy: https?://[^/\s]+(/\S+)$", security_txt, re.MULTILINE)
    assert policy_line and policy_line.group(1) == "/trust/acme/disclosure/"
    fetched = researcher.request.get(f"{base}/trust/acme/security.txt")
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "text/plain; charset=utf-8"

    researcher.goto(f"{base}/trust/acme/")  # a person follows the trust center's link to the policy page
    researcher.locator(
        "section", has=researcher.get_by_role("heading", name="Vulnerability disclosure")
    ).get_by_role("link", name="vulnerability disclosure policy").click()
    researcher.wait_for_url(base + policy_line.group(1))
    researcher.get_by_role("heading", name="Vulnerability disclosure at Acme Analytics", level=1).wait_for()
    expect(researcher.get_by_role("link", name="security.txt")).to_have_attribute(
        "href", "/trust/acme/security.txt"
    )
    expect(researcher.get_by_role("link", name="mailto:security@acme.test")).to_be_visible()
    expect(researcher.locator("main")).to_contain_text("app.acme.test and api.acme.test")
    expect(researcher.locator("main")).to_contain_text("Do not access other customers' data.")
    rewards = researcher.get_by_role("table", name=re.compile("Rewards by severity"))
    expect(rewards.get_by_role("row", name=re.compile("^High"))).to_contain_text("1000.00 USD")
    expect(rewards.get_by_role("row", name=re.compile("^Low"))).to_contain_text("No")

    researcher.get_by_role("link", name="Report it here").click()
    researcher.get_by_role("heading", name="Report a vulnerability to Acme Analytics").wait_for()
    fill_report(researcher)
    researcher.get_by_role("button", name="Send report").click()
    researcher.get_by_role("heading", name="Check your e-mail", level=1).wait_for()
    expect(researcher.get_by_role("status")).to_contain_text(RESEARCHER)

    researcher.goto(base + last_link("/disclosure/verify/", RESEARCHER))
    researcher.get_by_role("heading", name="Confirm your e-mail").wait_for()
    researcher.get_by_role("button", name="Confirm and send my report").click()
    researcher.get_by_role("heading", name="Report received").wait_for()
    with org_scope(org):
        report = DisclosureReport.objects.get()
    assert report.status == ReportStatus.NEW
    status_path = last_link("/disclosure/status/", RESEARCHER)
    researcher.goto(base + status_path)
    researcher.get_by_role("heading", name=f"Report #{report.pk}: {TITLE}").wait_for()
    expect(researcher.locator("dd").first).to_have_text("New")
    expect(researcher.locator("main")).to_contain_text("No updates yet.")

    team = new_page(browser)
    team.goto(f"{base}/accounts/login/")
    team.get_by_label("Email").fill("tess@acme.test")
    team.get_by_label("Password").fill(TEST_PASSWORD)
    team.get_by_role("button", name="Sign In").click()
    team.wait_for_url(f"{base}/o/acme/")
    team.get_by_role("navigation", name="Sections").get_by_role("link", name="Disclosure").click()
    team.get_by_role("heading", name="Vulnerability reports", level=1).wait_for()
    reports = team.get_by_role("table", name="Confirmed reports, newest first")
    reports.get_by_role("link", name=TITLE).click()
    team.get_by_role("heading", name=f"Report #{report.pk}: {TITLE}").wait_for()
    team.get_by_label("Validity", exact=True).select_option("valid")
    team.get_by_label("Severity", exact=True).select_option("high")
    team.get_by_role("button", name="Save triage").click()
    team.get_by_text("Saved.").wait_for()
    team.get_by_label("Application", exact=True).select_option(label="Customer portal")
    team.get_by_role("button", name="Create finding (its SLA applies)").click()
    team.get_by_role("link", name=re.compile(r"^#\d+$")).wait_for()  # the finding, linked
    team.get_by_label("Update or note", exact=True).fill(INTERNAL_NOTE)
    team.get_by_role("button", name="Add internal note").click()
    team.get_by_text(INTERNAL_NOTE).wait_for()
    team.get_by_label("Update or note", exact=True).fill(PUBLIC_UPDATE)
    team.get_by_role("button", name="Send public update to the researcher").click()
    team.get_by_text(PUBLIC_UPDATE).wait_for()
    expect(team.get_by_label("Amount", exact=True)).to_have_value("1000.00")  # the policy's high reward
    team.get_by_role("button", name="Propose reward").click()
    ledger = team.get_by_role("table", name="Reward ledger of this report")
    expect(ledger.get_by_role("row", name=re.compile("High"))).to_contain_text("Proposed")
    details = team.locator("dl").inner_text()
    assert "In progress" in details and "Valid" in details and "High" in details
    save_screenshot(team, "disclosure-triaged")
    team.context.close()

    assert last_link("/disclosure/status/", RESEARCHER) == status_path  # the update mail links the same page
    researcher.reload()
    status = researcher.locator("main").inner_text()
    assert "In progress" in status
    assert "Valid, High severity" in status
    assert PUBLIC_UPDATE in status
    assert INTERNAL_NOTE not in status and "SEC-77" not in status
    save_screenshot(researcher, "disclosure-status")
    researcher.context.close()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_a_bad_address_is_announced_and_the_fourth_report_an_hour_is_refused(
    live_server: Any, browser: Any
) -> None:
    org = build_program()
    report_url = f"{live_server.url}/trust/acme/disclosure/report/"
    page = new_page(browser)

    page.goto(report_url)
    fill_report(page, email="rita-at-research")
    page.get_by_role("button", name="Send report").click()
    email = page.get_by_label("Your e-mail")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("Enter a valid email address"))
    expect(page.get_by_label("Title")).to_have_value(TITLE)  # nothing typed is lost
    expect(page.get_by_label("Your name")).not_to_have_attribute("aria-invalid", "true")
    save_screenshot(page, "disclosure-invalid-email")

    for attempt in range(REPORTS_PER_EMAIL + 1):
        page.goto(report_url)
        fill_report(page, title=f"Finding {attempt}")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Send report").click()
        if attempt < REPORTS_PER_EMAIL:
            assert answer.value.status == 200
            page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert answer.value.status == 429
    email = page.get_by_label("Your e-mail")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        re.compile("Too many reports from here; please try again in an hour.")
    )
    with org_scope(org):
        assert DisclosureReport.objects.count() == REPORTS_PER_EMAIL
    assert len([m for m in mail.outbox if m.to == [RESEARCHER]]) == REPORTS_PER_EMAIL
