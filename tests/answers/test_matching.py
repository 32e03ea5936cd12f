import csv
from pathlib import Path

import pytest

from tests.answers.paraphrases import OFF_TOPIC, PARAPHRASES
from trustroom.answers.bank_data import DEMO_BANK, matching_entries
from trustroom.answers.matching import (
    STATUS_GENERATED,
    STATUS_NEEDS_REVIEW,
    BankEntry,
    Matcher,
    normalize,
    stem,
    tokenize,
)
from trustroom.answers.services import MAX_TAGS, MAX_VARIANTS, clean_tags, clean_variants

TOPICS = Path("/work/shared/questionnaire/topics.csv")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(matching_entries())


def test_tokenize_lowercases_drops_stop_words_and_stems():
    assert tokenize("Are the Backups ENCRYPTED?") == ["backup", "encrypt"]
    assert stem("controlled") == stem("control")
    assert stem("segregation") == stem("segregated")
    assert stem("policies") == stem("policy")
    assert stem("approval") == stem("approvals") == stem("approves") == stem("approved")


def test_tokenize_is_unicode_aware():
    assert tokenize("Données chiffrées") == [stem("données"), stem("chiffrées")]
    assert normalize("\uff33\uff2f\uff23\uff12") == "soc2"  # full-width characters are folded


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("MFA", "multi-factor authentication"),
        ("2FA", "two factor"),
        ("SSO", "single sign-on"),
        ("DR", "disaster recovery"),
        ("pentest", "penetration testing"),
        ("VAPT", "pen test"),
        ("SOC 2", "SOC2"),
    ],
)
def test_synonyms_fold_to_one_token(left, right):
    assert tokenize(left) == tokenize(right)
    assert len(tokenize(left)) == 1


def test_unrelated_words_do_not_fold_together():
    assert tokenize("MFA") != tokenize("SSO")


def test_every_topic_key_is_in_the_bank_exactly_once():
    with TOPICS.open(newline="", encoding="utf-8") as handle:
        topic_keys = [row["key"] for row in csv.DictReader(handle)]
    bank_keys = [entry.key for entry in DEMO_BANK]
    assert sorted(bank_keys) == sorted(topic_keys)
    assert len(set(bank_keys)) == len(bank_keys)


def test_bank_entries_have_variants_and_answers_the_bank_services_accept():
    for entry in DEMO_BANK:
        assert 6 <= len(entry.variants) <= MAX_VARIANTS, entry.key
        assert clean_variants(entry.variants, question=entry.question) == list(entry.variants), entry.key
        assert all(len(v) <= 500 for v in entry.variants), entry.key
        assert entry.short_answer and entry.detailed_answer and entry.tags, entry.key
        assert len(entry.tags) <= MAX_TAGS and all(len(t) <= 40 for t in entry.tags), entry.key
        assert sorted(clean_tags(entry.tags)) == sorted(entry.tags), entry.key  # lowercase, no duplicates


def test_paraphrases_rank_the_right_entry_first(matcher):
    top_right = [key for question, key in PARAPHRASES if matcher.rank(question)[0][1] == _index(matcher, key)]
    assert len(top_right) >= 0.9 * len(PARAPHRASES)


def test_paraphrases_are_answered_right_or_abstained_never_wrong(matcher):
    answers = [(matcher.answer(question), key) for question, key in PARAPHRASES]
    wrong = [(m.key, key) for m, key in answers if m.key is not None and m.key != key]
    right = [m for m, key in answers if m.key == key]
    assert wrong == []
    assert len(right) >= 0.6 * len(PARAPHRASES)
    assert all(m.status == STATUS_GENERATED for m in right)


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_questions_abstain(matcher, question):
    match = matcher.answer(question)
    assert match.key is None
    assert match.status == STATUS_NEEDS_REVIEW
    assert match.confidence < matcher.threshold


def test_parental_leave_abstains(matcher):
    assert matcher.answer("What is your parental leave policy?").key is None


def test_abstaining_offers_the_best_candidate(matcher):
    match = Matcher(matching_entries(), threshold=1.01).answer("Do you have a SOC 2 Type 2 report?")
    assert match.key is None and match.suggestion == "soc2-report"


def test_empty_and_stop_word_questions_abstain_with_zero_confidence(matcher):
    for question in ("", "?", "What is it that you do?"):
        match = matcher.answer(question)
        assert match.key is None and match.confidence == 0.0


def test_confidence_drops_as_unknown_terms_are_added(matcher):
    focused = matcher.answer("Do you support single sign-on?").confidence
    diluted = matcher.answer("Do you support single sign-on for the quarterly payroll warehouse?").confidence
    assert 0.0 <= diluted < focused <= 1.0


def test_confidence_drops_when_two_entries_tie():
    entries = [
        BankEntry("a", "Is data encrypted at rest?"),
        BankEntry("b", "Is data encrypted in transit?"),
        BankEntry("c", "Do you have a SIEM?"),
    ]
    tied = Matcher(entries).answer("Is data encrypted?")
    clear = Matcher(entries).answer("Is data encrypted at rest?")
    assert clear.key == "a"
    assert tied.confidence < clear.confidence


def test_duplicate_or_empty_banks_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        Matcher([BankEntry("a", "x"), BankEntry("a", "y")])
    with pytest.raises(ValueError, match="empty"):
        Matcher([])


def _index(matcher: Matcher, key: str) -> int:
    return [entry.key for entry in matcher.entries].index(key)
