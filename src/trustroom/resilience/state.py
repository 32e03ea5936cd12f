"""State of the resilience program, computed from timestamps when read. Nothing here is stored.

Drills (per plan):
- the last drill is the one that started last (every recorded drill is a completed one);
- the next drill is due at the first occurrence of the plan's rule after the anchor: the last drill's
  start, or the plan's creation when it has had no drill yet;
- overdue: now is after the next due moment; due soon: at most DUE_SOON days before it;
- the last drill met its targets when its measured RTO and RPO are within the plan's.

Action items are overdue from the UTC day after their due date while open or in progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.rrule import MONTHLY, YEARLY, rrule
from django.utils import timezone

from trustroom import recurrence
from trustroom.resilience.models import OPEN_STATUSES

DUE_SOON = dt.timedelta(days=7)
CADENCE = recurrence.Cadence(
    subject="drill cadence",
    example="FREQ=MONTHLY;INTERVAL=2",
    finest="DAILY",
    at_most="Drills are scheduled",
    start="drills are scheduled from the last drill (or the plan's creation).",
)


def utc_today(now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(dt.UTC).date()


def rule_error(rule: object) -> str | None:
    """Why `rule` is not a usable drill cadence (None when it is)."""
    return recurrence.rule_error(rule, CADENCE)


def _schedule(rule: str, anchor: dt.datetime) -> rrule:
    parts = recurrence.rule_parts(rule)
    plain = not any(name.startswith("BY") for name in parts)
    freq = parts.get("FREQ")
    if plain and freq in ("MONTHLY", "YEARLY") and anchor.day > 28:
        # "Every two months" from the 31st falls on the month's last day when it is shorter, instead of
        # skipping to the next month that has a 31st (what a plain rule does).
        interval = int(parts.get("INTERVAL", "1") or "1")
        return rrule(
            MONTHLY if freq == "MONTHLY" else YEARLY,
            interval=interval,
            dtstart=anchor,
            bymonthday=(anchor.day, -1),
            bysetpos=1,
            bymonth=anchor.month if freq == "YEARLY" else None,
        )
    return recurrence.parse(rule, anchor)


def next_due(rule: str, anchor: dt.datetime) -> dt.datetime | None:
    """The first occurrence of `rule` strictly after `anchor` (None for an unusable rule)."""
    if rule_error(rule) is not None:
        return None
    return _schedule(rule, anchor.astimezone(dt.UTC)).after(anchor.astimezone(dt.UTC))


def met_targets(drill: Any, plan: Any) -> bool:
    return bool(
        drill.measured_rto_minutes <= plan.rto_minutes and drill.measured_rpo_minutes <= plan.rpo_minutes
    )


@dataclass(frozen=True)
class PlanState:
    last_drill: Any  # FailoverDrill | None
    next_due: dt.datetime | None
    overdue: bool
    due_soon: bool
    rto_met: bool | None  # None: no drill yet
    rpo_met: bool | None
    met_targets: bool | None

    @property
    def last_drill_at(self) -> dt.datetime | None:
        return self.last_drill.started_at if self.last_drill is not None else None


def plan_state(plan: Any, last_drill: Any, now: dt.datetime | None = None) -> PlanState:
    """The plan's drill state at `now`, given its last drill (None when it has had none)."""
    now = now or timezone.now()
    anchor = last_drill.started_at if last_drill is not None else plan.created_at
    due = next_due(plan.drill_rule, anchor)
    overdue = due is not None and now > due
    due_soon = due is not None and not overdue and due - now <= DUE_SOON
    if last_drill is None:
        return PlanState(None, due, overdue, due_soon, None, None, None)
    rto_met = last_drill.measured_rto_minutes <= plan.rto_minutes
    rpo_met = last_drill.measured_rpo_minutes <= plan.rpo_minutes
    return PlanState(last_drill, due, overdue, due_soon, rto_met, rpo_met, rto_met and rpo_met)


def action_item_overdue(item: Any, now: dt.datetime | None = None) -> bool:
    """Open or in progress, and past its due date (the due date itself is not overdue)."""
    return bool(item.status in OPEN_STATUSES and item.due_on is not None and utc_today(now) > item.due_on)
