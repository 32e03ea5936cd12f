"""Reads of the answer bank: the public FAQ entries, and duplicate and conflicting entries.

Rules (text is compared normalized: lowercase word tokens, punctuation dropped):
- two entries are *near-identical* when any phrasing of one (question or variant) and any phrasing of
  the other have the same tokens in the same order, or token sets with a Jaccard index of at least
  NEAR_IDENTICAL_JACCARD (0.9);
- *duplicates*: near-identical entries with the same short answer (normalized), i.e. one is redundant;
- *conflicting*: near-identical entries sharing at least one tag whose short answers differ — the same
  question answered two ways (e.g. one starts "Yes", the other "No"). Near-identical entries with
  different answers and no shared tag are reported as duplicates too: someone should merge them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from django.db.models import QuerySet

from trustroom.answers.models import AnswerEntry, AnswerVisibility

NEAR_IDENTICAL_JACCARD = 0.9
_WORD = re.compile(r"[^\W_]+")


def public_entries() -> QuerySet[AnswerEntry]:
    """The current organization's entries marked public: the trust center FAQ, by key."""
    return AnswerEntry.objects.filter(visibility=AnswerVisibility.PUBLIC).order_by("key")


def tokens(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def _phrasings(entry: AnswerEntry) -> list[tuple[str, ...]]:
    found = [tokens(entry.question), *(tokens(v) for v in entry.variants or [])]
    return [t for t in found if t]


def near_identical(a: AnswerEntry, b: AnswerEntry) -> bool:
    for left in _phrasings(a):
        for right in _phrasings(b):
            if left == right:
                return True
            ls, rs = set(left), set(right)
            if len(ls & rs) / len(ls | rs) >= NEAR_IDENTICAL_JACCARD:
                return True
    return False


@dataclass(frozen=True)
class EntryPair:
    first: AnswerEntry
    second: AnswerEntry
    shared_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DuplicateReport:
    duplicates: list[EntryPair]
    conflicts: list[EntryPair]


def duplicate_and_conflicting_entries() -> DuplicateReport:
    """Pairs of the current organization's entries (ordered by key) that duplicate or contradict."""
    entries = list(AnswerEntry.objects.order_by("key"))
    duplicates: list[EntryPair] = []
    conflicts: list[EntryPair] = []
    for a, b in combinations(entries, 2):
        if not near_identical(a, b):
            continue
        shared = tuple(sorted(set(a.tags or []) & set(b.tags or [])))
        if tokens(a.short_answer) != tokens(b.short_answer) and shared:
            conflicts.append(EntryPair(a, b, shared))
        else:
            duplicates.append(EntryPair(a, b, shared))
    return DuplicateReport(duplicates=duplicates, conflicts=conflicts)
