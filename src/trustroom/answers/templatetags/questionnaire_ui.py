"""Template filters of the questionnaire pages: badges, where a question sits, confidence."""

from __future__ import annotations

from django import template

from trustroom.answers.models import ItemStatus, QuestionnaireItem

register = template.Library()

STATUS_BADGE: dict[str, str] = {
    ItemStatus.GENERATED: "pending",
    ItemStatus.NEEDS_REVIEW: "warn",
    ItemStatus.APPROVED: "active",
    ItemStatus.MANUAL: "active",
}
FRESHNESS_BADGE = {"fresh": "active", "review_due": "warn", "stale": "expired"}


@register.filter
def status_class(status: str) -> str:
    return STATUS_BADGE.get(status, "")


@register.filter
def status_label(status: str) -> str:
    try:
        return str(ItemStatus(status).label)
    except ValueError:
        return status


@register.filter
def freshness_class(state: str) -> str:
    return FRESHNESS_BADGE.get(state, "")


@register.filter
def where(item: QuestionnaireItem) -> str:
    """Where the question is in the file: "Security, row 7", "Row 7", or a VSAQ item's id."""
    if item.row:
        return f"{item.sheet}, row {item.row}" if item.sheet else f"Row {item.row}"
    return f"Item {item.question_id}" if item.question_id else ""


@register.filter
def percent(value: float) -> str:
    return f"{round((value or 0.0) * 100)}%"
