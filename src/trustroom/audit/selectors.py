"""Reads of the audit log: the active organization's events, narrowed by typed filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from trustroom.audit.models import AuditEvent
from trustroom.tenancy import policies

ACTION_WILDCARD = "*"
SUMMARY_MAX_CHARS = 160


@dataclass(frozen=True)
class EventFilters:
    """What the audit log page and the API filter on. Empty values do not narrow.

    `action`: an exact action ("invitation.created") also matches its sub-actions; a name without its
    verb ("invitation") matches every action under it; a trailing "*" ("invit*") is a plain prefix.
    `occurred_from` / `occurred_to`: inclusive UTC days.
    """

    action: str = ""
    actor: str = ""
    target_type: str = ""
    occurred_from: date | None = None
    occurred_to: date | None = None
    text: str = ""

    @classmethod
    def from_cleaned_data(cls, data: dict[str, Any]) -> EventFilters:
        return cls(
            action=(data.get("action") or "").strip(),
            actor=(data.get("actor") or "").strip(),
            target_type=(data.get("target_type") or "").strip(),
            occurred_from=data.get("occurred_from"),
            occurred_to=data.get("occurred_to"),
            text=(data.get("q") or "").strip(),
        )

    @property
    def active(self) -> bool:
        return any(
            (self.action, self.actor, self.target_type, self.occurred_from, self.occurred_to, self.text)
        )


def start_of_day_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _action_condition(action: str) -> Q:
    if action.endswith(ACTION_WILDCARD):
        return Q(action__startswith=action.rstrip(ACTION_WILDCARD))
    action = action.rstrip(".")
    return Q(action=action) | Q(action__startswith=f"{action}.")


def _text_condition(text: str) -> Q:
    condition = Q(target_label__icontains=text) | Q(changes__icontains=text)
    # SQLite keeps JSON text with non-ASCII characters escaped (\u00fc), so look for that spelling too.
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        condition |= Q(changes__icontains=escaped)
    return condition


def events(filters: EventFilters | None = None) -> QuerySet[AuditEvent]:
    """The active organization's events, newest first, narrowed by `filters`."""
    queryset = AuditEvent.objects.order_by("-seq")
    if filters is None:
        return queryset
    if filters.action:
        queryset = queryset.filter(_action_condition(filters.action))
    if filters.actor:
        queryset = queryset.filter(actor_label__icontains=filters.actor)
    if filters.target_type:
        queryset = queryset.filter(target_type=filters.target_type)
    if filters.occurred_from is not None:
        queryset = queryset.filter(occurred_at__gte=start_of_day_utc(filters.occurred_from))
    if filters.occurred_to is not None:
        queryset = queryset.filter(occurred_at__lt=start_of_day_utc(filters.occurred_to + timedelta(days=1)))
    if filters.text:
        queryset = queryset.filter(_text_condition(filters.text))
    return queryset


def event_by_id(event_id: int) -> AuditEvent | None:
    """One event of the active organization; None for a missing id and for another organization's."""
    return AuditEvent.objects.filter(pk=event_id).first()


def recorded_actions() -> list[str]:
    """The distinct actions in the active organization's log (for suggestions; uses the action index)."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def target_types() -> list[str]:
    """The kinds of records events can be about: every model with an access policy, by label."""
    return sorted(
        model._meta.label_lower for model in policies.registered_models() if model is not AuditEvent
    )


def _short(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def change_summary(changes: Any, *, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """One line for a table cell: `field: value`, and `field: before → after` for [before, after] pairs."""
    if not isinstance(changes, dict) or not changes:
        return "" if not changes else _short(changes)[:max_chars]
    parts = []
    for field, value in sorted(changes.items()):
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{field}: {_short(value[0])} → {_short(value[1])}")
        else:
            parts.append(f"{field}: {_short(value)}")
    summary = "; ".join(parts)
    return summary if len(summary) <= max_chars else summary[: max_chars - 1] + "…"
