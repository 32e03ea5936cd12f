"""The trust center's Security FAQ: the organization's public answers that still hold (reads only).

Which entries are published: those marked public whose freshness (`trustroom.answers.state`) is not
STALE. A stale public entry — backed by an expired certificate, a statement not reviewed for a year, an
application no longer safe to host, a replaced SLA policy — is WITHHELD: the public sees nothing of it
(no question, no "under review" line), and the members see how many are withheld on the bank page,
with the reasons on each entry. An entry whose own review date has passed ("review due") is still
published: nothing that backs it went stale, and its owner is reminded in the bank.

Time: the public pages are cached for the UTC day (`trustroom.trustcenter.cache`: the UTC date is in
the key), so freshness is taken as of the LAST INSTANT of the current UTC day, as the "safe to host"
attestations are (`trustroom.trustcenter.attestations.attestation_horizon`): a page cached at any time
today is still true when it is last served. Staleness only grows with time (a certificate expires, a
review ages, a test falls due, a newer SLA version comes into force), so an answer whose backing goes
stale later today is withheld from the start of the day, never served a few hours late from the cache;
a certificate still counts on its last valid day (its state is by UTC date).
Writes of the answer bank, the compliance register and the VAPT programme invalidate the cache on
commit, so their effect shows at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from trustroom.answers.models import AnswerEntry, AnswerVisibility
from trustroom.answers.selectors import public_entries
from trustroom.answers.state import Freshness, FreshnessState, freshness_by_entry


@dataclass(frozen=True)
class FaqItem:
    key: str
    question: str
    short_answer: str
    detailed_answer: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Faq:
    items: list[FaqItem] = field(default_factory=list)
    # Public entries not shown because they are stale (for the organization's own pages only).
    withheld: list[AnswerEntry] = field(default_factory=list)


def faq_horizon(now: dt.datetime | None = None) -> dt.datetime:
    """The moment a page cached now must still be true at: the last instant of the current UTC day."""
    from trustroom.trustcenter.attestations import attestation_horizon

    return attestation_horizon(now) - dt.timedelta(microseconds=1)


def _item(entry: AnswerEntry) -> FaqItem:
    return FaqItem(
        key=entry.key,
        question=entry.question,
        short_answer=entry.short_answer,
        detailed_answer=entry.detailed_answer,
        tags=tuple(entry.tags or ()),
    )


def faq_from(
    entries: Iterable[AnswerEntry],
    *,
    now: dt.datetime | None = None,
    states: dict[int, Freshness] | None = None,
) -> Faq:
    """The FAQ made of `entries` (private ones are skipped), with freshness at the FAQ's horizon.

    `states` may give freshness already computed at that horizon; otherwise it is read (one query).
    """
    public = [e for e in entries if e.visibility == AnswerVisibility.PUBLIC]
    if states is None:
        states = freshness_by_entry(public, now=faq_horizon(now))
    items: list[FaqItem] = []
    withheld: list[AnswerEntry] = []
    for entry in public:
        if states[entry.pk].state == FreshnessState.STALE:
            withheld.append(entry)
        else:
            items.append(_item(entry))
    return Faq(items=items, withheld=withheld)


def published_faq(*, now: dt.datetime | None = None) -> Faq:
    """The current organization's FAQ as the public trust center shows it (run inside its scope)."""
    return faq_from(public_entries(), now=now)
