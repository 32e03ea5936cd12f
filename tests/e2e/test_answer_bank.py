"""In real Chromium: an owner adds a public answer through the bank's pages, links the certificate that
backs it, and a visitor sees it in the trust center's Security FAQ with its detail expandable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory
from trustroom.compliance.services import create_certification
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization
from trustroom.trustcenter.services import update_settings

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_an_answer_made_in_the_bank_shows_in_the_faq(live_server: Any, browser: Any) -> None:
    owner = UserFactory(email="sec@acme.test", full_name="Sam Security")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    actor = Principal(organization=org, role="owner", user=owner)
    today = dt.datetime.now(dt.UTC).date()
    with org_scope(org):
        update_settings(actor=actor, published=True, intro="Acme's security, in the open.")
        create_certification(
            actor=actor,
            kind="certificate",
            title="ISO/IEC 27001:2022 certificate",
            valid_from=today - dt.timedelta(days=100),
            valid_until=today + dt.timedelta(days=900),
        )
    base = live_server.url

    member = browser.new_context()
    page = member.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("sec@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Answers").click()
    page.get_by_text("The answer bank is empty.").wait_for()
    page.get_by_role("link", name="Add an answer").click()
    page.get_by_label("Key").fill("Not a key!")
    page.get_by_label("Question").fill("Is customer data encrypted at rest?")
    page.get_by_label("Other phrasings").fill("Are backups encrypted?\nWhat encryption protects stored data?")
    page.get_by_label("Short answer").fill("Yes: AES-256 for databases, files and backups.")
    page.get_by_label("Detailed answer").fill("Keys live in a managed key service and are rotated yearly.")
    page.get_by_label("Tags").fill("encryption, storage")
    page.get_by_label("Visibility").select_option("public")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Use only letters, digits, hyphens and underscores in the key.").wait_for()
    page.get_by_label("Key").fill("encryption-at-rest")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Is customer data encrypted at rest?", level=1).wait_for()

    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Certification or report").select_option(label="ISO/IEC 27001:2022 certificate (valid)")
    page.get_by_role("button", name="Add evidence").click()
    evidence = page.locator("section", has=page.get_by_role("heading", name="Evidence"))
    assert "ISO/IEC 27001:2022 certificate" in evidence.inner_text()
    assert "Current" in evidence.inner_text()
    save_screenshot(page, "answer-bank-entry")
    member.close()

    visitor = browser.new_context()
    public = visitor.new_page()
    public.set_default_timeout(15_000)
    public.goto(f"{base}/trust/acme/")
    public.get_by_role("link", name="Security FAQ").first.click()
    public.get_by_role("heading", name="Is customer data encrypted at rest?").wait_for()
    item = public.locator("article", has_text="Is customer data encrypted at rest?")
    assert "AES-256 for databases, files and backups" in item.inner_text()
    detail = item.get_by_text("Keys live in a managed key service")
    assert not detail.is_visible()
    item.locator("summary").click()
    detail.wait_for(state="visible")
    save_screenshot(public, "trust-center-faq")
    visitor.close()
