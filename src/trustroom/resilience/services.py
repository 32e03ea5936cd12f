"""Writes of the resilience program: DR plans, failover drills, BCP exercises and action items.

Every function is keyword-only with the acting principal first, atomic, checks the model's policy,
validates (a ValidationError keyed by field; nothing half-written) and records one audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.resilience.models import (
    DEFAULT_DRILL_RULE,
    ActionItem,
    ActionStatus,
    BcpExercise,
    DrillOutcome,
    DrPlan,
    FailoverDrill,
)
from trustroom.resilience.state import rule_error
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import membership_in

PLAN_FIELDS = ("service", "description", "rto_minutes", "rpo_minutes", "topology", "drill_rule", "owner")
DRILL_FIELDS = (
    "scheduled_for",
    "started_at",
    "ended_at",
    "measured_rto_minutes",
    "measured_rpo_minutes",
    "outcome",
    "issues",
)
EXERCISE_FIELDS = ("title", "scenario", "held_at", "facilitator", "participants", "summary", "open_points")
ACTION_ITEM_FIELDS = ("title", "detail", "owner", "due_on", "status")
TEXT_FIELDS = {"service", "description", "topology", "drill_rule", "issues", "title", "scenario", "summary"}
TEXT_LIMITS = {"service": 200, "drill_rule": 200, "title": 200}
MAX_TARGET_MINUTES = 60 * 24 * 90  # 90 days; anything longer is a typo
MAX_PARTICIPANTS = 100
MAX_OPEN_POINTS = 100
PARTICIPANT_TEXT_MAX = 120
OPEN_POINT_MAX = 300


# --- Shared checks ---------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "email"):
        return value.email
    if hasattr(value, "pk"):
        return value.pk
    return value


def _check_member(user: Any, field: str, errors: dict[str, str]) -> None:
    if user is not None and membership_in(user, require_org()) is None:
        errors[field] = "Choose a member of the organization."


def _check_text(
    values: dict[str, Any], name: str, errors: dict[str, str], *, required: str = "", limit: int = 0
) -> None:
    value = values[name]
    limit = limit or TEXT_LIMITS.get(name, 0)
    if not isinstance(value, str):
        errors[name] = "Give text."
    elif required and not value:
        errors[name] = required
    elif limit and len(value) > limit:
        errors[name] = f"Use at most {limit} characters."


def _check_minutes(values: dict[str, Any], name: str, errors: dict[str, str], what: str) -> None:
    value = values[name]
    if value is None:
        errors[name] = f"Give the {what} in minutes."
    elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TARGET_MINUTES:
        errors[name] = f"Give the {what} as a whole number of minutes from 0 to {MAX_TARGET_MINUTES}."


def _check_moment(value: Any, name: str, errors: dict[str, str], *, required: str = "") -> None:
    if value is None:
        if required:
            errors[name] = required
    elif not isinstance(value, dt.datetime):
        errors[name] = "Give a date and time (ISO 8601, with a time zone)."
    elif timezone.is_naive(value):
        errors[name] = "Give the time with a time zone (UTC)."


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (value or "").strip() if name in TEXT_FIELDS and isinstance(value, str | None) else value
        for name, value in values.items()
    }


def _to_utc(values: dict[str, Any], *names: str) -> None:
    for name in names:
        value = values.get(name)
        if isinstance(value, dt.datetime) and not timezone.is_naive(value):
            values[name] = value.astimezone(dt.UTC)


def _apply(
    instance: Any,
    fields: tuple[str, ...],
    updates: dict[str, Any],
    validate: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Validate the merged values and set the changed ones on `instance`; the changes, old and new."""
    unknown = sorted(set(updates) - set(fields))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    values = {name: getattr(instance, name) for name in fields}
    values.update(_clean(updates))
    validate(values)
    changes: dict[str, Any] = {}
    for name in fields:
        old, new = getattr(instance, name), values[name]
        if _json_value(old) != _json_value(new):
            changes[name] = [_json_value(old), _json_value(new)]
            setattr(instance, name, new)
    return changes


def _created_changes(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _json_value(value) for name, value in values.items() if value not in (None, "", [])}


# --- DR plans --------------------------------------------------------------------------------------


def _validate_plan(values: dict[str, Any], *, plan: DrPlan | None = None) -> None:
    errors: dict[str, str] = {}
    _check_text(values, "service", errors, required="Name the service this plan recovers.")
    for name in ("description", "topology"):
        _check_text(values, name, errors)
    _check_minutes(values, "rto_minutes", errors, "recovery time objective (RTO)")
    _check_minutes(values, "rpo_minutes", errors, "recovery point objective (RPO)")
    message = rule_error(values["drill_rule"])
    if message:
        errors["drill_rule"] = message
    _check_member(values["owner"], "owner", errors)
    if "service" not in errors:
        clash = DrPlan.objects.filter(service__iexact=values["service"])
        if plan is not None:
            clash = clash.exclude(pk=plan.pk)
        if clash.exists():
            errors["service"] = "The organization already has a plan for this service."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_plan(
    *,
    actor: Principal,
    service: str,
    rto_minutes: int | None,
    rpo_minutes: int | None,
    description: str = "",
    topology: str = "",
    drill_rule: str = DEFAULT_DRILL_RULE,
    owner: Any = None,
) -> DrPlan:
    """A disaster-recovery plan for one service (one per service name)."""
    policies.check(actor, "add", DrPlan)
    values = _clean(
        {
            "service": service,
            "description": description,
            "rto_minutes": rto_minutes,
            "rpo_minutes": rpo_minutes,
            "topology": topology,
            "drill_rule": drill_rule or DEFAULT_DRILL_RULE,
            "owner": owner,
        }
    )
    _validate_plan(values)
    plan = DrPlan.objects.create(**values)
    record_event(actor=actor, action="dr_plan.created", target=plan, changes=_created_changes(values))
    return plan


@transaction.atomic
def update_plan(*, actor: Principal, plan: DrPlan, **updates: Any) -> DrPlan:
    policies.check(actor, "change", plan)
    plan = DrPlan.objects.select_for_update().get(pk=plan.pk)
    changes = _apply(plan, PLAN_FIELDS, updates, lambda values: _validate_plan(values, plan=plan))
    if changes:
        plan.save()
        record_event(actor=actor, action="dr_plan.updated", target=plan, changes=changes)
    return plan


@transaction.atomic
def delete_plan(*, actor: Principal, plan: DrPlan) -> None:
    """Delete a plan with its drills (and their action items); the audit log keeps the event."""
    policies.check(actor, "delete", plan)
    record_event(
        actor=actor,
        action="dr_plan.deleted",
        target=plan,
        changes={"service": plan.service, "drills": plan.drills.count()},
    )
    plan.delete()


# --- Failover drills -------------------------------------------------------------------------------


def _validate_drill(values: dict[str, Any], *, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    _check_moment(values["scheduled_for"], "scheduled_for", errors)
    _check_moment(values["started_at"], "started_at", errors, required="Give the moment the drill started.")
    _check_moment(
        values["ended_at"], "ended_at", errors, required="Give the moment the service was restored."
    )
    start, end = values["started_at"], values["ended_at"]
    if "started_at" not in errors and "ended_at" not in errors:
        if end <= start:
            errors["ended_at"] = "The drill must end after it started."
        elif end > now + dt.timedelta(minutes=5):
            errors["ended_at"] = "Record a drill once it has happened: the end is in the future."
    _check_minutes(values, "measured_rto_minutes", errors, "measured recovery time (RTO)")
    _check_minutes(values, "measured_rpo_minutes", errors, "measured data loss (RPO)")
    if values["outcome"] not in DrillOutcome.values:
        errors["outcome"] = f"Outcome must be one of: {', '.join(DrillOutcome.values)}."
    _check_text(values, "issues", errors)
    if (
        "issues" not in errors
        and values["outcome"] in (DrillOutcome.FAILED, DrillOutcome.PASSED_WITH_ISSUES)
        and not values["issues"]
    ):
        errors["issues"] = "Describe the issues found: the outcome says there were some."
    if errors:
        raise ValidationError(errors)


def default_rto_minutes(started_at: Any, ended_at: Any) -> int | None:
    """Whole minutes from start to end, rounded up (a drill of 61 seconds took 2 minutes)."""
    if not (isinstance(started_at, dt.datetime) and isinstance(ended_at, dt.datetime)):
        return None
    if timezone.is_naive(started_at) or timezone.is_naive(ended_at) or ended_at <= started_at:
        return None
    seconds = (ended_at - started_at).total_seconds()
    return int(-(-seconds // 60))


@transaction.atomic
def record_drill(
    *,
    actor: Principal,
    plan: DrPlan,
    started_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    outcome: str,
    measured_rpo_minutes: int | None,
    measured_rto_minutes: int | None = None,
    scheduled_for: dt.datetime | None = None,
    issues: str = "",
    now: dt.datetime | None = None,
) -> FailoverDrill:
    """Record a failover drill that took place. The measured RTO defaults to the time from start to end."""
    policies.check(actor, "add", FailoverDrill)
    if plan is None or plan.pk is None or plan.organization_id != require_org().pk:
        raise ValidationError({"plan": "Choose a DR plan of the organization."})
    if measured_rto_minutes is None:
        measured_rto_minutes = default_rto_minutes(started_at, ended_at)
    values = _clean(
        {
            "scheduled_for": scheduled_for,
            "started_at": started_at,
            "ended_at": ended_at,
            "measured_rto_minutes": measured_rto_minutes,
            "measured_rpo_minutes": measured_rpo_minutes,
            "outcome": outcome,
            "issues": issues,
        }
    )
    _validate_drill(values, now=now or timezone.now())
    _to_utc(values, "scheduled_for", "started_at", "ended_at")
    drill = FailoverDrill.objects.create(plan=plan, recorded_by=actor.user, **values)
    record_event(
        actor=actor,
        action="failover_drill.recorded",
        target=drill,
        changes={"plan": plan.service, **_created_changes(values)},
    )
    return drill


@transaction.atomic
def update_drill(*, actor: Principal, drill: FailoverDrill, **updates: Any) -> FailoverDrill:
    policies.check(actor, "change", drill)
    drill = FailoverDrill.objects.select_for_update().get(pk=drill.pk)
    now = timezone.now()
    changes = _apply(drill, DRILL_FIELDS, updates, lambda values: _validate_drill(values, now=now))
    if changes:
        for name in ("scheduled_for", "started_at", "ended_at"):
            value = getattr(drill, name)
            if value is not None:
                setattr(drill, name, value.astimezone(dt.UTC))
        drill.save()
        record_event(actor=actor, action="failover_drill.updated", target=drill, changes=changes)
    return drill


@transaction.atomic
def delete_drill(*, actor: Principal, drill: FailoverDrill) -> None:
    policies.check(actor, "delete", drill)
    record_event(
        actor=actor,
        action="failover_drill.deleted",
        target=drill,
        changes={"plan": drill.plan.service, "started_at": drill.started_at.isoformat()},
    )
    drill.delete()


# --- BCP exercises ---------------------------------------------------------------------------------


def clean_participants(raw: Any) -> list[dict[str, str]]:
    """A list of {"function", "name"}; raises ValidationError keyed `participants` when malformed."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError({"participants": 'Give a list of {"function": …, "name": …} entries.'})
    if len(raw) > MAX_PARTICIPANTS:
        raise ValidationError({"participants": f"List at most {MAX_PARTICIPANTS} participants."})
    cleaned: list[dict[str, str]] = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or set(entry) - {"function", "name"}:
            raise ValidationError({"participants": f'Participant {number}: give only "function" and "name".'})
        function, name = entry.get("function"), entry.get("name")
        if not isinstance(function, str) or not function.strip():
            raise ValidationError(
                {"participants": f"Participant {number}: name the function (e.g. Engineering, Legal)."}
            )
        if not isinstance(name, str) or not name.strip():
            raise ValidationError({"participants": f"Participant {number}: give the person's name."})
        if len(function.strip()) > PARTICIPANT_TEXT_MAX or len(name.strip()) > PARTICIPANT_TEXT_MAX:
            raise ValidationError(
                {"participants": f"Participant {number}: use at most {PARTICIPANT_TEXT_MAX} characters."}
            )
        cleaned.append({"function": function.strip(), "name": name.strip()})
    return cleaned


def clean_open_points(raw: Any) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(point, str) for point in raw):
        raise ValidationError({"open_points": "Give the open points as a list of text, one each."})
    points = [point.strip() for point in raw if point.strip()]
    if len(points) > MAX_OPEN_POINTS:
        raise ValidationError({"open_points": f"List at most {MAX_OPEN_POINTS} open points."})
    for number, point in enumerate(points, start=1):
        if len(point) > OPEN_POINT_MAX:
            raise ValidationError(
                {"open_points": f"Open point {number}: use at most {OPEN_POINT_MAX} characters."}
            )
    return points


def _validate_exercise(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    _check_text(values, "title", errors, required="Give the exercise a title.")
    _check_text(values, "scenario", errors, required="Describe the scenario that was walked through.")
    _check_text(values, "summary", errors)
    _check_moment(values["held_at"], "held_at", errors, required="Give the moment the exercise was held.")
    _check_member(values["facilitator"], "facilitator", errors)
    for name, clean in (("participants", clean_participants), ("open_points", clean_open_points)):
        try:
            values[name] = clean(values[name])
        except ValidationError as error:
            errors[name] = error.message_dict[name][0]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_exercise(
    *,
    actor: Principal,
    title: str,
    scenario: str,
    held_at: dt.datetime | None,
    facilitator: Any = None,
    participants: list[dict[str, str]] | None = None,
    summary: str = "",
    open_points: list[str] | None = None,
) -> BcpExercise:
    """Record a BCP tabletop exercise."""
    policies.check(actor, "add", BcpExercise)
    values = _clean(
        {
            "title": title,
            "scenario": scenario,
            "held_at": held_at,
            "facilitator": facilitator,
            "participants": participants or [],
            "summary": summary,
            "open_points": open_points or [],
        }
    )
    _validate_exercise(values)
    _to_utc(values, "held_at")
    exercise = BcpExercise.objects.create(**values)
    record_event(
        actor=actor, action="bcp_exercise.created", target=exercise, changes=_created_changes(values)
    )
    return exercise


@transaction.atomic
def update_exercise(*, actor: Principal, exercise: BcpExercise, **updates: Any) -> BcpExercise:
    policies.check(actor, "change", exercise)
    exercise = BcpExercise.objects.select_for_update().get(pk=exercise.pk)
    changes = _apply(exercise, EXERCISE_FIELDS, updates, _validate_exercise)
    if changes:
        exercise.held_at = exercise.held_at.astimezone(dt.UTC)
        exercise.save()
        record_event(actor=actor, action="bcp_exercise.updated", target=exercise, changes=changes)
    return exercise


@transaction.atomic
def delete_exercise(*, actor: Principal, exercise: BcpExercise) -> None:
    policies.check(actor, "delete", exercise)
    record_event(
        actor=actor, action="bcp_exercise.deleted", target=exercise, changes={"title": exercise.title}
    )
    exercise.delete()


# --- Action items ----------------------------------------------------------------------------------


def _validate_action_item(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    _check_text(values, "title", errors, required="Give the action item a title.", limit=300)
    _check_text(values, "detail", errors)
    _check_member(values["owner"], "owner", errors)
    due = values["due_on"]
    if due is not None and (not isinstance(due, dt.date) or isinstance(due, dt.datetime)):
        errors["due_on"] = "Give a date (YYYY-MM-DD)."
    if values["status"] not in ActionStatus.values:
        errors["status"] = f"Status must be one of: {', '.join(ActionStatus.values)}."
    if errors:
        raise ValidationError(errors)


def _check_source(exercise: BcpExercise | None, drill: FailoverDrill | None) -> None:
    errors: dict[str, str] = {}
    org = require_org()
    if exercise is not None and drill is not None:
        errors["source"] = "An action item comes from one exercise or one drill, not both."
    if exercise is not None and (exercise.pk is None or exercise.organization_id != org.pk):
        errors["exercise"] = "Choose an exercise of the organization."
    if drill is not None and (drill.pk is None or drill.organization_id != org.pk):
        errors["drill"] = "Choose a drill of the organization."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_action_item(
    *,
    actor: Principal,
    title: str,
    detail: str = "",
    owner: Any = None,
    due_on: dt.date | None = None,
    status: str = ActionStatus.OPEN,
    exercise: BcpExercise | None = None,
    drill: FailoverDrill | None = None,
    now: dt.datetime | None = None,
) -> ActionItem:
    """An action item from an exercise or a drill (at most one), or a standalone one."""
    policies.check(actor, "add", ActionItem)
    _check_source(exercise, drill)
    values = _clean({"title": title, "detail": detail, "owner": owner, "due_on": due_on, "status": status})
    _validate_action_item(values)
    completed_at = (now or timezone.now()) if values["status"] == ActionStatus.DONE else None
    try:
        with transaction.atomic():
            item = ActionItem.objects.create(
                exercise=exercise, drill=drill, completed_at=completed_at, **values
            )
    except IntegrityError as error:  # the database's own check of the one-source rule
        raise ValidationError({"source": "An action item has at most one source."}) from error
    source = {"exercise": exercise.pk} if exercise else {"drill": drill.pk} if drill else {}
    record_event(
        actor=actor, action="action_item.created", target=item, changes={**source, **_created_changes(values)}
    )
    return item


@transaction.atomic
def update_action_item(
    *, actor: Principal, item: ActionItem, now: dt.datetime | None = None, **updates: Any
) -> ActionItem:
    """Change an action item. Done sets the completion time; reopening clears it."""
    policies.check(actor, "change", item)
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    was = item.status
    changes = _apply(item, ACTION_ITEM_FIELDS, updates, _validate_action_item)
    if not changes:
        return item
    if item.status == ActionStatus.DONE and was != ActionStatus.DONE:
        item.completed_at = now or timezone.now()
        changes["completed_at"] = [None, item.completed_at.isoformat()]
    elif item.status != ActionStatus.DONE and item.completed_at is not None:
        changes["completed_at"] = [item.completed_at.isoformat(), None]
        item.completed_at = None
    item.save()
    record_event(actor=actor, action="action_item.updated", target=item, changes=changes)
    return item


@transaction.atomic
def delete_action_item(*, actor: Principal, item: ActionItem) -> None:
    policies.check(actor, "delete", item)
    record_event(actor=actor, action="action_item.deleted", target=item, changes={"title": item.title})
    item.delete()


@transaction.atomic
def action_items_from_open_points(
    *, actor: Principal, exercise: BcpExercise, owner: Any = None, due_on: dt.date | None = None
) -> list[ActionItem]:
    """Turn each of the exercise's open points into an action item, in one step. A point that already
    has an item of this exercise (same title) is skipped, so running it twice creates nothing new."""
    policies.check(actor, "add", ActionItem)
    policies.check(actor, "change", exercise)
    exercise = BcpExercise.objects.select_for_update().get(pk=exercise.pk)
    errors: dict[str, str] = {}
    if not exercise.open_points:
        errors["open_points"] = "The exercise has no open points to turn into action items."
    _check_member(owner, "owner", errors)
    if due_on is not None and (not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime)):
        errors["due_on"] = "Give a date (YYYY-MM-DD)."
    if errors:
        raise ValidationError(errors)
    existing = set(ActionItem.objects.filter(exercise=exercise).values_list("title", flat=True))
    created = []
    for point in exercise.open_points:
        title = point[:300]
        if title in existing:
            continue
        item = ActionItem.objects.create(
            exercise=exercise,
            title=title,
            detail=point if len(point) > 300 else "",
            owner=owner,
            due_on=due_on,
        )
        existing.add(title)
        created.append(item)
    record_event(
        actor=actor,
        action="bcp_exercise.action_items_created",
        target=exercise,
        changes={"action_items": [item.pk for item in created], "owner": _json_value(owner)},
    )
    return created
