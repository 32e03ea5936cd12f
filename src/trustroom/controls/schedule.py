"""RFC 5545 schedules of controls and checks: validation, the next occurrence, the slot due now."""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import rrule

from trustroom import recurrence

CADENCE = recurrence.Cadence(
    subject="schedule",
    example="FREQ=DAILY",
    finest="HOURLY",
    at_most="Run",
    start="schedules start when the record is created.",
)


def rule_error(rule: object) -> str | None:
    """Why `rule` is not a usable schedule (None when it is)."""
    return recurrence.rule_error(rule, CADENCE)


def _rule(rule: str, anchor: dt.datetime) -> rrule:
    # Occurrences are counted from the anchor, at the anchor's time of day (to the minute).
    return recurrence.parse(rule, anchor.astimezone(dt.UTC).replace(second=0, microsecond=0))


def next_after(rule: str, anchor: dt.datetime, moment: dt.datetime) -> dt.datetime | None:
    """The first occurrence of `rule` (counted from `anchor`) strictly after `moment`."""
    return _rule(rule, anchor).after(moment.astimezone(dt.UTC), inc=False)


def due_slot(
    rule: str, anchor: dt.datetime, last_slot: dt.datetime | None, now: dt.datetime
) -> dt.datetime | None:
    """The latest occurrence at or before `now` that is later than the last claimed slot (or the anchor).

    None when nothing is due. Several missed occurrences collapse into the latest: a check that could
    not run for a week runs once, not seven times.
    """
    after = last_slot or anchor
    slot = _rule(rule, anchor).before(now.astimezone(dt.UTC), inc=True)
    if slot is None or slot <= after:
        return None
    return slot
