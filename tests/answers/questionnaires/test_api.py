"""The questionnaire API: upload, details, items and review actions, answer again, export, the stateless
answer endpoint, refusals (400 with the field, 403 by role or token scope, 404 for another organization)
and the OpenAPI schema."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook

from tests.answers.questionnaires.helpers import csv_bytes, load_demo_bank, questions_csv, questions_xlsx
from tests.answers.questionnaires.pages import imported, items, logged_in
from tests.assessments.api_support import post, send, token_client
from tests.factories import member, principal_for
from trustroom.answers.models import AnswerEntry, ItemStatus, Questionnaire, QuestionnaireItem
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(org_a: Any, owner_a: Any) -> dict[str, AnswerEntry]:
    with org_scope(org_a):
        return load_demo_bank(principal_for(owner_a, org_a))


@pytest.fixture
def api(owner_a: Any) -> Client:
    return logged_in(owner_a)


def url(org: Any, path: str = "") -> str:
    return f"/api/v1/orgs/{org.slug}/questionnaires/{path}"


def item_path(it: QuestionnaireItem, action: str = "") -> str:
    path = f"{it.questionnaire_id}/items/{it.pk}/"
    return f"{path}{action}/" if action else path


def test_upload_answers_the_questions_and_reports_counts(org_a: Any, api: Client, bank: Any) -> None:
    response = api.post(
        url(org_a),
        {
            "file": SimpleUploadedFile("acme.csv", questions_csv()),
            "title": "Acme review",
            "customer": "Acme Bank",
            "due_on": "2030-01-31",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Acme review" and data["format"] == "csv" and data["due_on"] == "2030-01-31"
    assert data["counts"] == {
        "total": 3,
        "done": 0,
        "percent_done": 0,
        "generated": 2,
        "needs_review": 1,
        "approved": 0,
        "manual": 0,
    }
    assert data["overdue"] is False and data["layouts"][0]["question_count"] == 3
    listed = api.get(url(org_a)).json()["results"]
    assert [q["id"] for q in listed] == [data["id"]] and listed[0]["counts"]["generated"] == 2
    assert api.get(url(org_a, f"{data['id']}/")).json()["counts"]["total"] == 3


def test_an_unreadable_upload_is_a_400_on_file_and_stores_nothing(org_a: Any, api: Client) -> None:
    content = csv_bytes([("1", "Sales", "Jane")], header=("Ref", "Owner", "Team"))
    response = api.post(url(org_a), {"file": SimpleUploadedFile("people.csv", content)})
    assert response.status_code == 400
    message = " ".join(response.json()["file"])
    assert "Owner" in message and "Team" in message
    missing = api.post(url(org_a), {"title": "No file"})
    assert missing.status_code == 400 and "file" in missing.json()
    unknown = api.post(url(org_a), {"file": SimpleUploadedFile("a.csv", questions_csv()), "format": "x"})
    assert unknown.status_code == 400 and "format" in unknown.json()
    with org_scope(org_a):
        assert not Questionnaire.objects.exists()


def test_partial_update_and_delete(org_a: Any, owner_a: Any, api: Client, bank: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    changed = send(api, "PATCH", url(org_a, f"{questionnaire.pk}/"), {"customer": "Acme Bank"})
    assert changed.status_code == 200 and changed.json()["customer"] == "Acme Bank"
    assert changed.json()["title"] == "acme"  # unchanged
    refused = send(api, "PATCH", url(org_a, f"{questionnaire.pk}/"), {"title": ""})
    assert refused.status_code == 400 and "title" in refused.json()
    read_only = send(api, "PATCH", url(org_a, f"{questionnaire.pk}/"), {"filename": "x.csv"})
    assert read_only.status_code == 400 and "filename" in read_only.json()
    assert send(api, "PUT", url(org_a, f"{questionnaire.pk}/"), {"title": "x"}).status_code == 405
    editor = logged_in(member(org_a, "editor"))
    assert editor.delete(url(org_a, f"{questionnaire.pk}/")).status_code == 403
    assert api.delete(url(org_a, f"{questionnaire.pk}/")).status_code == 204
    with org_scope(org_a):
        assert not Questionnaire.objects.exists() and not QuestionnaireItem.objects.exists()


def test_items_list_filters_and_carries_citation_and_freshness(
    org_a: Any, owner_a: Any, api: Client, bank: Any
) -> None:
    questionnaire = imported(org_a, owner_a, questions_xlsx(), filename="acme.xlsx")
    listed = api.get(url(org_a, f"{questionnaire.pk}/items/")).json()["results"]
    assert [i["position"] for i in listed] == [0, 1, 2]
    first = listed[0]
    assert first["entry_key"] == "access-review" and first["entry"] == bank["access-review"].pk
    assert first["status"] == "generated" and first["sheet"] == "Security" and first["row"] == 4
    assert first["freshness"] == {"state": "fresh", "reasons": []}
    assert listed[2]["entry"] is None and listed[2]["freshness"] is None and listed[2]["answer"] == ""
    review = api.get(url(org_a, f"{questionnaire.pk}/items/"), {"status": "needs_review"}).json()
    assert [i["position"] for i in review["results"]] == [2]
    assert api.get(url(org_a, f"{questionnaire.pk}/items/"), {"sheet": "Other"}).json()["count"] == 0
    bad = api.get(url(org_a, f"{questionnaire.pk}/items/"), {"status": "bogus"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_item_actions_accept_reject_edit_and_use_entry(
    org_a: Any, owner_a: Any, api: Client, bank: Any
) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    first, second, third = items(org_a, questionnaire)

    accepted = post(api, url(org_a, item_path(first, "accept")))
    assert accepted.status_code == 200 and accepted.json()["status"] == "approved"
    assert accepted.json()["reviewed_by"] == "owner@alpha.test"
    nothing = post(api, url(org_a, item_path(third, "accept")))
    assert nothing.status_code == 400 and "answer" in nothing.json()

    rejected = post(api, url(org_a, item_path(second, "reject"))).json()
    assert rejected["answer"] == "" and rejected["rejected_keys"] == ["encryption-at-rest"]

    edited = post(
        api,
        url(org_a, item_path(third, "edit")),
        {"answer": "Sixteen weeks.", "save_to_bank": "new", "new_key": "parental-leave", "public": True},
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["status"] == "manual" and edited.json()["entry_key"] == "parental-leave"
    with org_scope(org_a):
        assert AnswerEntry.objects.get(key="parental-leave").visibility == "public"
    taken = post(api, url(org_a, item_path(second, "edit")), {"answer": "Yes.", "save_to_bank": "new"})
    assert taken.status_code == 400 and "key" in taken.json()
    no_cite = post(api, url(org_a, item_path(second, "edit")), {"answer": "Yes.", "save_to_bank": "update"})
    assert no_cite.status_code == 400 and "save_to_bank" in no_cite.json()
    typo = post(api, url(org_a, item_path(second, "edit")), {"answer": "Yes.", "save_to_bnak": "update"})
    assert typo.status_code == 400 and "save_to_bnak" in typo.json()

    chosen = post(api, url(org_a, item_path(second, "use-entry")), {"entry": bank["encryption-at-rest"].pk})
    assert chosen.status_code == 200 and chosen.json()["entry_key"] == "encryption-at-rest"
    assert chosen.json()["status"] == "approved"
    missing = post(api, url(org_a, item_path(second, "use-entry")), {"entry": 2_147_483_000})
    assert missing.status_code == 400 and "entry" in missing.json()


def test_reanswer_and_exports(org_a: Any, owner_a: Any, api: Client) -> None:
    questionnaire = imported(org_a, owner_a, questions_xlsx(), filename="acme.xlsx")
    with org_scope(org_a):
        bank = load_demo_bank(principal_for(owner_a, org_a))
    again = post(api, url(org_a, f"{questionnaire.pk}/reanswer/"))
    assert again.status_code == 200 and int(again["X-Items-Changed"]) >= 2
    assert again.json()["counts"]["generated"] == 2

    original = api.get(url(org_a, f"{questionnaire.pk}/export/"), {"kind": "original"})
    assert original.status_code == 200
    assert original["Content-Disposition"] == 'attachment; filename="acme-answered.xlsx"'
    assert original["X-Content-Type-Options"] == "nosniff"
    sheet = load_workbook(io.BytesIO(original.content))["Security"]
    first = items(org_a, questionnaire)[0]
    assert str(sheet[first.answer_cell].value).startswith(bank["access-review"].short_answer)

    as_csv = api.get(url(org_a, f"{questionnaire.pk}/export/"), {"kind": "csv"})
    assert as_csv["Content-Type"].startswith("text/csv") and as_csv["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert rows[0]["answer_key"] == "access-review"
    bad = api.get(url(org_a, f"{questionnaire.pk}/export/"), {"kind": "pdf"})
    assert bad.status_code == 400 and "kind" in bad.json()
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="questionnaire.exported").count() == 2


def test_answer_endpoint_answers_questions_and_stores_nothing(org_a: Any, owner_a: Any, bank: Any) -> None:
    client = token_client(org_a, owner_a, "read")  # writes nothing: a read token may ask
    with org_scope(org_a):
        events = AuditEvent.objects.count()
    response = post(
        client,
        url(org_a, "answer/"),
        {"questions": ["How often are user access rights reviewed?", "What is your parental leave policy?"]},
    )
    assert response.status_code == 200, response.content
    first, second = response.json()["results"]
    assert first["answer_key"] == "access-review" and first["status"] == "generated"
    assert first["answer"].startswith(bank["access-review"].short_answer) and 0 < first["confidence"] <= 1
    assert second["answer"] == "" and second["answer_key"] == "" and second["status"] == "needs_review"
    assert second["reasons"] and "suggestion" in second
    with org_scope(org_a):
        assert not Questionnaire.objects.exists() and AuditEvent.objects.count() == events
    for body in ({}, {"questions": []}, {"questions": ["x" * 2001]}, {"questions": "one"}):
        refused = post(client, url(org_a, "answer/"), body)
        assert refused.status_code == 400 and "questions" in refused.json(), body
    too_many = post(client, url(org_a, "answer/"), {"questions": ["q"] * 1001})
    assert too_many.status_code == 400


def test_roles_and_token_scopes(org_a: Any, owner_a: Any, bank: Any) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    first = items(org_a, questionnaire)[0]
    viewer = logged_in(member(org_a, "viewer"))
    read_token = token_client(org_a, owner_a, "read")
    for client in (viewer, read_token):
        assert client.get(url(org_a, f"{questionnaire.pk}/items/")).status_code == 200
        assert post(client, url(org_a, item_path(first, "accept"))).status_code == 403
        assert post(client, url(org_a, f"{questionnaire.pk}/reanswer/")).status_code == 403
        upload = {"file": SimpleUploadedFile("acme.csv", questions_csv())}
        assert client.post(url(org_a), upload).status_code == 403
        assert send(client, "PATCH", url(org_a, f"{questionnaire.pk}/"), {"title": "x"}).status_code == 403
    write_token = token_client(org_a, owner_a, "write")
    assert post(write_token, url(org_a, item_path(first, "accept"))).status_code == 200
    assert write_token.delete(url(org_a, f"{questionnaire.pk}/")).status_code == 403  # never a manager


def test_another_organizations_ids_are_404(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, bank: Any
) -> None:
    questionnaire = imported(org_a, owner_a, questions_csv())
    first = items(org_a, questionnaire)[0]
    client = logged_in(owner_b)
    assert client.get(url(org_b, f"{questionnaire.pk}/")).status_code == 404
    assert client.get(url(org_b, f"{questionnaire.pk}/items/")).status_code == 404
    assert client.get(url(org_b, item_path(first))).status_code == 404
    assert post(client, url(org_b, item_path(first, "accept"))).status_code == 404
    assert client.get(url(org_b, f"{questionnaire.pk}/export/")).status_code == 404
    assert client.get(url(org_a)).status_code == 404  # not a member of A
    other = imported(org_a, owner_a, questions_csv())
    wrong_parent = url(org_a, f"{other.pk}/items/{first.pk}/accept/")
    assert post(logged_in(owner_a), wrong_parent).status_code == 404
    with org_scope(org_a):
        assert QuestionnaireItem.objects.get(pk=first.pk).status == ItemStatus.GENERATED


def test_schema_documents_the_questionnaire_api_without_warnings() -> None:
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert not problems, problems
    paths = schema["paths"]
    base = "/api/v1/orgs/{org_slug}/questionnaires/"
    assert "multipart/form-data" in paths[base]["post"]["requestBody"]["content"]
    assert f"{base}answer/" in paths and f"{base}{{id}}/export/" in paths
    items_path = paths[f"{base}{{questionnaire_pk}}/items/"]["get"]
    names = {p["name"]: p for p in items_path["parameters"]}
    assert names["questionnaire_pk"]["schema"]["type"] == "integer" and "status" in names
    export = paths[f"{base}{{id}}/export/"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/json"} <= set(export)
    json.dumps(schema, default=str)  # serializable
