"""The shared RFC 5545 validator: one set of refusals, each caller's words and finest frequency."""

from __future__ import annotations

import datetime as dt

import pytest

from trustroom import recurrence

HOURLY = recurrence.Cadence(
    subject="schedule", example="FREQ=DAILY", finest="HOURLY", at_most="Run", start="it starts at creation."
)
DAILY = recurrence.Cadence(
    subject="cadence", example="FREQ=WEEKLY", finest="DAILY", at_most="Drills run", start="from the last one."
)
START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("rule", ["FREQ=DAILY", " FREQ=MONTHLY;INTERVAL=3 ", "FREQ=WEEKLY;BYDAY=MO,TH"])
def test_good_rules_pass(rule: str) -> None:
    assert recurrence.rule_error(rule, DAILY) is None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (None, "Give an RFC 5545 rule for the cadence, e.g. FREQ=WEEKLY."),
        ("  ", "Give an RFC 5545 rule for the cadence, e.g. FREQ=WEEKLY."),
        ("FREQ=DAILY;" + "INTERVAL=1;" * 20, "Use at most 200 characters."),
        ("RRULE:FREQ=DAILY", "Give only the rule's parts, e.g. FREQ=WEEKLY (no RRULE: prefix, one line)."),
        (
            "FREQ=DAILY\nFREQ=WEEKLY",
            "Give only the rule's parts, e.g. FREQ=WEEKLY (no RRULE: prefix, one line).",
        ),
        ("FREQ=DAILY;DTSTART=20260101T000000Z", "Leave DTSTART out: from the last one."),
        ("INTERVAL=3", "The rule needs a FREQ part, e.g. FREQ=WEEKLY."),
        ("FREQ=MONTHLY;COUNT=3", "A cadence repeats without end: remove COUNT."),
        ("FREQ=MONTHLY;UNTIL=20300101T000000Z", "A cadence repeats without end: remove UNTIL."),
        ("FREQ=HOURLY", "Drills run at most daily: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."),
        ("FREQ=MINUTELY", "Drills run at most daily: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."),
    ],
)
def test_bad_rules_say_what_is_wrong(rule: object, message: str) -> None:
    assert recurrence.rule_error(rule, DAILY) == message


@pytest.mark.parametrize("rule", ["nope", "FREQ=FORTNIGHTLY", "FREQ=MONTHLY;INTERVAL=x"])
def test_unparsable_rules_name_the_parser_error_and_an_example(rule: str) -> None:
    message = recurrence.rule_error(rule, DAILY)
    assert message is not None
    assert message.startswith("Not a valid RFC 5545 rule (") and message.endswith("Example: FREQ=WEEKLY.")


def test_rules_without_occurrence_are_refused_before_their_end_is() -> None:
    never = recurrence.rule_error("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", DAILY)
    assert never is not None and "never repeats" in never
    ended = recurrence.rule_error("FREQ=MONTHLY;UNTIL=20200101T000000Z", DAILY, starts_at=START)
    assert ended is not None and "no occurrence" in ended


def test_the_finest_frequency_is_the_cadences() -> None:
    assert recurrence.rule_error("FREQ=HOURLY;INTERVAL=6", HOURLY) is None
    assert recurrence.rule_error("FREQ=MINUTELY", HOURLY) == (
        "Run at most hourly: use FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY."
    )


def test_parse_counts_from_the_start_and_refuses_sets() -> None:
    assert recurrence.parse("FREQ=DAILY", START).after(START) == START + dt.timedelta(days=1)
    with pytest.raises(ValueError, match="not a single recurrence rule"):
        recurrence.parse("RRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY", START)


def test_rule_parts_are_upper_cased() -> None:
    assert recurrence.rule_parts("freq=daily; interval=2") == {"FREQ": "DAILY", "INTERVAL": "2"}
