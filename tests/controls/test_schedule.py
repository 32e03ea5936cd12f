"""Schedules: RFC 5545 rules validated; a slot is due once, missed slots collapse into the latest."""

from __future__ import annotations

import datetime as dt

import pytest

from trustroom.controls.schedule import due_slot, next_after, rule_error

ANCHOR = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("rule", ["FREQ=DAILY", "FREQ=HOURLY;INTERVAL=6", "FREQ=MONTHLY;INTERVAL=3"])
def test_good_rules(rule: str) -> None:
    assert rule_error(rule) is None


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("", "RFC 5545"),
        ("FREQ=MINUTELY", "at most hourly"),
        ("FREQ=DAILY;COUNT=3", "COUNT"),
        ("RRULE:FREQ=DAILY", "no RRULE"),
        ("FREQ=SOMETIMES", "Not a valid"),
        (42, "RFC 5545"),
    ],
)
def test_bad_rules_say_why(rule: object, reason: str) -> None:
    message = rule_error(rule)
    assert message is not None and reason in message


def test_nothing_is_due_before_the_first_occurrence() -> None:
    assert due_slot("FREQ=DAILY", ANCHOR, None, ANCHOR + dt.timedelta(hours=23)) is None
    assert due_slot("FREQ=DAILY", ANCHOR, None, ANCHOR + dt.timedelta(days=1)) == ANCHOR + dt.timedelta(
        days=1
    )


def test_a_claimed_slot_is_not_due_again_and_missed_slots_collapse() -> None:
    first = ANCHOR + dt.timedelta(days=1)
    assert due_slot("FREQ=DAILY", ANCHOR, first, first + dt.timedelta(hours=5)) is None
    late = ANCHOR + dt.timedelta(days=7, hours=3)
    assert due_slot("FREQ=DAILY", ANCHOR, first, late) == ANCHOR + dt.timedelta(days=7)


def test_next_after() -> None:
    assert next_after("FREQ=WEEKLY", ANCHOR, ANCHOR) == ANCHOR + dt.timedelta(days=7)
