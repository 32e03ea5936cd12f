"""Reads of questionnaires for the pages and the API: progress counts, filtered items, review rows.

Every function runs in the current organization's scope (the default managers refuse otherwise).
Counts are computed in the database in one query; a page of items with their citations, suggestions
and the cited entries' freshness costs a fixed number of queries whatever its length.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from trustroom.answers.models import (
    DONE_STATUSES,
    AnswerEntry,
    ItemStatus,
    Questionnaire,
    QuestionnaireItem,
)
from trustroom.answers.state import Freshness, FreshnessState, freshness_by_entry
from trustroom.compliance.state import utc_today

STATUS_ORDER = (ItemStatus.NEEDS_REVIEW, ItemStatus.GENERATED, ItemStatus.APPROVED, ItemStatus.MANUAL)


@dataclass(frozen=True)
class Progress:
    """How far the review of one questionnaire is: done = approved + manual."""

    total: int
    counts: dict[str, int]

    @property
    def done(self) -> int:
        return sum(self.counts.get(status, 0) for status in DONE_STATUSES)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def by_status(self) -> list[tuple[str, str, int]]:
        """(value, label, count) in the order a reviewer works through them."""
        return [(status.value, status.label, self.counts.get(status, 0)) for status in STATUS_ORDER]


def _count_annotations() -> dict[str, Count]:
    annotations = {"n_total": Count("items")}
    for status in ItemStatus:
        annotations[f"n_{status.value}"] = Count("items", filter=Q(items__status=status.value))
    return annotations


def questionnaires_with_counts() -> QuerySet[Questionnaire]:
    """The organization's questionnaires, newest first, each annotated with its item counts per status
    (read them with `progress_of`)."""
    return Questionnaire.objects.select_related("created_by").annotate(**_count_annotations())


def progress_of(questionnaire: Questionnaire) -> Progress:
    """The progress of an annotated questionnaire (`questionnaires_with_counts`), else one query."""
    if hasattr(questionnaire, "n_total"):
        counts = {status.value: getattr(questionnaire, f"n_{status.value}") for status in ItemStatus}
        return Progress(total=questionnaire.n_total, counts=counts)
    rows = (
        QuestionnaireItem.objects.filter(questionnaire=questionnaire)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(ItemStatus.values, 0)
    for row in rows:
        counts[row["status"]] = row["n"]
    return Progress(total=sum(counts.values()), counts=counts)


def is_overdue(questionnaire: Questionnaire, progress: Progress, *, now: dt.datetime | None = None) -> bool:
    """Past its due date (UTC) with answers still to review."""
    if questionnaire.due_on is None or progress.done >= progress.total:
        return False
    return questionnaire.due_on < utc_today(now or timezone.now())


def sheets_of(questionnaire: Questionnaire) -> list[str]:
    """The sheets holding questions, in file order (a CSV or VSAQ file has one, named "")."""
    return [layout.get("sheet", "") for layout in questionnaire.layouts or []]


def items_of(
    questionnaire: Questionnaire, *, status: str = "", sheet: str | None = None
) -> QuerySet[QuestionnaireItem]:
    """The questionnaire's items in file order, optionally of one status and/or one sheet."""
    items = QuestionnaireItem.objects.filter(questionnaire=questionnaire)
    if status:
        items = items.filter(status=status)
    if sheet is not None:
        items = items.filter(sheet=sheet)
    return items.select_related("entry", "suggestion", "reviewed_by").order_by("position")


@dataclass(frozen=True)
class ReviewRow:
    """One item as the reviewer sees it: with the cited entry's freshness (None: no entry cited)."""

    item: QuestionnaireItem
    freshness: Freshness | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return self.freshness is not None and self.freshness.state != FreshnessState.FRESH


def review_rows(items: Iterable[QuestionnaireItem], *, now: dt.datetime | None = None) -> list[ReviewRow]:
    """Items (with `entry` selected) and the freshness of the entries they cite, read in bulk."""
    items = list(items)
    entries: dict[int, AnswerEntry] = {item.entry.pk: item.entry for item in items if item.entry is not None}
    freshness = freshness_by_entry(entries.values(), now) if entries else {}
    rows = []
    for item in items:
        state = freshness.get(item.entry_id) if item.entry_id is not None else None
        rows.append(ReviewRow(item=item, freshness=state, reasons=list(state.reasons) if state else []))
    return rows


def layout_summary(questionnaire: Questionnaire) -> list[dict[str, object]]:
    """Where the questions were found, per sheet: the header row, question and answer columns, count."""
    summary = []
    for layout in questionnaire.layouts or []:
        headers: Sequence[str] = layout.get("headers") or ()
        question_column = layout.get("question_column")
        answer_column = layout.get("answer_column")
        summary.append(
            {
                "sheet": layout.get("sheet", ""),
                "header_row": layout.get("header_row"),
                "question_column": _column_name(headers, question_column),
                "answer_column": _column_name(headers, answer_column) if answer_column else "",
                "question_count": layout.get("question_count", 0),
            }
        )
    return summary


def _column_name(headers: Sequence[str], column: int | None) -> str:
    if not column:
        return ""
    letter = _column_letter(column)
    header = headers[column - 1] if 0 < column <= len(headers) else ""
    return f"{letter} ({header})" if header else letter


def _column_letter(column: int) -> str:
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
