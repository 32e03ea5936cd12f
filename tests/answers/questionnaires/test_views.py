"""Questionnaire pages: list, upload (good file, refused file, htmx), details, delete, answer again, export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.answers.questionnaires.helpers import csv_bytes, load_demo_bank, questions_csv, questions_xlsx
from tests.answers.questionnaires.pages import base, detail, imported, items, logged_in, text
from tests.factories import member, principal_for
from trustroom.answers.models import ItemStatus, Questionnaire, QuestionnaireItem
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(org_a: Any, owner_a: Any) -> Any:
    with org_scope(org_a):
        return load_demo_bank(principal_for(owner_a, org_a))


def upload(content: bytes, name: str = "acme.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_empty_list_explains_what_to_upload(org_a: Any, owner_a: Any) -> None:
    page = text(logged_in(owner_a).get(base(org_a)))
    assert 'class="empty-state"' in page and "No questionnaires yet." in page
    assert ".csv" in page and ".xlsx" in page and ".json" in page
    assert f'href="{base(org_a)}new/"' in page


def test_upload_a_good_csv_redirects_to_its_review_with_items(org_a: Any, owner_a: Any, bank: Any) -> None:
    client = logged_in(owner_a)
    form = text(client.get(base(org_a) + "new/"))
    assert 'enctype="multipart/form-data"' in form and 'accept=".csv,.xlsx,.json"' in form
    assert "hx-indicator" in form and "aria-busy" in form  # the button shows that it is working

    response = client.post(
        base(org_a) + "new/",
        {"file": upload(questions_csv()), "title": "Acme review", "customer": "Acme Bank", "due_on": ""},
    )
    with org_scope(org_a):
        questionnaire = Questionnaire.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(org_a, questionnaire)
    assert questionnaire.title == "Acme review" and questionnaire.customer == "Acme Bank"
    statuses = [item.status for item in items(org_a, questionnaire)]
    assert statuses == [ItemStatus.GENERATED, ItemStatus.GENERATED, ItemStatus.NEEDS_REVIEW]

    review = text(client.get(response["Location"]))
    assert "Read 3 questions from acme.csv: 2 answered from the bank, 1 to review." in review
    assert "How often are user access rights reviewed?" in review
    assert "access-review" in review and "encryption-at-rest" in review
    assert "0 of 3 answers done" in review and '<progress max="3" value="0"' in review

    listing = text(client.get(base(org_a)))
    assert "Acme review" in listing and "Acme Bank" in listing and "0 of 3 done" in listing
    assert "Generated: 2" in listing and "Needs review: 1" in listing


def test_a_file_without_a_question_column_is_refused_with_its_headers_and_nothing_is_stored(
    org_a: Any, owner_a: Any
) -> None:
    content = csv_bytes([("1", "Sales", "Jane")], header=("Ref", "Owner", "Team"))
    response = logged_in(owner_a).post(base(org_a) + "new/", {"file": upload(content, "people.csv")})
    page = text(response)
    assert response.status_code == 400
    assert "The questionnaire was not uploaded" in page
    # The service's message in full, on the file field: it names the headers it saw.
    for header in ("Ref", "Owner", "Team"):
        assert header in page
    assert 'href="#id_file"' in page
    with org_scope(org_a):
        assert not Questionnaire.objects.exists() and not QuestionnaireItem.objects.exists()
        assert not AuditEvent.objects.filter(action="questionnaire.imported").exists()


def test_an_oversized_file_is_refused_before_it_is_read(
    org_a: Any, owner_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trustroom.answers.questionnaires.forms.MAX_UPLOAD_BYTES", 100)
    response = logged_in(owner_a).post(base(org_a) + "new/", {"file": upload(b"x" * 101)})
    assert response.status_code == 400 and "at most 0 MB is allowed" in text(response)


def test_htmx_upload_redirects_the_page_and_a_refusal_swaps_the_form(
    org_a: Any, owner_a: Any, bank: Any
) -> None:
    client = logged_in(owner_a)
    refused = client.post(
        base(org_a) + "new/",
        {"file": upload(csv_bytes([("1", "x")], header=("Ref", "Owner")), "bad.csv")},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 200  # htmx swaps only 2xx answers
    assert text(refused).lstrip().startswith('<div id="upload-form">') and "Owner" in text(refused)
    accepted = client.post(base(org_a) + "new/", {"file": upload(questions_csv())}, HTTP_HX_REQUEST="true")
    with org_scope(org_a):
        questionnaire = Questionnaire.objects.get()
    assert accepted["HX-Redirect"] == detail(org_a, questionnaire)
    assert questionnaire.title == "acme"  # from the file's name when none is given


def test_list_shows_overdue_and_progress(org_a: Any, owner_a: Any, bank: Any) -> None:
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    questionnaire = imported(org_a, owner_a, questions_csv(), title="Late one", due_on=yesterday)
    first = items(org_a, questionnaire)[0]
    client = logged_in(owner_a)
    client.post(f"{detail(org_a, questionnaire)}items/{first.pk}/accept/")
    listing = text(client.get(base(org_a)))
    assert "Overdue" in listing and "1 of 3 done" in listing and "Approved: 1" in listing


def test_viewer_sees_no_upload_and_cannot_post_one(org_a: Any) -> None:
    viewer = member(org_a, "viewer")
    client = logged_in(viewer)
    assert "Upload a questionnaire" not in text(client.get(base(org_a)))
    assert client.get(base(org_a) + "new/").status_code == 403
    assert client.post(base(org_a) + "new/", {"file": upload(questions_csv())}).status_code == 403
    with org_scope(org_a):
        assert not Questionnaire.objects.exists()


def test_edit_details(org_a: Any, owner_a: Any, bank: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    client = logged_in(owner_a)
    url = f"{detail(org_a, questionnaire)}edit/"
    assert 'value="acme"' in text(client.get(url))
    refused = client.post(url, {"title": "", "customer": "x"})
    assert refused.status_code == 400 and "This field is required." in text(refused)
    response = client.post(url, {"title": "Acme 2026", "customer": "Acme Bank", "due_on": "2026-03-31"})
    assert response.status_code == 302
    with org_scope(org_a):
        questionnaire.refresh_from_db()
    assert questionnaire.title == "Acme 2026" and questionnaire.due_on == dt.date(2026, 3, 31)


def test_delete_asks_then_deletes_and_editors_cannot(org_a: Any, owner_a: Any, bank: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    url = f"{detail(org_a, questionnaire)}delete/"
    editor = logged_in(member(org_a, "editor"))
    assert "Delete" not in text(editor.get(detail(org_a, questionnaire))).split("Questions and answers")[0]
    assert editor.post(url).status_code == 403
    client = logged_in(owner_a)
    assert "Delete questionnaire" in text(client.get(url))
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == base(org_a)
    with org_scope(org_a):
        assert not Questionnaire.objects.exists() and not QuestionnaireItem.objects.exists()
        assert AuditEvent.objects.filter(action="questionnaire.deleted").count() == 1


def test_answer_again_uses_the_grown_bank(org_a: Any, owner_a: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    assert all(item.entry is None for item in items(org_a, questionnaire))
    with org_scope(org_a):
        load_demo_bank(principal_for(owner_a, org_a), keys=["access-review"])
    client = logged_in(owner_a)
    response = client.post(f"{detail(org_a, questionnaire)}reanswer/", {"next": detail(org_a, questionnaire)})
    assert response.status_code == 302
    assert "1 answer changed" in text(client.get(response["Location"]))
    assert items(org_a, questionnaire)[0].entry_key == "access-review"
    assert client.get(f"{detail(org_a, questionnaire)}reanswer/").status_code == 405


def test_export_csv_is_an_attachment_with_a_server_made_name(org_a: Any, owner_a: Any, bank: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv(), filename='../"evil".csv')
    response = logged_in(owner_a).get(f"{detail(org_a, questionnaire)}export/?kind=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="_evil_-answered.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["answer_key"] == "access-review" and rows[2]["status"] == "needs_review"
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="questionnaire.exported").count() == 1


def test_export_xlsx_writes_the_answers_into_the_workbook(org_a: Any, owner_a: Any, bank: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_xlsx(), filename="acme.xlsx")
    client = logged_in(owner_a)
    assert "Download answered XLSX" in text(client.get(detail(org_a, questionnaire)))
    response = client.get(f"{detail(org_a, questionnaire)}export/?kind=original")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="acme-answered.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(response.content))["Security"]
    first = items(org_a, questionnaire)[0]
    assert str(sheet[first.answer_cell].value).startswith(bank["access-review"].short_answer)


def test_export_of_an_unknown_kind_says_so(org_a: Any, owner_a: Any, bank: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    client = logged_in(owner_a)
    response = client.get(f"{detail(org_a, questionnaire)}export/?kind=pdf")
    assert response.status_code == 302
    assert "Not exported: Choose one of: original, csv." in text(client.get(response["Location"]))


def test_another_organizations_questionnaire_is_missing(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, bank: Any
) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    client = logged_in(owner_b)
    for suffix in ("", "edit/", "delete/", "export/?kind=csv"):
        assert client.get(f"{detail(org_b, questionnaire)}{suffix}").status_code == 404
    assert client.post(f"{detail(org_b, questionnaire)}reanswer/").status_code == 404
