"""The answer bank's API: CRUD with freshness, filters, evidence, duplicates, bad input, roles, schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from tests.answers.bank_helpers import backed_entry, cert, logged_in, today
from tests.answers.helpers import make_entry
from tests.factories import member, principal_for
from trustroom.answers.models import AnswerEntry, AnswerEvidence
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


@pytest.fixture
def api(org_a: Any) -> str:
    return f"/api/v1/orgs/{org_a.slug}/answer-entries/"


def test_create_read_change_delete(org_a: Any, owner_a: Any, actor: Any, api: str) -> None:
    client = logged_in(owner_a)
    created = client.post(
        api,
        {
            "key": "encryption-at-rest",
            "question": "Is stored data encrypted?",
            "variants": ["Are backups encrypted?", " "],
            "short_answer": "Yes, AES-256.",
            "tags": ["Encryption"],
            "visibility": "public",
            "owner": owner_a.pk,
            "next_review_on": "2031-05-01",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["variants"] == ["Are backups encrypted?"] and data["tags"] == ["encryption"]
    assert data["owner"] == "owner@alpha.test" and data["next_review_on"] == "2031-05-01"
    assert data["freshness"] == {"state": "fresh", "reasons": []} and data["evidence"] == []
    url = f"{api}{data['id']}/"
    changed = client.patch(url, {"next_review_on": "2020-01-01"}, content_type=JSON)
    assert changed.status_code == 200
    assert changed.json()["freshness"] == {
        "state": "review_due",
        "reasons": ["The review was due on 2020-01-01."],
    }
    assert changed.json()["question"] == "Is stored data encrypted?"  # kept
    readonly = client.patch(url, {"freshness": {"state": "fresh"}}, content_type=JSON)
    assert readonly.status_code == 400 and "freshness" in readonly.json()
    assert client.get(url).json()["id"] == data["id"]
    assert client.delete(url).status_code == 204
    with org_scope(org_a):
        assert not AnswerEntry.objects.exists()


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    org_a: Any, owner_a: Any, actor: Any, api: str
) -> None:
    client = logged_in(owner_a)
    with org_scope(org_a):
        make_entry(actor, key="taken")
        before = (AnswerEntry.objects.count(), AuditEvent.objects.count())
    cases = [
        ({"key": "not a key", "question": "Q?", "short_answer": "A"}, "key", "Use only letters"),
        ({"key": "taken", "question": "Q?", "short_answer": "A"}, "key", "already has an answer"),
        ({"key": "k", "question": "Q?", "short_answer": "A" * 301}, "short_answer", "at most 300"),
        ({"key": "k", "question": "Q?", "short_answer": "A", "tags": "x"}, "tags", "list"),
        ({"key": "k", "question": "Q?", "short_answer": "A", "colour": "red"}, "colour", "cannot be set"),
        (
            {"key": "k", "question": "Q?", "short_answer": "A", "owner": 999999},
            "owner",
            "object does not exist",
        ),
        ({"question": "Q?", "short_answer": "A"}, "key", "required"),
    ]
    for payload, field, text in cases:
        response = client.post(api, payload, content_type=JSON)
        assert response.status_code == 400, (payload, response.content)
        body = response.json()
        assert field in body and text in " ".join(body[field]), (field, body)
    with org_scope(org_a):
        assert (AnswerEntry.objects.count(), AuditEvent.objects.count()) == before


def test_list_filters_and_freshness(org_a: Any, owner_a: Any, actor: Any, api: str) -> None:
    with org_scope(org_a):
        backed_entry(
            actor, cert(actor, title="ISO valid"), key="fresh-one", visibility="public", tags=["iso"]
        )
        backed_entry(actor, cert(actor, title="ISO old", days_left=-2), key="stale-one", question="Old?")
        make_entry(actor, key="due-one", question="Due?", next_review_on=today() - dt.timedelta(days=1))
    client = logged_in(owner_a)

    def keys(query: str = "") -> list[str]:
        response = client.get(api + query)
        assert response.status_code == 200, response.content
        return [item["key"] for item in response.json()["results"]]

    assert keys() == ["due-one", "fresh-one", "stale-one"]
    assert keys("?freshness=stale") == ["stale-one"]
    assert keys("?freshness=review_due") == ["due-one"]
    assert keys("?visibility=public") == ["fresh-one"]
    assert keys("?tag=iso") == ["fresh-one"]
    assert keys("?q=old") == ["stale-one"]
    assert keys("?limit=1&offset=1") == ["fresh-one"]
    stale = client.get(api + "?freshness=stale").json()["results"][0]
    assert stale["freshness"]["state"] == "stale"
    assert stale["freshness"]["reasons"] == ["Certification “ISO old” is expired."]
    assert stale["evidence"][0]["kind"] == "certification"
    assert stale["evidence"][0]["stale_reasons"] == ["Certification “ISO old” is expired."]
    bad = client.get(api + "?freshness=rotten")
    assert bad.status_code == 400 and "freshness" in bad.json()


def test_evidence_add_list_and_remove(org_a: Any, owner_a: Any, actor: Any, api: str) -> None:
    with org_scope(org_a):
        entry = make_entry(actor)
        iso = cert(actor)
    client = logged_in(owner_a)
    url = f"{api}{entry.pk}/evidence/"
    added = client.post(url, {"kind": "certification", "record": iso.pk}, content_type=JSON)
    assert added.status_code == 201, added.content
    evidence = added.json()
    assert evidence["record_id"] == iso.pk and evidence["record"] == "ISO 27001 certificate"
    again = client.post(url, {"kind": "certification", "record": iso.pk}, content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == evidence["id"]
    assert [e["id"] for e in client.get(url).json()] == [evidence["id"]]
    assert client.get(f"{api}{entry.pk}/").json()["evidence"][0]["id"] == evidence["id"]
    bad_kind = client.post(url, {"kind": "vendor", "record": iso.pk}, content_type=JSON)
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    missing = client.post(url, {"kind": "statement", "record": iso.pk}, content_type=JSON)
    assert missing.status_code == 400 and "record" in missing.json()
    assert client.delete(f"{url}{evidence['id']}/").status_code == 204
    assert client.delete(f"{url}{evidence['id']}/").status_code == 404
    with org_scope(org_a):
        assert not AnswerEvidence.objects.exists()


def test_evidence_of_another_organizations_record_is_refused(
    org_a: Any, org_b: Any, owner_a: Any, owner_b: Any, actor: Any, api: str
) -> None:
    with org_scope(org_b):
        foreign = cert(principal_for(owner_b, org_b), title="Bravo ISO")
    with org_scope(org_a):
        entry = make_entry(actor)
    response = logged_in(owner_a).post(
        f"{api}{entry.pk}/evidence/", {"kind": "certification", "record": foreign.pk}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json() == {"record": ["No certification with this id in the organization."]}
    with org_scope(org_a):
        assert not AnswerEvidence.objects.exists()


def test_roles(org_a: Any, actor: Any, api: str) -> None:
    with org_scope(org_a):
        entry = backed_entry(actor, cert(actor))
        evidence = AnswerEvidence.objects.get()
    viewer = logged_in(member(org_a, "viewer"))
    assert viewer.get(api).status_code == 200
    payload = {"key": "k", "question": "Q?", "short_answer": "A"}
    assert viewer.post(api, payload, content_type=JSON).status_code == 403
    assert viewer.patch(f"{api}{entry.pk}/", {"tags": []}, content_type=JSON).status_code == 403
    assert viewer.post(f"{api}{entry.pk}/evidence/", {}, content_type=JSON).status_code == 403
    editor = logged_in(member(org_a, "editor"))
    assert editor.patch(f"{api}{entry.pk}/", {"tags": ["x"]}, content_type=JSON).status_code == 200
    assert editor.delete(f"{api}{entry.pk}/").status_code == 403
    assert editor.delete(f"{api}{entry.pk}/evidence/{evidence.pk}/").status_code == 403
    with org_scope(org_a):
        assert AnswerEvidence.objects.filter(pk=evidence.pk).exists()


def test_duplicates(org_a: Any, owner_a: Any, actor: Any, api: str) -> None:
    with org_scope(org_a):
        make_entry(actor, key="mfa-yes", question="Is MFA enforced?", short_answer="Yes.", tags=["mfa"])
        make_entry(actor, key="mfa-no", question="Is MFA enforced", short_answer="No.", tags=["mfa"])
    data = logged_in(owner_a).get(api + "duplicates/").json()
    assert data["duplicates"] == []
    (pair,) = data["conflicts"]
    assert {pair["first"]["key"], pair["second"]["key"]} == {"mfa-yes", "mfa-no"}
    assert pair["shared_tags"] == ["mfa"]


def test_openapi_schema_builds_without_warnings(tmp_path: Any) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/v1/orgs/{org_slug}/answer-entries/{id}/evidence/{evidence_pk}/:" in schema
    assert "AnswerFreshnessEnum" in schema and "VisibilityEnum:" in schema
