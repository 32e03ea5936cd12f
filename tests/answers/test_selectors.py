"""Duplicate and conflicting entries of the answer bank."""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers.helpers import make_entry
from tests.factories import principal_for
from trustroom.answers.selectors import duplicate_and_conflicting_entries, near_identical, public_entries
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


def keys(pairs: list[Any]) -> list[tuple[str, str]]:
    return [(p.first.key, p.second.key) for p in pairs]


def test_same_question_differently_punctuated_is_a_duplicate(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        make_entry(actor, key="a-encryption")
        make_entry(actor, key="b-encryption", question="do you encrypt customer-data at rest", tags=[])
        make_entry(actor, key="c-mfa", question="Do you enforce MFA for staff?")
        report = duplicate_and_conflicting_entries()
    assert keys(report.duplicates) == [("a-encryption", "b-encryption")]
    assert report.conflicts == []


def test_a_variant_matching_another_question_is_a_duplicate(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        make_entry(actor, key="a", question="Is data encrypted at rest?")
        make_entry(actor, key="b", question="Storage encryption?", variants=["Is DATA encrypted, at rest?"])
        report = duplicate_and_conflicting_entries()
    assert keys(report.duplicates) == [("a", "b")]


def test_near_identical_uses_a_jaccard_threshold(org_a: Any, actor: Any) -> None:
    ten_words = "do you encrypt all customer data stored at rest everywhere"
    with org_scope(org_a):
        base = make_entry(actor, key="a", question=ten_words)
        # 10 shared of 11 words: 0.909 ≥ 0.9.
        close = make_entry(actor, key="b", question=ten_words + " today")
        # 9 shared of 11 words: 0.82 < 0.9.
        far = make_entry(actor, key="c", question=ten_words.replace("everywhere", "anywhere") + " today")
        assert near_identical(base, close)
        assert not near_identical(base, far)


def test_shared_tag_and_different_answer_is_a_conflict(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        make_entry(actor, key="a", tags=["encryption", "storage"])
        make_entry(
            actor,
            key="b",
            question="Do you encrypt customer data at rest",
            short_answer="No, not yet.",
            tags=["Encryption"],
        )
        # Same question and different answer but no shared tag: reported as a duplicate to merge.
        make_entry(
            actor,
            key="c",
            question="Do you encrypt customer data at rest!",
            short_answer="No.",
            tags=["misc"],
        )
        report = duplicate_and_conflicting_entries()
    assert keys(report.conflicts) == [("a", "b")]
    assert report.conflicts[0].shared_tags == ("encryption",)
    assert keys(report.duplicates) == [("a", "c"), ("b", "c")]


def test_only_the_current_organizations_entries(org_a: Any, org_b: Any, actor: Any, owner_b: Any) -> None:
    with org_scope(org_b):
        make_entry(principal_for(owner_b, org_b), key="theirs")
    with org_scope(org_a):
        make_entry(actor, key="ours")
        report = duplicate_and_conflicting_entries()
    assert report.duplicates == []
    assert report.conflicts == []


def test_public_entries_form_the_faq(org_a: Any, org_b: Any, actor: Any, owner_b: Any) -> None:
    with org_scope(org_b):
        make_entry(principal_for(owner_b, org_b), key="theirs", visibility="public")
    with org_scope(org_a):
        make_entry(actor, key="b-public", visibility="public")
        make_entry(actor, key="a-private", question="Do you enforce MFA?")
        make_entry(actor, key="a-public", question="Where is data hosted?", visibility="public")
        assert [e.key for e in public_entries()] == ["a-public", "b-public"]
