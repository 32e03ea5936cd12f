"""In real Chromium: an owner uploads an XLSX questionnaire, accepts one proposed answer, edits another and
saves it back to the bank (each action swaps only its row), then downloads the answered workbook and
finds the answers in its cells."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.answers.questionnaires.helpers import load_demo_bank, questions_xlsx
from tests.e2e.conftest import save_screenshot
from tests.factories import TEST_PASSWORD, UserFactory
from trustroom.answers.models import AnswerEntry, ItemStatus, QuestionnaireItem
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization

pytestmark = pytest.mark.e2e
EDITED = "Yes: AES-256 for every store, keys rotated yearly.\n\nBackups are encrypted the same way."


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("sec@acme.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/o/acme/")


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_upload_review_save_back_and_download_the_answered_workbook(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    owner = UserFactory(email="sec@acme.test", full_name="Sam Security")
    org = create_organization(actor=owner, slug="acme", name="Acme Analytics")
    with org_scope(org):
        load_demo_bank(Principal(organization=org, role="owner", user=owner))
    source = tmp_path / "acme-vendor-review.xlsx"
    source.write_bytes(questions_xlsx())
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    sign_in(page, base)

    page.get_by_role("link", name="Questionnaires").click()
    page.get_by_text("No questionnaires yet.").wait_for()
    page.get_by_role("link", name="Upload a questionnaire").click()
    page.get_by_label("Questionnaire file").set_input_files(str(source))
    page.get_by_label("Customer").fill("Acme Bank")
    page.get_by_role("button", name="Upload and answer").click()
    page.get_by_role("heading", name="acme-vendor-review", level=1).wait_for()
    page.get_by_text("Read 3 questions from acme-vendor-review.xlsx").wait_for()
    assert "0 of 3 answers done" in page.locator("#questionnaire-progress").inner_text()

    with org_scope(org):
        first, second, third = QuestionnaireItem.objects.order_by("position")
    assert (first.entry_key, second.entry_key, third.entry_key) == ("access-review", "encryption-at-rest", "")
    url_before = page.url

    row = page.locator(f"#item-{first.pk}")
    row.get_by_role("button", name="Accept the answer to question 1").click()
    row.get_by_text("Answer accepted.").wait_for()
    assert "Approved" in row.inner_text()
    page.locator("#questionnaire-progress").get_by_text("1 of 3 answers done").wait_for()
    assert page.url == url_before  # the row was swapped in place, the page not reloaded

    row = page.locator(f"#item-{second.pk}")
    row.get_by_role("link", name="Edit the answer to question 2").click()
    row.locator("textarea").fill(EDITED)
    row.get_by_label("Update the cited bank answer").check()
    save_screenshot(page, "questionnaire-edit")
    row.get_by_role("button", name="Save answer").click()
    row.get_by_text("the bank answer “encryption-at-rest” updated").wait_for()
    assert "Manual" in row.inner_text()
    page.locator("#questionnaire-progress").get_by_text("2 of 3 answers done").wait_for()
    save_screenshot(page, "questionnaire-review")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download answered XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "acme-vendor-review-answered.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))["Security"]
    with org_scope(org):
        bank_entry = AnswerEntry.objects.get(key="encryption-at-rest")
        accepted = QuestionnaireItem.objects.get(pk=first.pk)
        access_review = AnswerEntry.objects.get(key="access-review")
    assert sheet[first.answer_cell].value == accepted.answer
    assert accepted.answer.startswith(access_review.short_answer)
    assert sheet[second.answer_cell].value == EDITED
    assert sheet[third.answer_cell].value in (None, "")
    assert accepted.status == ItemStatus.APPROVED
    assert bank_entry.short_answer == "Yes: AES-256 for every store, keys rotated yearly."
    assert bank_entry.detailed_answer == "Backups are encrypted the same way."
    context.close()
