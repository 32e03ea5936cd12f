"""In real Chromium: a member requests production access; the line manager approves; the business-unit
head approves; an editor provisions; the grant shows as active."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from trustroom.access.services import inventory
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization

pytestmark = pytest.mark.e2e


def signed_in_page(browser: Any, base: str, email: str) -> Any:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")
    return page


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_two_step_approval_then_provisioning(live_server: Any, browser: Any) -> None:
    owner = UserFactory(email="sec@acme.test", full_name="Sam Security")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    people = {}
    for key, role in (("dev", "viewer"), ("manager", "editor"), ("head", "editor"), ("ops", "editor")):
        people[key] = UserFactory(email=f"{key}@acme.test", full_name=f"{key.title()} Person")
        MembershipFactory(organization=org, user=people[key], role=role)
    with org_scope(org):
        actor = Principal(organization=org, role="owner", user=owner)
        system = inventory.create_system(actor=actor, name="Core API", owner=owner)
        production = inventory.create_environment(actor=actor, system=system, kind="production")
    base = live_server.url

    dev = signed_in_page(browser, base, "dev@acme.test")
    dev.goto(f"{base}/o/acme/access/")
    dev.get_by_role("link", name="Request access").first.click()
    dev.get_by_label("Environment").select_option(str(production.pk))
    dev.get_by_label("Privilege").select_option("write")
    dev.get_by_label("Justification").fill("Rotate the production database credentials (CHG-42).")
    dev.get_by_label("For how many days").fill("3")
    dev.get_by_label("Line manager").select_option(str(people["manager"].pk))
    dev.get_by_label("Business-unit head").select_option(str(people["head"].pk))
    dev.get_by_role("button", name="Send request").click()
    dev.get_by_role("heading", name="Access request", level=1).wait_for()
    assert "Waiting for the line manager" in dev.locator("#request-status").inner_text()
    request_url = dev.url

    for who, next_status in (("manager", "Waiting for the business-unit head"), ("head", "Approved")):
        approver = signed_in_page(browser, base, f"{who}@acme.test")
        approver.goto(f"{base}/o/acme/access/requests/?show=waiting")
        approver.get_by_role("link", name=re.compile(r"^Request \d+$")).click()
        approver.get_by_label("Comment").fill(f"OK from the {who}")
        approver.get_by_role("button", name="Approve").click()
        approver.get_by_text("You approved the request.").wait_for()
        assert next_status in approver.locator("#request-status").inner_text()
        approver.context.close()

    ops = signed_in_page(browser, base, "ops@acme.test")
    ops.goto(request_url)
    assert "OK from the head" in ops.locator("#approval-chain").inner_text()
    ops.get_by_role("button", name="Mark provisioned").click()
    ops.get_by_text("the grant is active").wait_for()
    assert "Provisioned" in ops.locator("#request-status").inner_text()
    save_screenshot(ops, "access-request-provisioned")
    ops.get_by_role("link", name="the grant").click()
    assert "Active" in ops.locator("#grant-state").inner_text()
    ops.get_by_role("navigation", name="Access").get_by_role("link", name="Grants").click()
    ops.get_by_label("State").select_option("active")
    ops.wait_for_url("**state=active**")
    row = ops.locator("#grant-rows tr", has_text="dev@acme.test")
    assert "Active" in row.inner_text() and "Write" in row.inner_text()
    dev.goto(request_url)
    assert "Provisioned" in dev.locator("#request-status").inner_text()
