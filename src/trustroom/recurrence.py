"""RFC 5545 recurrence rules, validated the same way wherever the program repeats something.

Control and check schedules, DR drill cadences and access review schedules are stored as the parts of
one RRULE (e.g. ``FREQ=MONTHLY;INTERVAL=3``). Every place refuses the same bad input: rules that end
(COUNT, UNTIL), a DTSTART of their own (the start comes from the record), several lines or a
``RRULE:`` prefix, more than 200 characters, rules with no occurrence, and rules finer than the
caller's finest frequency. Only the words of the messages and the finest frequency differ, through a
`Cadence`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.rrule import rrule, rrulestr

MAX_LENGTH = 200
# Coarsest first: a cadence allows its finest frequency and every coarser one.
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
ENDS = ("COUNT", "UNTIL")
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError)


@dataclass(frozen=True)
class Cadence:
    """What one kind of record accepts as its recurrence rule, and how its messages name it."""

    subject: str  # "schedule", "drill cadence": named in messages
    example: str  # a good rule, shown in messages
    finest: str  # the finest FREQ allowed, e.g. "DAILY"
    at_most: str  # "Run", "Drills are scheduled": starts the too-frequent message
    start: str  # where the start comes from, instead of a DTSTART

    def allowed(self) -> tuple[str, ...]:
        return FREQUENCIES[: FREQUENCIES.index(self.finest) + 1]


def rule_parts(rule: str) -> dict[str, str]:
    """The rule's NAME=VALUE parts, upper-cased (no validation)."""
    parts: dict[str, str] = {}
    for item in rule.split(";"):
        name, _, value = item.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    return parts


def _too_frequent(cadence: Cadence) -> str:
    *finer, coarsest = reversed(cadence.allowed())
    listed = f"{', '.join(finer)} or {coarsest}" if finer else coarsest
    return f"{cadence.at_most} at most {cadence.finest.lower()}: use FREQ={listed}."


def rule_error(rule: object, cadence: Cadence, *, starts_at: dt.datetime = EPOCH) -> str | None:
    """Why `rule` is not a usable recurrence for `cadence` (None when it is).

    `starts_at` is where occurrences are counted from when checking that the rule has one.
    """
    example = cadence.example
    if not isinstance(rule, str) or not rule.strip():
        return f"Give an RFC 5545 rule for the {cadence.subject}, e.g. {example}."
    rule = rule.strip()
    if len(rule) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if rule.upper().startswith("RRULE:") or "\n" in rule:
        return f"Give only the rule's parts, e.g. {example} (no RRULE: prefix, one line)."
    if "DTSTART" in rule.upper():
        return f"Leave DTSTART out: {cadence.start}"
    parts = rule_parts(rule)
    if "FREQ" not in parts and all("=" in item for item in rule.split(";")):
        return f"The rule needs a FREQ part, e.g. {example}."
    try:
        parsed = rrulestr(rule, dtstart=starts_at)
    except PARSE_ERRORS as error:
        return f"Not a valid RFC 5545 rule ({error}). Example: {example}."
    if not isinstance(parsed, rrule):
        return f"Give one rule, not a set of rules, e.g. {example}."
    if parsed.after(starts_at, inc=True) is None:
        return f"The rule never repeats (no occurrence after its start); give one that does, e.g. {example}."
    for name in ENDS:
        if name in parts:
            return f"A {cadence.subject} repeats without end: remove {name}."
    if parts.get("FREQ") not in cadence.allowed():
        return _too_frequent(cadence)
    return None


def parse(rule: str, starts_at: dt.datetime) -> rrule:
    """A stored (validated) rule's occurrences counted from `starts_at`.

    Reading does not validate again, so a rule stored under older, looser checks keeps working.
    """
    parsed = rrulestr(rule, dtstart=starts_at)
    if not isinstance(parsed, rrule):  # rule_error() refuses such rules before they are stored
        raise ValueError(f"not a single recurrence rule: {rule!r}")
    return parsed
