"""In real Chromium: a visitor requests a gated document, the organization approves, the visitor accepts
the terms and downloads a copy watermarked with their e-mail; an expired certificate shows as expired."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core import mail
from pypdf import PdfReader

from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory
from trustroom.compliance.services import attach_document, create_certification
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization
from trustroom.trustcenter import services
from trustroom.vault.samples import sample_pdf

pytestmark = pytest.mark.e2e
VISITOR_EMAIL = "vera@customer.example"


def last_link(path_part: str) -> str:
    for message in reversed(mail.outbox):
        found = re.search(r"https?://[^/\s]+(/\S*" + re.escape(path_part) + r"\S*)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no e-mail with a {path_part} link; outbox: {[m.subject for m in mail.outbox]}")


def build_trust_center() -> Any:
    owner = UserFactory(email="olive@acme.test", full_name="Olive Owner")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    actor = Principal(organization=org, role="owner", user=owner)
    today = dt.datetime.now(dt.UTC).date()
    with org_scope(org):
        services.update_settings(actor=actor, published=True, intro="Acme's security, in the open.")
        services.publish_terms(actor=actor, body="Keep Acme's documents confidential.")
        report = create_certification(
            actor=actor,
            kind="certificate",
            title="ISO/IEC 27001:2022 certificate",
            valid_from=today - dt.timedelta(days=100),
            valid_until=today + dt.timedelta(days=900),
            visibility="gated",
        )
        attach_document(
            actor=actor,
            certification=report,
            content=sample_pdf(title="ISO 27001 certificate", lines=["Acme Analytics"], pages=2),
            filename="iso.pdf",
        )
        create_certification(
            actor=actor,
            kind="certificate",
            title="PCI DSS attestation of compliance",
            valid_from=today - dt.timedelta(days=500),
            valid_until=today - dt.timedelta(days=10),
            visibility="public",
        )
    return org


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_request_approve_accept_and_download(live_server: Any, browser: Any) -> None:
    build_trust_center()
    base = live_server.url

    visitor = browser.new_context(accept_downloads=True)
    page = visitor.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/trust/acme/certifications/")
    page.get_by_role("link", name="Request access to ISO/IEC 27001:2022 certificate").click()
    page.get_by_label("Your name").fill("Vera Visitor")
    page.get_by_label("Work e-mail").fill(VISITOR_EMAIL)
    page.get_by_label("Company").fill("Customer Ltd")
    page.get_by_label("Why do you need the documents?").fill("Vendor security review")
    page.get_by_role("button", name="Request access").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()

    page.goto(base + last_link("/verify/"))
    page.get_by_role("button", name="Confirm my e-mail").click()
    page.get_by_role("heading", name="E-mail confirmed").wait_for()

    owner = browser.new_context()
    admin = owner.new_page()
    admin.set_default_timeout(15_000)
    admin.goto(f"{base}/accounts/login/")
    admin.get_by_label("Email").fill("olive@acme.test")
    admin.get_by_label("Password").fill(TEST_PASSWORD)
    admin.get_by_role("button", name="Sign In").click()
    admin.wait_for_url(f"{base}/o/acme/")
    admin.goto(f"{base}/o/acme/trust-center/requests/")
    row = admin.locator("tr", has_text=VISITOR_EMAIL)
    row.get_by_role("button", name=f"Approve {VISITOR_EMAIL}").click()
    admin.get_by_text(f"Access granted to {VISITOR_EMAIL}").wait_for()
    save_screenshot(admin, "trust-center-requests")
    owner.close()

    page.goto(base + last_link("/access/"))
    page.get_by_role("heading", name="Confidentiality terms", level=1).wait_for()
    page.get_by_label(re.compile("have read and accept these terms")).check()
    page.get_by_role("button", name="Accept and continue").click()
    page.get_by_role("heading", name="Your documents").wait_for()
    save_screenshot(page, "trust-center-documents")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download ISO/IEC 27001:2022 certificate (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    assert len(reader.pages) == 2
    for pdf_page in reader.pages:
        assert VISITOR_EMAIL in pdf_page.extract_text()
    visitor.close()


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_an_expired_certificate_shows_as_expired(live_server: Any, page: Any) -> None:
    build_trust_center()
    page.goto(f"{live_server.url}/trust/acme/certifications/")
    item = page.locator("article", has_text="PCI DSS attestation of compliance")
    text = item.inner_text()
    assert "Expired" in text
    assert "Valid until" not in text and "Valid from" not in text
    save_screenshot(page, "trust-center-expired")
