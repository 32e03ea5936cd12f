"""Writes of the resilience program: validation (field and reason, nothing written), audit, policies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import member, principal_for
from tests.resilience.factories import NOW, make_drill, make_exercise, make_item, make_plan
from trustroom.audit.models import AuditEvent
from trustroom.resilience import services
from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill

pytestmark = pytest.mark.django_db
START = NOW - dt.timedelta(days=3)


def errors_of(call: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_plan_is_created_with_the_default_cadence_and_audited(actor: Any) -> None:
    plan = make_plan(actor, owner=actor.user)
    assert plan.drill_rule == "FREQ=MONTHLY;INTERVAL=2"
    assert (plan.service, plan.rto_minutes, plan.rpo_minutes, plan.owner) == ("Core API", 60, 5, actor.user)
    event = AuditEvent.objects.get(action="dr_plan.created")
    assert event.changes["service"] == "Core API" and event.changes["owner"] == actor.user.email


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"service": "  "}, "service", "Name the service"),
        ({"service": "x" * 201}, "service", "at most 200"),
        ({"rto_minutes": None}, "rto_minutes", "in minutes"),
        ({"rto_minutes": -1}, "rto_minutes", "whole number"),
        ({"rpo_minutes": 1.5}, "rpo_minutes", "whole number"),
        ({"rpo_minutes": 10**9}, "rpo_minutes", "whole number"),
        ({"drill_rule": "FREQ=FORTNIGHTLY"}, "drill_rule", "Not a valid RFC 5545 rule"),
        ({"drill_rule": "every two months"}, "drill_rule", "Not a valid RFC 5545 rule"),
        ({"drill_rule": "FREQ=MONTHLY;COUNT=3"}, "drill_rule", "remove COUNT"),
        ({"drill_rule": "FREQ=MONTHLY;UNTIL=20270101T000000Z"}, "drill_rule", "remove UNTIL"),
        ({"drill_rule": "FREQ=HOURLY"}, "drill_rule", "at most daily"),
        ({"drill_rule": "RRULE:FREQ=MONTHLY"}, "drill_rule", "no RRULE: prefix"),
    ],
)
def test_plan_validation_names_the_field_and_writes_nothing(
    actor: Any, fields: dict[str, Any], field: str, reason: str
) -> None:
    errors = errors_of(lambda: make_plan(actor, **fields))
    assert reason in errors[field][0]
    assert DrPlan.objects.count() == 0 and actions() == []


def test_plan_service_is_unique_and_owner_must_be_a_member(actor: Any, org_b: Any) -> None:
    make_plan(actor)
    assert "already has a plan" in errors_of(lambda: make_plan(actor, service="core api"))["service"][0]
    outsider = member(org_b, "owner", email="outsider@bravo.test")
    assert "member" in errors_of(lambda: make_plan(actor, service="Web", owner=outsider))["owner"][0]


def test_plan_update_records_changes_and_rejects_unknown_fields(actor: Any) -> None:
    plan = make_plan(actor)
    services.update_plan(actor=actor, plan=plan, rto_minutes=30, drill_rule="FREQ=MONTHLY;INTERVAL=1")
    plan.refresh_from_db()
    assert plan.rto_minutes == 30
    assert AuditEvent.objects.get(action="dr_plan.updated").changes["rto_minutes"] == [60, 30]
    assert (
        "cannot be changed"
        in errors_of(lambda: services.update_plan(actor=actor, plan=plan, created_at=NOW))["created_at"][0]
    )
    assert (
        "rule"
        in errors_of(lambda: services.update_plan(actor=actor, plan=plan, drill_rule="nope"))["drill_rule"][0]
    )
    plan.refresh_from_db()
    assert plan.drill_rule == "FREQ=MONTHLY;INTERVAL=1"


def test_drill_rto_defaults_to_the_duration_and_is_stored_in_utc(actor: Any) -> None:
    plan = make_plan(actor)
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    started = dt.datetime(2026, 2, 20, 15, 30, tzinfo=ist)
    drill = make_drill(
        actor, plan, started_at=started, ended_at=started + dt.timedelta(minutes=41, seconds=5)
    )
    assert drill.measured_rto_minutes == 42  # rounded up
    assert drill.started_at.utcoffset() == dt.timedelta(0) and drill.started_at == started
    assert drill.recorded_by == actor.user
    edited = make_drill(actor, plan, started_at=START, measured_rto_minutes=25)
    assert edited.measured_rto_minutes == 25
    assert actions().count("failover_drill.recorded") == 2


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"ended_at": START}, "ended_at", "end after it started"),
        ({"ended_at": START - dt.timedelta(minutes=1)}, "ended_at", "end after it started"),
        ({"ended_at": None}, "ended_at", "restored"),
        ({"started_at": dt.datetime(2026, 2, 1, 9, 0)}, "started_at", "time zone"),  # noqa: DTZ001
        ({"started_at": "yesterday"}, "started_at", "date and time"),
        ({"scheduled_for": dt.datetime(2026, 2, 1)}, "scheduled_for", "time zone"),  # noqa: DTZ001
        ({"outcome": "great"}, "outcome", "one of"),
        ({"outcome": "failed", "issues": ""}, "issues", "Describe the issues"),
        ({"measured_rpo_minutes": None}, "measured_rpo_minutes", "in minutes"),
        ({"measured_rto_minutes": -5}, "measured_rto_minutes", "whole number"),
        ({"ended_at": NOW + dt.timedelta(days=2), "now": NOW}, "ended_at", "in the future"),
    ],
)
def test_drill_validation_names_the_field_and_writes_nothing(
    actor: Any, fields: dict[str, Any], field: str, reason: str
) -> None:
    plan = make_plan(actor)
    values = {"started_at": START, **fields}
    if not isinstance(values["started_at"], dt.datetime) or values["started_at"].tzinfo is None:
        values["ended_at"] = START + dt.timedelta(minutes=30)
    errors = errors_of(lambda: make_drill(actor, plan, **values))
    assert reason in errors[field][0]
    assert FailoverDrill.objects.count() == 0 and actions() == ["dr_plan.created"]


def test_drill_update_and_delete_are_audited(actor: Any) -> None:
    plan = make_plan(actor)
    drill = make_drill(actor, plan, started_at=START)
    services.update_drill(actor=actor, drill=drill, outcome="passed_with_issues", issues="Lag alarm late")
    drill.refresh_from_db()
    assert drill.outcome == "passed_with_issues"
    assert (
        "end after"
        in errors_of(
            lambda: services.update_drill(actor=actor, drill=drill, ended_at=START - dt.timedelta(hours=1))
        )["ended_at"][0]
    )
    services.delete_drill(actor=actor, drill=drill)
    assert FailoverDrill.objects.count() == 0
    assert actions()[-2:] == ["failover_drill.updated", "failover_drill.deleted"]


def test_exercise_participants_and_open_points_are_validated(actor: Any) -> None:
    exercise = make_exercise(actor, participants=[{"function": " Legal ", "name": " Chitra "}])
    assert exercise.participants == [{"function": "Legal", "name": "Chitra"}]
    bad: list[tuple[dict[str, Any], str, str]] = [
        ({"participants": "Engineering"}, "participants", "list"),
        ({"participants": [{"function": "Legal"}]}, "participants", "Participant 1: give the person's name"),
        ({"participants": [{"function": "", "name": "A"}]}, "participants", "name the function"),
        ({"participants": [{"function": "A", "name": "B", "email": "x"}]}, "participants", "only"),
        ({"participants": ["Asha"]}, "participants", "only"),
        ({"open_points": "one"}, "open_points", "list of text"),
        ({"open_points": ["x" * 301]}, "open_points", "at most 300"),
        ({"title": ""}, "title", "title"),
        ({"scenario": " "}, "scenario", "scenario"),
        ({"held_at": None}, "held_at", "held"),
        ({"held_at": dt.datetime(2026, 1, 1)}, "held_at", "time zone"),  # noqa: DTZ001
    ]
    for fields, field, reason in bad:
        assert reason in errors_of(lambda fields=fields: make_exercise(actor, **fields))[field][0], fields
    assert BcpExercise.objects.count() == 1


def test_open_points_become_action_items_once(actor: Any) -> None:
    exercise = make_exercise(actor)
    due = NOW.date() + dt.timedelta(days=30)
    created = services.action_items_from_open_points(
        actor=actor, exercise=exercise, owner=actor.user, due_on=due
    )
    assert [i.title for i in created] == [
        "Status page wording for region outages",
        "Customer notice template",
    ]
    assert all(i.exercise == exercise and i.owner == actor.user and i.due_on == due for i in created)
    assert services.action_items_from_open_points(actor=actor, exercise=exercise) == []
    assert ActionItem.objects.count() == 2
    empty = make_exercise(actor, title="Ransomware", open_points=[])
    assert (
        "no open points"
        in errors_of(lambda: services.action_items_from_open_points(actor=actor, exercise=empty))[
            "open_points"
        ][0]
    )


def test_action_item_has_at_most_one_source(actor: Any) -> None:
    plan = make_plan(actor)
    drill = make_drill(actor, plan, started_at=START)
    exercise = make_exercise(actor)
    errors = errors_of(lambda: make_item(actor, exercise=exercise, drill=drill))
    assert "not both" in errors["source"][0]
    assert ActionItem.objects.count() == 0
    assert make_item(actor, drill=drill).source_label == "Drill"
    assert make_item(actor, exercise=exercise).source_label == "Exercise"
    assert make_item(actor).source_label == "Standalone"


def test_action_item_source_rule_is_also_a_database_constraint(actor: Any) -> None:
    from django.db import IntegrityError, transaction

    plan = make_plan(actor)
    drill = make_drill(actor, plan, started_at=START)
    exercise = make_exercise(actor)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.create(title="Both", exercise=exercise, drill=drill)


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"title": ""}, "title", "title"),
        ({"title": "x" * 301}, "title", "at most 300"),
        ({"status": "blocked"}, "status", "one of"),
        ({"due_on": "2026-03-01"}, "due_on", "date"),
        ({"due_on": NOW}, "due_on", "date"),
    ],
)
def test_action_item_validation(actor: Any, fields: dict[str, Any], field: str, reason: str) -> None:
    assert reason in errors_of(lambda: make_item(actor, **fields))[field][0]
    assert ActionItem.objects.count() == 0


def test_done_sets_completed_at_and_reopening_clears_it(actor: Any) -> None:
    item = make_item(actor)
    services.update_action_item(actor=actor, item=item, status="done", now=NOW)
    item.refresh_from_db()
    assert item.completed_at == NOW
    services.update_action_item(actor=actor, item=item, status="in_progress")
    item.refresh_from_db()
    assert item.completed_at is None and item.status == "in_progress"
    assert actions().count("action_item.updated") == 2


def test_viewers_read_but_do_not_write_and_editors_do_not_delete(org_a: Any, actor: Any) -> None:
    plan = make_plan(actor)
    viewer = principal_for(member(org_a, "viewer", email="v@alpha.test"), org_a)
    editor = principal_for(member(org_a, "editor", email="e@alpha.test"), org_a)
    with pytest.raises(PermissionDenied):
        make_plan(viewer, service="Web")
    with pytest.raises(PermissionDenied):
        make_item(viewer)
    services.update_plan(actor=editor, plan=plan, rpo_minutes=2)
    with pytest.raises(PermissionDenied):
        services.delete_plan(actor=editor, plan=plan)
    services.delete_plan(actor=actor, plan=plan)
    assert DrPlan.objects.count() == 0
