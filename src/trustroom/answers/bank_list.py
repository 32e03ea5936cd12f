"""The answer bank as its list page and the API list it: entries with their freshness, filtered.

Reads only, inside the organization's scope, in a fixed number of queries whatever the number of
entries: the entries (with their owners), their evidence (`state.freshness_by_entry`, one query, each
backing record judged once), and the public entries' evidence again as of the trust center's horizon
(to count the public answers the FAQ withholds as stale; see `trustroom.answers.faq`).

Filters: `q` matches the key, the question, any variant and both answers (case-insensitive substring);
`tag` one tag exactly; `visibility`; `freshness` (fresh / review_due / stale, computed now); `owner` a
member's user id. They are matched on the rows read: the counts at the top cover the whole bank,
freshness is computed, and tags and variants are JSON lists (no portable SQL for them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from trustroom.answers.faq import faq_from
from trustroom.answers.models import AnswerEntry
from trustroom.answers.state import Freshness, FreshnessState, freshness_by_entry


@dataclass(frozen=True)
class BankFilters:
    q: str = ""
    tag: str = ""
    visibility: str = ""
    freshness: str = ""
    owner_id: int | None = None

    @classmethod
    def from_cleaned_data(cls, data: dict[str, Any]) -> BankFilters:
        owner = data.get("owner")
        return cls(
            q=(data.get("q") or "").strip(),
            tag=(data.get("tag") or "").strip().lower(),
            visibility=data.get("visibility") or "",
            freshness=data.get("freshness") or "",
            owner_id=getattr(owner, "pk", owner) or None,
        )

    @property
    def active(self) -> bool:
        return any((self.q, self.tag, self.visibility, self.freshness, self.owner_id))


@dataclass(frozen=True)
class BankRow:
    entry: AnswerEntry
    freshness: Freshness


@dataclass(frozen=True)
class BankListing:
    rows: list[BankRow]  # every entry, by key
    total: int  # entries in the bank, before filtering
    stale: int  # in the whole bank
    review_due: int
    withheld: list[AnswerEntry] = field(default_factory=list)  # public, kept off the FAQ as stale
    tags: list[str] = field(default_factory=list)  # every tag in use, for the filter


def entries() -> QuerySet[AnswerEntry]:
    return AnswerEntry.objects.select_related("owner").order_by("key")


def matches_text(entry: AnswerEntry, text: str) -> bool:
    needle = text.casefold()
    haystack = [entry.key, entry.question, entry.short_answer, entry.detailed_answer, *(entry.variants or [])]
    return any(needle in str(value).casefold() for value in haystack)


def filter_rows(rows: list[BankRow], filters: BankFilters) -> list[BankRow]:
    """The rows that pass every filter given (an empty filter does not narrow)."""
    kept = []
    for row in rows:
        entry = row.entry
        if filters.visibility and entry.visibility != filters.visibility:
            continue
        if filters.owner_id and entry.owner_id != filters.owner_id:
            continue
        if filters.tag and filters.tag not in (entry.tags or []):
            continue
        if filters.freshness and row.freshness.state != filters.freshness:
            continue
        if filters.q and not matches_text(entry, filters.q):
            continue
        kept.append(row)
    return kept


def bank_listing(*, now: dt.datetime | None = None) -> BankListing:
    """Every entry of the bank with its freshness now, and the figures the list page shows on top."""
    now = now or timezone.now()
    everything = list(entries())
    states = freshness_by_entry(everything, now=now)
    counts = dict.fromkeys(FreshnessState, 0)
    for freshness in states.values():
        counts[freshness.state] += 1
    return BankListing(
        rows=[BankRow(entry, states[entry.pk]) for entry in everything],
        total=len(everything),
        stale=counts[FreshnessState.STALE],
        review_due=counts[FreshnessState.REVIEW_DUE],
        withheld=faq_from(everything, now=now).withheld,
        tags=sorted({tag for entry in everything for tag in entry.tags or []}),
    )
