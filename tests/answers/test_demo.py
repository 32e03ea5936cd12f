"""Demo Co's answer bank: every demo key, mostly public, backed by current demo records, idempotent,
and published as the trust center's Security FAQ."""

from __future__ import annotations

from typing import Any

import pytest

from trustroom.answers import demo_questionnaire
from trustroom.answers.bank_data import DEMO_BANK
from trustroom.answers.bank_list import bank_listing
from trustroom.answers.demo import EVIDENCE, PRIVATE_KEYS
from trustroom.answers.models import AnswerEntry, AnswerEvidence, ItemStatus, Questionnaire, QuestionnaireItem
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def test_demo_bank_is_complete_current_and_idempotent(client: Any) -> None:
    org = load_demo().organization
    with org_scope(org):
        entries = {e.key: e for e in AnswerEntry.objects.select_related("owner")}
        evidence = list(AnswerEvidence.objects.select_related("entry", "application", "sla_policy"))
        listing = bank_listing()
        counts = (AnswerEntry.objects.count(), AnswerEvidence.objects.count(), AuditEvent.objects.count())
    assert set(entries) == {answer.key for answer in DEMO_BANK}
    private = {key for key, e in entries.items() if e.visibility == "private"}
    assert private == PRIVATE_KEYS and len(private) < len(entries) / 4
    assert all(e.owner is not None and e.owner.email == "admin@demo-co.example" for e in entries.values())
    assert all(e.next_review_on is not None for e in entries.values())
    assert (listing.stale, listing.review_due, listing.withheld) == (0, 0, [])  # fresh when loaded
    linked = {(item.entry.key, item.kind) for item in evidence}
    expected = {(key, kind) for key, refs in EVIDENCE.items() for kind, _ in refs}
    assert linked == expected  # every mapped record exists in the demo and was linked
    by_key = {item.entry.key: item for item in evidence if item.kind in ("application", "sla_policy")}
    assert str(by_key["penetration-testing"].record) == "Customer Portal"
    assert by_key["vulnerability-remediation-sla"].sla_policy is not None

    load_demo()
    with org_scope(org):
        again = (AnswerEntry.objects.count(), AnswerEvidence.objects.count(), AuditEvent.objects.count())
    assert again == counts

    faq = client.get("/trust/demo-co/faq/").content.decode()
    assert faq.count('<article class="tc-item"') == len(entries) - len(private)
    assert "Can staff see customer data?" not in faq
    assert "How quickly are vulnerabilities fixed, by severity?" in faq


def test_demo_questionnaire_is_answered_from_the_bank_in_review_and_idempotent() -> None:
    org = load_demo().organization
    with org_scope(org):
        questionnaire = Questionnaire.objects.get(title=demo_questionnaire.TITLE)
        items = list(questionnaire.items.order_by("position"))
        statuses = [item.status for item in items]
    total = sum(len(questions) for _, questions in demo_questionnaire.SECTIONS)
    assert len(items) == total
    assert questionnaire.layouts[0]["header_row"] == 4
    assert statuses.count(ItemStatus.APPROVED) == demo_questionnaire.ACCEPTED
    assert statuses.count(ItemStatus.GENERATED) >= total - demo_questionnaire.ACCEPTED - 3
    # the two questions the bank does not cover are left empty, not guessed
    unanswered = {item.question for item in items if not item.entry_key}
    assert any("insurance" in q for q in unanswered) and any("physical security" in q for q in unanswered)
    assert all(item.section for item in items)

    load_demo()
    with org_scope(org):
        assert Questionnaire.objects.count() == 1
        assert QuestionnaireItem.objects.count() == total
