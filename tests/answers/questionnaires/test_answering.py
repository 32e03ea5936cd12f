"""Answering from the bank: generated only for a confident match of a fresh entry; stale → needs review."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.answers.questionnaires.helpers import load_demo_bank
from tests.compliance.helpers import make_cert
from tests.factories import principal_for
from trustroom.answers import services
from trustroom.answers.models import ItemStatus
from trustroom.answers.questionnaires.answering import BankAnswerer, answer_text
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


def test_confident_match_of_a_fresh_entry_is_generated_with_its_citation(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        bank = load_demo_bank(actor)
        proposed = BankAnswerer.for_current_organization().propose(
            "How frequently are user access rights reviewed?"
        )
    assert proposed.status == ItemStatus.GENERATED
    assert proposed.key == "access-review"
    assert proposed.answer == answer_text(bank["access-review"])
    assert bank["access-review"].short_answer in proposed.answer
    assert 0.45 <= proposed.confidence <= 1.0


def test_off_topic_question_abstains_with_an_empty_answer(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        load_demo_bank(actor)
        proposed = BankAnswerer.for_current_organization().propose("What is your parental leave policy?")
    assert proposed.entry is None
    assert proposed.key == ""
    assert proposed.answer == ""
    assert proposed.status == ItemStatus.NEEDS_REVIEW


def test_match_of_a_stale_entry_needs_review_and_says_why(org_a: Any, actor: Any) -> None:
    today = dt.datetime.now(dt.UTC).date()
    with org_scope(org_a):
        bank = load_demo_bank(actor, keys=["iso-27001", "soc2-report", "access-review"])
        cert = make_cert(
            actor, valid_from=today - dt.timedelta(days=800), valid_until=today - dt.timedelta(days=5)
        )
        services.add_evidence(actor=actor, entry=bank["iso-27001"], certification=cert)
        proposed = BankAnswerer.for_current_organization().propose("Are you ISO 27001 certified?")
    assert proposed.key == "iso-27001"
    assert proposed.answer  # the answer is offered, but not as generated
    assert proposed.status == ItemStatus.NEEDS_REVIEW
    assert any("expired" in reason for reason in proposed.reasons)


def test_review_due_entry_needs_review(org_a: Any, actor: Any) -> None:
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    with org_scope(org_a):
        bank = load_demo_bank(actor, keys=["access-review", "iso-27001"])
        services.update_entry(actor=actor, entry=bank["access-review"], next_review_on=yesterday)
        proposed = BankAnswerer.for_current_organization().propose("How often are access rights reviewed?")
    assert proposed.key == "access-review"
    assert proposed.status == ItemStatus.NEEDS_REVIEW


def test_excluded_keys_are_never_proposed(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        load_demo_bank(actor)
        answerer = BankAnswerer.for_current_organization()
        first = answerer.propose("How often are access rights reviewed?")
        again = answerer.propose("How often are access rights reviewed?", excluded_keys=[first.key])
    assert first.key == "access-review"
    assert again.key != "access-review"
    assert (again.suggestion is None) or again.suggestion.key != "access-review"


def test_empty_bank_abstains(org_a: Any) -> None:
    with org_scope(org_a):
        proposed = BankAnswerer.for_current_organization().propose("Do you encrypt data at rest?")
    assert proposed.entry is None
    assert proposed.status == ItemStatus.NEEDS_REVIEW
    assert proposed.reasons == ["The answer bank is empty."]


def test_the_bank_of_another_organization_is_not_used(
    org_a: Any, org_b: Any, owner_b: Any, actor: Any
) -> None:
    with org_scope(org_b):
        load_demo_bank(principal_for(owner_b, org_b))
    with org_scope(org_a):
        proposed = BankAnswerer.for_current_organization().propose("How often are access rights reviewed?")
    assert proposed.entry is None
