"""RFC 5545 schedules of controls and checks: validation, the next occurrence, the slot due now."""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import rrule, rrulestr

FORBIDDEN_PARTS = {
    "COUNT": "A schedule repeats without end: remove COUNT.",
    "UNTIL": "A schedule repeats without end: remove UNTIL.",
    "DTSTART": "Leave DTSTART out: schedules start when the record is created.",
}
TOO_FREQUENT = {"SECONDLY", "MINUTELY"}
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in rule.split(";"):
        name, _, value = item.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    return parts


def rule_error(rule: object) -> str | None:
    """Why `rule` is not a usable schedule (None when it is)."""
    if not isinstance(rule, str) or not rule.strip():
        return "Give the schedule as an RFC 5545 rule, e.g. FREQ=DAILY or FREQ=MONTHLY;INTERVAL=3."
    rule = rule.strip()
    if len(rule) > 200:
        return "Use at most 200 characters."
    if rule.upper().startswith("RRULE:") or "\n" in rule:
        return "Give only the rule's parts, e.g. FREQ=DAILY (no RRULE: prefix, one line)."
    parts = _parts(rule)
    for name, message in FORBIDDEN_PARTS.items():
        if name in parts:
            return message
    if parts.get("FREQ") in TOO_FREQUENT:
        return "Run at most hourly: use FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY."
    try:
        parsed = rrulestr(rule, dtstart=EPOCH)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        return f"Not a valid RFC 5545 rule ({error}). Example: FREQ=DAILY."
    if not isinstance(parsed, rrule) or parsed.after(EPOCH) is None:
        return "The rule never repeats; give one that does, e.g. FREQ=DAILY."
    return None


def _rule(rule: str, anchor: dt.datetime) -> rrule:
    # Occurrences are counted from the anchor, at the anchor's time of day (to the minute).
    start = anchor.astimezone(dt.UTC).replace(second=0, microsecond=0)
    parsed = rrulestr(rule, dtstart=start)
    if not isinstance(parsed, rrule):  # rule_error() refuses such rules before they are stored
        raise ValueError(f"not a single recurrence rule: {rule!r}")
    return parsed


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
