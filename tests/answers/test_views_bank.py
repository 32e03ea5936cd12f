"""The answer bank's pages: list (filters, freshness, counts, constant queries), entry, create, edit,
delete, evidence, duplicates; bad input writes nothing; viewers and editors get what their role allows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.answers.bank_helpers import backed_entry, cert, logged_in, today
from tests.answers.helpers import make_entry
from tests.factories import member, principal_for
from trustroom.answers.models import AnswerEntry, AnswerEvidence
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


@pytest.fixture
def base(org_a: Any) -> str:
    return f"/o/{org_a.slug}/answers/"


@pytest.fixture
def three(org_a: Any, actor: Any) -> dict[str, AnswerEntry]:
    """A fresh, a review-due and a stale (public) entry."""
    with org_scope(org_a):
        valid = cert(actor, title="ISO valid")
        expired = cert(actor, title="ISO old", days_left=-5)
        return {
            "fresh": backed_entry(
                actor,
                valid,
                key="encryption-at-rest",
                variants=["Are backups encrypted?"],
                tags=["encryption"],
                visibility="public",
                owner=actor.user,
                next_review_on=today() + dt.timedelta(days=30),
            ),
            "due": make_entry(
                actor,
                key="sso-mfa",
                question="Do you support single sign-on?",
                short_answer="Yes, SAML and OIDC.",
                tags=["sso"],
                next_review_on=today() - dt.timedelta(days=2),
            ),
            "stale": backed_entry(
                actor,
                expired,
                key="iso-27001",
                question="Are you ISO 27001 certified?",
                short_answer="Yes.",
                tags=["certification"],
                visibility="public",
            ),
        }


def keys_in(body: str, candidates: list[str]) -> set[str]:
    return {key for key in candidates if f"<code>{key}</code>" in body}


KEYS = ["encryption-at-rest", "sso-mfa", "iso-27001"]


def test_list_shows_each_entry_with_its_freshness_and_the_counts(owner_a: Any, base: str, three: Any) -> None:
    body = logged_in(owner_a).get(base).content.decode()
    assert keys_in(body, KEYS) == set(KEYS)
    assert ">Fresh<" in body and ">Review due<" in body and ">Stale<" in body
    assert "Certification “ISO old” is expired." in body  # the stale reason, on the row
    assert f"The review was due on {today() - dt.timedelta(days=2):%Y-%m-%d}." in body
    assert "<strong>1</strong> stale" in body and "<strong>1</strong> review due" in body
    assert "1 public answer withheld as stale" in body  # iso-27001 is public and stale
    assert "Yes, with AES-256." in body and "owner@alpha.test" in body
    assert f"{today() + dt.timedelta(days=30):%Y-%m-%d}" in body
    assert "<caption>" in body and 'aria-current="page">Answers<' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=backups", {"encryption-at-rest"}),  # a variant
        ("q=SAML", {"sso-mfa"}),  # the short answer
        ("q=iso-27", {"iso-27001"}),  # the key
        ("tag=sso", {"sso-mfa"}),
        ("visibility=public", {"encryption-at-rest", "iso-27001"}),
        ("freshness=stale", {"iso-27001"}),
        ("freshness=review_due", {"sso-mfa"}),
        ("freshness=fresh", {"encryption-at-rest"}),
        ("visibility=private&freshness=fresh", set()),
    ],
)
def test_list_filters(owner_a: Any, base: str, three: Any, query: str, expected: set[str]) -> None:
    response = logged_in(owner_a).get(f"{base}?{query}")
    assert response.status_code == 200
    body = response.content.decode()
    assert keys_in(body, KEYS) == expected
    if not expected:
        assert "No answer matches these filters." in body


def test_owner_filter_and_htmx_partial(owner_a: Any, base: str, three: Any) -> None:
    client = logged_in(owner_a)
    body = client.get(f"{base}?owner={owner_a.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert keys_in(body, KEYS) == {"encryption-at-rest"}
    assert "<html" not in body  # only the rows


def test_list_reads_a_fixed_number_of_queries_whatever_the_number_of_entries(
    org_a: Any, owner_a: Any, actor: Any, base: str
) -> None:
    client = logged_in(owner_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(base).status_code == 200
        return len(captured.captured_queries)

    with org_scope(org_a):
        valid, expired = cert(actor, title="ISO valid"), cert(actor, title="ISO old", days_left=-1)
        for n in range(2):
            backed_entry(actor, valid if n % 2 else expired, key=f"entry-{n}", visibility="public")
    few = queries()
    with org_scope(org_a):
        for n in range(2, 12):
            backed_entry(actor, valid if n % 2 else expired, key=f"entry-{n}", visibility="public")
    assert queries() == few


def test_empty_bank_has_a_clear_empty_state(owner_a: Any, base: str) -> None:
    body = logged_in(owner_a).get(base).content.decode()
    assert "The answer bank is empty." in body and "Add an answer" in body


def test_create_with_bad_input_shows_the_field_errors_and_writes_nothing(
    org_a: Any, owner_a: Any, actor: Any, base: str, three: Any
) -> None:
    client = logged_in(owner_a)
    with org_scope(org_a):
        before = (AnswerEntry.objects.count(), AuditEvent.objects.count())
    bad = {"key": "Not a key!", "question": "Q?", "short_answer": "A", "visibility": "public"}
    response = client.post(base + "entries/new/", bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert "The answer was not saved" in body
    assert "Use only letters, digits, hyphens and underscores in the key." in body
    taken = client.post(base + "entries/new/", bad | {"key": "sso-mfa"})
    assert taken.status_code == 400
    assert "The organization already has an answer with this key." in taken.content.decode()
    missing = client.post(base + "entries/new/", {"key": "x", "visibility": "public"})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    with org_scope(org_a):
        assert (AnswerEntry.objects.count(), AuditEvent.objects.count()) == before


def test_create_and_edit(org_a: Any, owner_a: Any, base: str) -> None:
    client = logged_in(owner_a)
    assert client.get(base + "entries/new/").status_code == 200
    created = client.post(
        base + "entries/new/",
        {
            "key": "data-residency",
            "question": "Where is data stored?",
            "variants": "Which region hosts our data?\n\nCan we choose the region?",
            "short_answer": "In the EU.",
            "tags": "Residency, region",
            "visibility": "public",
            "owner": owner_a.pk,
            "next_review_on": "2030-01-31",
        },
    )
    assert created.status_code == 302
    with org_scope(org_a):
        entry = AnswerEntry.objects.get(key="data-residency")
    assert created["Location"] == f"{base}entries/{entry.pk}/"
    assert entry.variants == ["Which region hosts our data?", "Can we choose the region?"]
    assert entry.tags == ["region", "residency"] and entry.owner == owner_a
    assert entry.next_review_on == dt.date(2030, 1, 31)
    edit_url = f"{base}entries/{entry.pk}/edit/"
    form = client.get(edit_url).content.decode()
    assert "Which region hosts our data?\nCan we choose the region?" in form and "region, residency" in form
    bad = client.post(edit_url, {"key": "data-residency", "question": "", "short_answer": "x"})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    too_long = client.post(
        edit_url,
        {"key": "data-residency", "question": "Q?", "short_answer": "A", "visibility": "public",
         "tags": ", ".join(f"t{n}" for n in range(25))},
    )  # fmt: skip
    assert too_long.status_code == 400 and "Use at most 20 tags." in too_long.content.decode()
    with org_scope(org_a):
        entry.refresh_from_db()
        assert entry.question == "Where is data stored?"  # nothing half-written
    saved = client.post(
        edit_url,
        {"key": "data-residency", "question": "Where is customer data stored?", "short_answer": "EU or US.",
         "visibility": "private"},
    )  # fmt: skip
    assert saved.status_code == 302
    with org_scope(org_a):
        entry.refresh_from_db()
        assert (entry.question, entry.visibility, entry.variants) == (
            "Where is customer data stored?",
            "private",
            [],
        )
        assert AuditEvent.objects.filter(action="answer_entry.updated", target_id=str(entry.pk)).count() == 1


def test_detail_shows_evidence_with_its_state_reasons_and_history(
    owner_a: Any, base: str, three: Any
) -> None:
    client = logged_in(owner_a)
    stale = three["stale"]
    body = client.get(f"{base}entries/{stale.pk}/").content.decode()
    assert "Are you ISO 27001 certified?" in body and ">Stale<" in body
    assert "withheld while stale" in body
    assert "ISO old" in body and "Stale</span> Expired" in body  # the record and its own state
    assert "/compliance/certifications/" in body  # a link to the record
    assert "answer_entry.created" in body and "answer_entry.evidence_added" in body  # history
    assert "Edit</a>" in body and "Delete</a>" in body and "Remove<span" in body


def test_viewer_sees_no_edit_controls_and_is_refused_every_write(org_a: Any, base: str, three: Any) -> None:
    viewer = logged_in(member(org_a, "viewer"))
    entry = three["fresh"]
    detail = viewer.get(f"{base}entries/{entry.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Edit</a>" not in body and "Add evidence" not in body and "Remove<span" not in body
    assert "History" not in body  # the audit log is for owners, admins and auditors
    assert "Add an answer" not in viewer.get(base).content.decode()
    form = {"key": "k", "question": "Q?", "short_answer": "A", "visibility": "public"}
    for method, url in [
        ("get", base + "entries/new/"),
        ("post", base + "entries/new/"),
        ("get", f"{base}entries/{entry.pk}/edit/"),
        ("post", f"{base}entries/{entry.pk}/edit/"),
        ("get", f"{base}entries/{entry.pk}/delete/"),
        ("post", f"{base}entries/{entry.pk}/delete/"),
        ("get", f"{base}entries/{entry.pk}/evidence/"),
        ("post", f"{base}entries/{entry.pk}/evidence/"),
    ]:
        assert getattr(viewer, method)(url, form).status_code == 403, (method, url)
    with org_scope(org_a):
        assert AnswerEntry.objects.count() == 3


def test_editor_edits_and_links_but_does_not_delete_or_unlink(
    org_a: Any, actor: Any, base: str, three: Any
) -> None:
    editor = logged_in(member(org_a, "editor"))
    entry = three["fresh"]
    body = editor.get(f"{base}entries/{entry.pk}/").content.decode()
    assert "Edit</a>" in body and "Add evidence" in body
    assert "Delete</a>" not in body and "Remove<span" not in body
    with org_scope(org_a):
        evidence = AnswerEvidence.objects.get(entry=entry)
    assert editor.post(f"{base}entries/{entry.pk}/delete/").status_code == 403
    remove = f"{base}entries/{entry.pk}/evidence/{evidence.pk}/remove/"
    assert editor.post(remove).status_code == 403
    with org_scope(org_a):
        assert AnswerEvidence.objects.filter(pk=evidence.pk).exists()


def test_add_and_remove_evidence(org_a: Any, owner_a: Any, actor: Any, base: str, three: Any) -> None:
    client = logged_in(owner_a)
    entry = three["due"]
    with org_scope(org_a):
        soc2 = cert(actor, title="SOC 2 report")
    url = f"{base}entries/{entry.pk}/evidence/"
    page = client.get(url + "?kind=certification").content.decode()
    assert ">SOC 2 report (valid)</option>" in page and 'name="kind"' in page
    partial = client.get(url + "?kind=statement", HTTP_HX_REQUEST="true").content.decode()
    assert "No compliance statement of Alpha Co is left to link" in partial
    added = client.post(url, {"kind": "certification", "record": soc2.pk})
    assert added.status_code == 302
    with org_scope(org_a):
        evidence = AnswerEvidence.objects.get(entry=entry)
    assert evidence.certification_id == soc2.pk
    assert (
        ">SOC 2 report (valid)</option>" not in client.get(url + "?kind=certification").content.decode()
    )  # linked
    detail = client.get(f"{base}entries/{entry.pk}/").content.decode()
    assert "SOC 2 report" in detail and ">Current<" in detail
    remove = f"{base}entries/{entry.pk}/evidence/{evidence.pk}/remove/"
    assert "Remove evidence" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    with org_scope(org_a):
        assert not AnswerEvidence.objects.filter(entry=entry).exists()
        assert AuditEvent.objects.filter(action="answer_entry.evidence_removed").count() == 1


def test_evidence_of_another_organizations_record_is_refused(
    org_a: Any, org_b: Any, owner_a: Any, owner_b: Any, base: str, three: Any
) -> None:
    actor_b = principal_for(owner_b, org_b)
    with org_scope(org_b):
        foreign = cert(actor_b, title="Bravo ISO")
    entry = three["due"]
    response = logged_in(owner_a).post(
        f"{base}entries/{entry.pk}/evidence/", {"kind": "certification", "record": foreign.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    bad_kind = logged_in(owner_a).post(f"{base}entries/{entry.pk}/evidence/", {"kind": "vendor", "record": 1})
    assert bad_kind.status_code == 400 and "Choose the kind of record" in bad_kind.content.decode()
    with org_scope(org_a):
        assert not AnswerEvidence.objects.filter(entry=entry).exists()


def test_delete_asks_then_deletes(org_a: Any, owner_a: Any, base: str, three: Any) -> None:
    client = logged_in(owner_a)
    entry = three["stale"]
    url = f"{base}entries/{entry.pk}/delete/"
    assert "Security FAQ" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == base
    with org_scope(org_a):
        assert not AnswerEntry.objects.filter(pk=entry.pk).exists()
        assert not AnswerEvidence.objects.filter(entry_id=entry.pk).exists()


def test_duplicates_and_conflicts_page(org_a: Any, owner_a: Any, actor: Any, base: str) -> None:
    client = logged_in(owner_a)
    empty = client.get(base + "duplicates/").content.decode()
    assert "No conflicting answers" in empty and "No duplicate answers." in empty
    with org_scope(org_a):
        yes = make_entry(actor, key="mfa-yes", question="Is MFA enforced?", short_answer="Yes.", tags=["mfa"])
        no = make_entry(actor, key="mfa-no", question="Is MFA enforced", short_answer="No.", tags=["mfa"])
        make_entry(actor, key="mfa-copy", question="is mfa enforced?", short_answer="Yes.", tags=["login"])
    body = client.get(base + "duplicates/").content.decode()
    assert "Conflicting answers (1)" in body and "Duplicate answers (2)" in body
    assert f"{base}entries/{yes.pk}/" in body and f"{base}entries/{no.pk}/" in body


def test_another_organizations_entry_is_not_found(org_b: Any, owner_b: Any, three: Any) -> None:
    client = logged_in(owner_b)
    entry = three["fresh"]
    for suffix in ("", "edit/", "delete/", "evidence/"):
        assert client.get(f"/o/{org_b.slug}/answers/entries/{entry.pk}/{suffix}").status_code == 404
