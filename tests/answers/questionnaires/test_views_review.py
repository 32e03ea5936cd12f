"""The review page and its per-question actions: plain POST + redirect, htmx row swaps, save back to the
bank, the suggestion, filters, freshness, viewers, and a query count that does not grow per question."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from tests.answers.questionnaires.helpers import csv_bytes, load_demo_bank, questions_csv, questions_xlsx
from tests.answers.questionnaires.pages import detail, imported, item, item_url, items, logged_in, text
from tests.compliance.helpers import make_cert
from tests.factories import member, principal_for
from trustroom.answers import services as bank_services
from trustroom.answers.bank_data import DEMO_BANK
from trustroom.answers.models import AnswerEntry, ItemStatus, QuestionnaireItem
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bank(org_a: Any, owner_a: Any) -> dict[str, AnswerEntry]:
    with org_scope(org_a):
        return load_demo_bank(principal_for(owner_a, org_a))


@pytest.fixture
def questionnaire(org_a: Any, owner_a: Any, bank: Any) -> Any:
    return imported(org_a, owner_a, questions_csv())


def test_review_page_shows_each_question_with_answer_citation_confidence_and_status(
    org_a: Any, owner_a: Any, questionnaire: Any
) -> None:
    first, _, third = items(org_a, questionnaire)
    page = text(logged_in(owner_a).get(detail(org_a, questionnaire)))
    assert f'<tr id="item-{first.pk}">' in page
    assert "How often are user access rights reviewed?" in page and "Row 2" in page
    assert first.answer.split("\n")[0].replace("'", "&#x27;") in page
    assert f"{round(first.confidence * 100)}% match" in page
    assert "Generated" in page and "Needs review" in page and "Fresh" in page
    assert "No answer yet." in page  # the third, abstained
    for action in ("accept", "reject"):
        assert item_url(org_a, first, action) in page
    assert item_url(org_a, third, "accept") not in page  # nothing to accept
    assert item_url(org_a, third, "edit") in page and "Write answer" in page
    assert "Answer again from the bank" in page and "Download answered CSV" in page
    # where the questions were found: the sheet's header row and the question column
    assert "Where the questions were found" in page and "B (Question)" in page


def test_accept_by_plain_post_redirects_back_to_the_row(org_a: Any, owner_a: Any, questionnaire: Any) -> None:
    first = items(org_a, questionnaire)[0]
    client = logged_in(owner_a)
    back = f"{detail(org_a, questionnaire)}?status=generated"
    response = client.post(item_url(org_a, first, "accept"), {"next": back})
    assert response.status_code == 302 and response["Location"] == f"{back}#item-{first.pk}"
    assert item(org_a, first.pk).status == ItemStatus.APPROVED
    assert "Question 1: Answer accepted." in text(client.get(response["Location"]))


def test_a_foreign_next_is_not_followed(org_a: Any, owner_a: Any, questionnaire: Any) -> None:
    first = items(org_a, questionnaire)[0]
    response = logged_in(owner_a).post(item_url(org_a, first, "accept"), {"next": "https://evil.test/x"})
    assert response["Location"] == f"{detail(org_a, questionnaire)}#item-{first.pk}"


def test_accept_by_htmx_replaces_only_the_row_and_updates_the_progress(
    org_a: Any, owner_a: Any, questionnaire: Any
) -> None:
    first = items(org_a, questionnaire)[0]
    response = logged_in(owner_a).post(item_url(org_a, first, "accept"), **HTMX)
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="item-{first.pk}">') and "<html" not in body
    assert "Approved" in body and "Answer accepted." in body and 'role="status"' in body
    assert 'id="questionnaire-progress"' in body and 'hx-swap-oob="true"' in body
    assert "1 of 3 answers done" in body
    assert item_url(org_a, first, "accept") not in body  # approved: nothing left to accept


def test_accept_without_an_answer_is_refused_in_the_row(org_a: Any, owner_a: Any, questionnaire: Any) -> None:
    third = items(org_a, questionnaire)[2]
    client = logged_in(owner_a)
    response = client.post(item_url(org_a, third, "accept"), **HTMX)
    assert response.status_code == 200 and 'role="alert"' in text(response)
    assert "There is no answer to accept" in text(response)
    plain = client.post(item_url(org_a, third, "accept"))
    assert plain.status_code == 302
    assert "Not done: There is no answer to accept" in text(client.get(plain["Location"]))
    assert item(org_a, third.pk).status == ItemStatus.NEEDS_REVIEW


def test_reject_clears_the_answer_and_remembers_the_entry(
    org_a: Any, owner_a: Any, questionnaire: Any
) -> None:
    first = items(org_a, questionnaire)[0]
    body = text(logged_in(owner_a).post(item_url(org_a, first, "reject"), **HTMX))
    assert "will not be proposed again" in body and "No answer yet." in body
    rejected = item(org_a, first.pk)
    assert rejected.answer == "" and rejected.rejected_keys == ["access-review"]


def test_edit_page_without_javascript_saves_a_new_bank_entry(
    org_a: Any, owner_a: Any, questionnaire: Any
) -> None:
    third = items(org_a, questionnaire)[2]
    client = logged_in(owner_a)
    url = item_url(org_a, third, "edit")
    form = text(client.get(url))
    assert "<html" in form and "Save back to the answer bank" in form
    assert "Update the cited bank answer" not in form  # nothing cited to update
    response = client.post(
        url,
        {
            "answer": "Sixteen weeks, paid.",
            "save_to_bank": "new",
            "new_key": "parental-leave",
            "public": "on",
            "next": detail(org_a, questionnaire),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{third.pk}")
    edited = item(org_a, third.pk)
    assert edited.status == ItemStatus.MANUAL and edited.entry_key == "parental-leave"
    with org_scope(org_a):
        entry = AnswerEntry.objects.get(key="parental-leave")
    assert entry.visibility == "public" and entry.question == third.question
    assert "saved to the bank as “parental-leave”" in text(client.get(response["Location"]))


def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(
    org_a: Any, owner_a: Any, questionnaire: Any, bank: Any
) -> None:
    third = items(org_a, questionnaire)[2]
    client = logged_in(owner_a)
    taken = next(iter(bank))  # a key the bank already has
    data = {"answer": "Sixteen weeks, paid.", "save_to_bank": "new", "new_key": taken}
    response = client.post(item_url(org_a, third, "edit"), data)
    page = text(response)
    assert response.status_code == 400 and "The answer was not saved" in page
    assert "Sixteen weeks, paid." in page and f'href="#id_item{third.pk}_new_key"' in page
    missing_key = client.post(item_url(org_a, third, "edit"), {**data, "new_key": ""})
    assert missing_key.status_code == 400 and "Give the new entry a key" in text(missing_key)
    unchanged = item(org_a, third.pk)
    assert unchanged.answer == "" and unchanged.status == ItemStatus.NEEDS_REVIEW
    with org_scope(org_a):
        assert AnswerEntry.objects.count() == len(DEMO_BANK)


def test_edit_by_htmx_opens_the_row_as_a_form_and_saves_back_to_the_cited_entry(
    org_a: Any, owner_a: Any, questionnaire: Any
) -> None:
    first = items(org_a, questionnaire)[0]
    client = logged_in(owner_a)
    opened = text(client.get(item_url(org_a, first, "edit"), **HTMX))
    assert opened.lstrip().startswith(f'<tr id="item-{first.pk}" class="editing">') and "<html" not in opened
    assert "Update the cited bank answer" in opened and f'hx-get="{item_url(org_a, first)}?next=' in opened
    cancelled = text(client.get(item_url(org_a, first), **HTMX))
    assert cancelled.lstrip().startswith(f'<tr id="item-{first.pk}">')

    refused = client.post(item_url(org_a, first, "edit"), {"answer": "  "}, **HTMX)
    assert refused.status_code == 200 and 'class="editing"' in text(refused)
    saved = client.post(
        item_url(org_a, first, "edit"),
        {"answer": "Quarterly, by system owners.\n\nTracked to completion.", "save_to_bank": "update"},
        **HTMX,
    )
    body = text(saved)
    assert "the bank answer “access-review” updated" in body and "Manual" in body
    with org_scope(org_a):
        entry = AnswerEntry.objects.get(key="access-review")
    assert entry.short_answer == "Quarterly, by system owners."
    assert "How often are user access rights reviewed?" in entry.variants


def test_use_the_suggested_answer(org_a: Any, owner_a: Any, questionnaire: Any, bank: Any) -> None:
    third = items(org_a, questionnaire)[2]
    with org_scope(org_a):  # the matcher abstained, offering its best candidate
        QuestionnaireItem.objects.filter(pk=third.pk).update(suggestion=bank["gdpr"])
    client = logged_in(owner_a)
    page = text(client.get(detail(org_a, questionnaire)))
    assert "Suggested from the bank" in page and "Use suggested answer" in page
    response = client.post(item_url(org_a, third, "use-entry"), {"entry": bank["gdpr"].pk}, **HTMX)
    assert "Answered with “gdpr” from the bank and approved." in text(response)
    chosen = item(org_a, third.pk)
    assert chosen.entry_key == "gdpr" and chosen.status == ItemStatus.APPROVED


def test_use_entry_refuses_another_organizations_entry(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, questionnaire: Any
) -> None:
    third = items(org_a, questionnaire)[2]
    with org_scope(org_b):
        foreign = load_demo_bank(principal_for(owner_b, org_b), keys=["gdpr"])["gdpr"]
    response = logged_in(owner_a).post(item_url(org_a, third, "use-entry"), {"entry": foreign.pk}, **HTMX)
    assert "Choose an answer of the organization" in text(response)
    assert item(org_a, third.pk).entry is None


def test_a_stale_citation_shows_why(org_a: Any, owner_a: Any, bank: Any) -> None:
    actor = principal_for(owner_a, org_a)
    today = dt.datetime.now(dt.UTC).date()
    with org_scope(org_a):
        cert = make_cert(
            actor,
            title="ISO 27001 certificate",
            valid_from=today - dt.timedelta(days=800),
            valid_until=today - dt.timedelta(days=5),
        )
        bank_services.add_evidence(actor=actor, entry=bank["access-review"], certification=cert)
    questionnaire = imported(org_a, owner_a, questions_csv())
    page = text(logged_in(owner_a).get(detail(org_a, questionnaire)))
    assert "Stale" in page and "Certification “ISO 27001 certificate” is expired." in page


def test_filters_by_status_and_sheet(org_a: Any, owner_a: Any, bank: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_xlsx(), filename="acme.xlsx")
    client = logged_in(owner_a)
    page = text(client.get(detail(org_a, questionnaire), {"status": "needs_review"}))
    assert "parental leave" in page and "user access rights" not in page
    assert "1 question matches" in page
    sheet = text(client.get(detail(org_a, questionnaire), {"sheet": "Security"}))
    assert "3 questions match" in sheet and "Security, row 4" in sheet
    refused = client.get(detail(org_a, questionnaire), {"status": "bogus"})
    assert refused.status_code == 400 and "These filters could not be applied" in text(refused)


def test_a_viewer_sees_no_actions_and_their_posts_are_refused(
    org_a: Any, questionnaire: Any, bank: Any
) -> None:
    first, _, third = items(org_a, questionnaire)
    client = logged_in(member(org_a, "viewer"))
    page = text(client.get(detail(org_a, questionnaire)))
    assert "How often are user access rights reviewed?" in page
    for word in (
        ">Accept<",
        ">Reject<",
        ">Edit<",
        "Write answer",
        "Answer again",
        "Edit details",
        ">Delete<",
    ):
        assert word not in page
    assert "Download answered CSV" in page  # reading the answers is theirs too
    assert client.post(item_url(org_a, first, "accept")).status_code == 403
    assert client.post(item_url(org_a, first, "reject"), **HTMX).status_code == 403
    assert client.get(item_url(org_a, first, "edit")).status_code == 403
    assert client.post(item_url(org_a, first, "edit"), {"answer": "No."}).status_code == 403
    assert client.post(item_url(org_a, third, "use-entry"), {"entry": bank["gdpr"].pk}).status_code == 403
    assert client.post(f"{detail(org_a, questionnaire)}reanswer/").status_code == 403
    assert item(org_a, first.pk).status == ItemStatus.GENERATED
    with org_scope(org_a):
        assert not AuditEvent.objects.filter(action__startswith="questionnaire_item.").exists()


def test_an_item_of_another_questionnaire_or_organization_is_missing(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, questionnaire: Any
) -> None:
    first = items(org_a, questionnaire)[0]
    other = imported(org_a, owner_a, questions_csv())
    client = logged_in(owner_a)
    wrong_parent = f"{detail(org_a, other)}items/{first.pk}/accept/"
    assert client.post(wrong_parent).status_code == 404
    foreign = logged_in(owner_b)
    under_b = f"/o/{org_b.slug}/answers/questionnaires/{questionnaire.pk}/items/{first.pk}/accept/"
    assert foreign.post(under_b).status_code == 404
    assert item(org_a, first.pk).status == ItemStatus.GENERATED


def _review_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_review_page_queries_do_not_grow_with_the_questions_and_a_long_one_is_paged(
    org_a: Any, owner_a: Any, bank: Any
) -> None:
    questions = [entry.question for entry in DEMO_BANK]
    small = imported(org_a, owner_a, csv_bytes([(f"Q{n}", q, "") for n, q in enumerate(questions[:3])]))
    rows = [(f"Q{n}", questions[n % len(questions)] + f" ({n})", "") for n in range(120)]
    large = imported(org_a, owner_a, csv_bytes(rows))
    client = logged_in(owner_a)
    assert _review_queries(client, detail(org_a, small)) == _review_queries(client, detail(org_a, large))
    page = text(client.get(detail(org_a, large)))
    assert page.count('<tr id="item-') == 50 and "Page 1 of 3" in page
    last = text(client.get(detail(org_a, large), {"page": 3}))
    assert last.count('<tr id="item-') == 20 and "(119)" in last


def test_summary_shows_where_questions_were_found_per_sheet_and_the_skipped_sheets(
    org_a: Any, owner_a: Any, bank: Any
) -> None:
    workbook = Workbook()
    security = workbook.active
    assert security is not None
    security.title = "Security"
    security.append(["ID", "Question", "Response"])
    security.append(["1", "Do you encrypt customer data at rest?", None])
    privacy = workbook.create_sheet("Privacy")
    privacy.append(["Ref", "Question"])
    privacy.append(["P1", "Do you have a data protection officer?"])
    cover = workbook.create_sheet("Cover")
    cover.append(["Vendor name", "Acme"])
    out = io.BytesIO()
    workbook.save(out)
    questionnaire = imported(org_a, owner_a, out.getvalue(), filename="multi.xlsx")
    client = logged_in(owner_a)
    page = text(client.get(detail(org_a, questionnaire)))
    summary = page.split("Where the questions were found")[1].split("Questions and answers")[0]
    assert "Security" in summary and "B (Question)" in summary and "C (Response)" in summary
    assert "Privacy" in summary and "none: added on export" in summary
    assert "Sheets without questions" in summary and "Cover" in summary and "no question column" in summary
    only_privacy = text(client.get(detail(org_a, questionnaire), {"sheet": "Privacy"}))
    assert "data protection officer" in only_privacy and "encrypt customer data" not in only_privacy
    assert client.get(detail(org_a, questionnaire), {"sheet": "Cover"}).status_code == 400
