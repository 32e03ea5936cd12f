"""Drill and action-item state computed when read, from the clock (time_machine) and the records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from tests.resilience.factories import make_drill, make_item, make_plan
from trustroom.resilience import selectors, services
from trustroom.resilience.state import next_due, plan_state, rule_error

pytestmark = pytest.mark.django_db
CREATED = dt.datetime(2026, 1, 10, 8, 0, tzinfo=dt.UTC)


def state_at(plan: Any, now: dt.datetime) -> Any:
    [fresh] = selectors.with_plan_state([plan], now)
    return fresh.state


def test_without_drills_the_first_is_due_two_months_after_the_plan_was_made(actor: Any) -> None:
    with time_machine.travel(CREATED, tick=False):
        plan = make_plan(actor)
    due = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)
    state = state_at(plan, due - dt.timedelta(days=8))
    assert (state.last_drill, state.next_due, state.overdue, state.due_soon) == (None, due, False, False)
    assert state.met_targets is None
    assert state_at(plan, due - dt.timedelta(days=7)).due_soon is True
    assert state_at(plan, due).overdue is False  # due at that moment, not yet late
    late = state_at(plan, due + dt.timedelta(seconds=1))
    assert late.overdue is True and late.due_soon is False


def test_the_last_drill_anchors_the_next_and_its_targets_are_judged(actor: Any) -> None:
    with time_machine.travel(CREATED, tick=False):
        plan = make_plan(actor)
    first = dt.datetime(2026, 2, 1, 10, 0, tzinfo=dt.UTC)
    make_drill(actor, plan, started_at=first, measured_rto_minutes=45, measured_rpo_minutes=2)
    second = dt.datetime(2026, 3, 31, 10, 0, tzinfo=dt.UTC)
    make_drill(
        actor, plan, started_at=second, measured_rto_minutes=75, measured_rpo_minutes=2,
        outcome="passed_with_issues", issues="Replica promotion needed a manual step",
    )  # fmt: skip
    now = dt.datetime(2026, 4, 2, tzinfo=dt.UTC)
    state = state_at(plan, now)
    assert state.last_drill_at == second
    # Two months after 31 March is 31 May; the rule does not skip to the next month with a 31st.
    assert state.next_due == dt.datetime(2026, 5, 31, 10, 0, tzinfo=dt.UTC)
    assert (state.rto_met, state.rpo_met, state.met_targets) == (False, True, False)
    assert state.overdue is False
    services.update_plan(actor=actor, plan=plan, rto_minutes=90)
    plan.refresh_from_db()
    assert state_at(plan, now).met_targets is True


def test_overdue_is_computed_when_read_without_any_job(actor: Any) -> None:
    with time_machine.travel(CREATED, tick=False):
        plan = make_plan(actor)
        make_drill(actor, plan, started_at=CREATED - dt.timedelta(days=1))
    with time_machine.travel(dt.datetime(2026, 3, 9, 7, 59, tzinfo=dt.UTC), tick=False):
        [fresh] = selectors.plans_with_state()
        assert fresh.state.overdue is False
    with time_machine.travel(dt.datetime(2026, 3, 9, 8, 1, tzinfo=dt.UTC), tick=False):
        [fresh] = selectors.plans_with_state()
        assert fresh.state.overdue is True
        assert selectors.dr_posture(actor.organization)[0]["overdue"] is True


def test_rules_other_than_the_default() -> None:
    anchor = dt.datetime(2026, 1, 31, 9, 0, tzinfo=dt.UTC)
    assert next_due("FREQ=MONTHLY;INTERVAL=1", anchor) == dt.datetime(2026, 2, 28, 9, 0, tzinfo=dt.UTC)
    assert next_due("FREQ=MONTHLY;INTERVAL=3", anchor) == dt.datetime(2026, 4, 30, 9, 0, tzinfo=dt.UTC)
    assert next_due("FREQ=WEEKLY;INTERVAL=2", anchor) == anchor + dt.timedelta(days=14)
    assert next_due("FREQ=MONTHLY;BYMONTHDAY=1", anchor) == dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.UTC)
    leap = dt.datetime(2028, 2, 29, 9, 0, tzinfo=dt.UTC)
    assert next_due("FREQ=YEARLY", leap) == dt.datetime(2029, 2, 28, 9, 0, tzinfo=dt.UTC)
    assert rule_error("FREQ=MONTHLY;INTERVAL=2") is None
    assert rule_error("FREQ=MONTHLY;BYMONTHDAY=30;BYMONTH=2") is not None  # never happens


def test_plan_state_reads_the_targets_of_the_given_drill() -> None:
    class Plan:
        drill_rule, rto_minutes, rpo_minutes, created_at = "FREQ=MONTHLY;INTERVAL=2", 60, 5, CREATED

    class Drill:
        started_at, measured_rto_minutes, measured_rpo_minutes, outcome = CREATED, 60, 6, "passed"

    state = plan_state(Plan(), Drill(), CREATED)
    assert (state.rto_met, state.rpo_met, state.met_targets) == (True, False, False)


def test_action_items_are_overdue_from_the_day_after_their_due_date(actor: Any) -> None:
    due = dt.date(2026, 3, 1)
    item = make_item(actor, due_on=due)
    make_item(actor, title="No date", due_on=None)
    done = make_item(actor, title="Done already", due_on=due - dt.timedelta(days=10))
    services.update_action_item(actor=actor, item=done, status="done")
    last_moment = dt.datetime(2026, 3, 1, 23, 59, 59, tzinfo=dt.UTC)
    next_day = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)
    for now, expected in ((last_moment, []), (next_day, [item.pk])):
        with time_machine.travel(now, tick=False):
            flagged = [i.pk for i in selectors.open_action_items() if i.overdue]
            queried = list(selectors.filter_action_items(overdue=True).values_list("pk", flat=True))
        assert flagged == expected and queried == expected
    services.update_action_item(actor=actor, item=item, status="cancelled")
    with time_machine.travel(next_day, tick=False):
        assert list(selectors.filter_action_items(overdue=True)) == []


def test_dr_posture_for_the_trust_center(actor: Any) -> None:
    with time_machine.travel(CREATED, tick=False):
        plan = make_plan(actor)
        make_plan(actor, service="Dashboard", rto_minutes=240, rpo_minutes=60)
    started = dt.datetime(2026, 2, 1, 10, 0, tzinfo=dt.UTC)
    make_drill(actor, plan, started_at=started, measured_rto_minutes=40)
    rows = selectors.dr_posture(actor.organization, dt.datetime(2026, 2, 2, tzinfo=dt.UTC))
    assert [r["service"] for r in rows] == ["Core API", "Dashboard"]
    assert rows[0] | {} == {
        "service": "Core API", "rto_minutes": 60, "rpo_minutes": 5, "last_drill_at": started,
        "outcome": "passed", "met_targets": True,
        "next_due": dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC), "overdue": False,
    }  # fmt: skip
    assert rows[1]["last_drill_at"] is None and rows[1]["met_targets"] is None
