"""Answer questions from the organization's bank: a citation, a confidence and a status per question.

Shared by the questionnaire services, the API and `trustroom questionnaire answer`. The matcher
(`trustroom.answers.matching`) picks an entry or abstains; on top of it:
- a confident match of a *fresh* entry is `generated` (answer pre-filled, still to be reviewed);
- a confident match of an entry that is stale or due for review is `needs_review`: the answer and its
  citation are given, with the reasons, because what backs it may no longer hold;
- an abstention is `needs_review` with an empty answer and key (the best candidate is offered as a
  suggestion): an empty answer is far better than a confident wrong one;
- an entry a reviewer rejected for this question is never proposed again for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from trustroom.answers.matching import BankEntry, Matcher
from trustroom.answers.models import AnswerEntry, ItemStatus
from trustroom.answers.state import Freshness, FreshnessState, freshness_by_entry


def answer_text(entry: AnswerEntry) -> str:
    """What goes into the questionnaire's answer cell: the short answer, then the detail if any."""
    detail = (entry.detailed_answer or "").strip()
    return f"{entry.short_answer}\n\n{detail}" if detail else entry.short_answer


@dataclass(frozen=True)
class ProposedAnswer:
    entry: AnswerEntry | None
    answer: str
    confidence: float
    status: str
    suggestion: AnswerEntry | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.entry.key if self.entry is not None else ""


def _bank_entry(entry: AnswerEntry) -> BankEntry:
    return BankEntry(
        key=entry.key,
        question=entry.question,
        variants=tuple(entry.variants or ()),
        short_answer=entry.short_answer,
        tags=tuple(entry.tags or ()),
    )


class BankAnswerer:
    """The bank of one organization, indexed once, answering many questions."""

    def __init__(self, entries: Iterable[AnswerEntry], *, now: dt.datetime | None = None) -> None:
        self.entries = {entry.key: entry for entry in entries}
        self.freshness: dict[int, Freshness] = freshness_by_entry(
            self.entries.values(), now or timezone.now()
        )
        self._matchers: dict[frozenset[str], Matcher | None] = {}

    @classmethod
    def for_current_organization(cls, *, now: dt.datetime | None = None) -> BankAnswerer:
        return cls(AnswerEntry.objects.order_by("key"), now=now)

    def _matcher(self, excluded: frozenset[str]) -> Matcher | None:
        if excluded not in self._matchers:
            usable = [_bank_entry(e) for key, e in self.entries.items() if key not in excluded]
            self._matchers[excluded] = Matcher(usable) if usable else None
        return self._matchers[excluded]

    def propose(self, question: str, *, excluded_keys: Iterable[str] = ()) -> ProposedAnswer:
        matcher = self._matcher(frozenset(excluded_keys))
        if matcher is None:
            return ProposedAnswer(
                None, "", 0.0, ItemStatus.NEEDS_REVIEW, reasons=["The answer bank is empty."]
            )
        match = matcher.answer(question)
        if match.key is None:
            suggestion = self.entries.get(match.suggestion) if match.suggestion else None
            return ProposedAnswer(
                None,
                "",
                match.confidence,
                ItemStatus.NEEDS_REVIEW,
                suggestion=suggestion,
                reasons=["No answer in the bank matches with enough confidence."],
            )
        entry = self.entries[match.key]
        freshness = self.freshness[entry.pk]
        if freshness.state != FreshnessState.FRESH:
            return ProposedAnswer(
                entry,
                answer_text(entry),
                match.confidence,
                ItemStatus.NEEDS_REVIEW,
                reasons=[f"The cited answer is {freshness.state.label.lower()}.", *freshness.reasons],
            )
        return ProposedAnswer(entry, answer_text(entry), match.confidence, ItemStatus.GENERATED)

    def propose_all(self, questions: Sequence[str]) -> list[ProposedAnswer]:
        return [self.propose(q) for q in questions]
