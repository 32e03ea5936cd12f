"""Writes of automated checks: define them, import inventories, run them and store their evidence.

A run stores its outcome and the resources it evaluated, then adds one evidence item per control the
check feeds, fresh until the check's next scheduled run plus a grace period (so a check that stops
running turns its controls stale by itself). The periodic job claims each due slot with a conditional
update before running it: a slot runs once even when the job runs twice or on two workers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.controls import checks as registry
from trustroom.controls.models import (
    DEFAULT_CHECK_SCHEDULE,
    Check,
    CheckControl,
    CheckOutcome,
    CheckRun,
    Control,
    Evidence,
    EvidenceKind,
    InventorySnapshot,
    RunStatus,
    RunTrigger,
)
from trustroom.controls.schedule import due_slot, next_after, rule_error
from trustroom.controls.services.controls import json_value
from trustroom.controls.snapshots import parse_snapshot
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org

logger = logging.getLogger(__name__)

CHECK_FIELDS = ("name", "kind", "parameters", "schedule", "enabled", "controls")
EVIDENCE_GRACE = dt.timedelta(hours=6)  # a late job run does not turn a control stale
MAX_CONTROLS = 100


def _controls(value: Any) -> list[Control]:
    if not isinstance(value, list | tuple) or len(value) > MAX_CONTROLS:
        raise ValidationError({"controls": f"Give a list of at most {MAX_CONTROLS} controls."})
    wanted = {getattr(item, "pk", item) for item in value}
    found = list(Control.objects.filter(pk__in=[pk for pk in wanted if isinstance(pk, int)]))
    if len(found) != len(wanted):
        raise ValidationError({"controls": "Choose controls of the organization."})
    return found


def _validate(values: dict[str, Any], *, check: Check | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = values["name"]
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Name the check."
    elif len(name) > 120:
        errors["name"] = "Use at most 120 characters."
    else:
        clash = Check.objects.filter(name__iexact=name)
        if check is not None:
            clash = clash.exclude(pk=check.pk)
        if clash.exists():
            errors["name"] = "The organization already has a check with this name."
    kind = registry.kind_for(values["kind"]) if isinstance(values["kind"], str) else None
    if kind is None:
        errors["kind"] = f"Choose one of: {', '.join(registry.kinds())}."
    message = rule_error(values["schedule"])
    if message:
        errors["schedule"] = message
    if not isinstance(values["enabled"], bool):
        errors["enabled"] = "Give true or false."
    parameters = values["parameters"]
    if kind is not None:
        try:
            parameters = kind.clean(values["parameters"])
        except ValidationError as error:
            errors.update({field: " ".join(messages) for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return parameters


@transaction.atomic
def create_check(
    *,
    actor: Principal,
    name: str,
    kind: str,
    parameters: Any,
    schedule: str = DEFAULT_CHECK_SCHEDULE,
    enabled: bool = True,
    controls: Any = (),
) -> Check:
    policies.check(actor, "add", Check)
    values = {
        "name": name.strip() if isinstance(name, str) else name,
        "kind": kind,
        "parameters": parameters,
        "schedule": (schedule or DEFAULT_CHECK_SCHEDULE).strip()
        if isinstance(schedule, str | None)
        else schedule,
        "enabled": enabled,
    }
    values["parameters"] = _validate(values)
    fed = _controls(list(controls))
    check = Check.objects.create(created_by=actor.user, **values)
    for control in fed:
        CheckControl.objects.create(check_ref=check, control=control)
    changes = {k: json_value(v) for k, v in values.items()} | {"controls": sorted(c.key for c in fed)}
    record_event(actor=actor, action="check.created", target=check, changes=changes)
    return check


@transaction.atomic
def update_check(*, actor: Principal, check: Check, **updates: Any) -> Check:
    policies.check(actor, "change", check)
    check = Check.objects.select_for_update().get(pk=check.pk)
    unknown = sorted(set(updates) - set(CHECK_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    controls = updates.pop("controls", None)
    values = {name: getattr(check, name) for name in CHECK_FIELDS if name != "controls"}
    values.update({k: v.strip() if isinstance(v, str) else v for k, v in updates.items()})
    values["parameters"] = _validate(values, check=check)
    fed = _controls(list(controls)) if controls is not None else None
    changes: dict[str, Any] = {}
    for name, new in values.items():
        old = getattr(check, name)
        if old != new:
            changes[name] = [json_value(old), json_value(new)]
            setattr(check, name, new)
    if changes:
        check.save()
    if fed is not None:
        before = set(CheckControl.objects.filter(check_ref=check).values_list("control_id", flat=True))
        after = {c.pk for c in fed}
        if before != after:
            CheckControl.objects.filter(check_ref=check, control_id__in=before - after).delete()
            for control in fed:
                if control.pk not in before:
                    CheckControl.objects.create(check_ref=check, control=control)
            changes["controls"] = sorted(c.key for c in fed)
    if changes:
        record_event(actor=actor, action="check.updated", target=check, changes=changes)
    return check


@transaction.atomic
def delete_check(*, actor: Principal, check: Check) -> None:
    """Delete a check with its runs and the evidence they added."""
    policies.check(actor, "delete", check)
    record_event(
        actor=actor,
        action="check.deleted",
        target=check,
        changes={"name": check.name, "runs": check.runs.count()},
    )
    check.delete()


@transaction.atomic
def import_snapshot(
    *, actor: Principal, check: Check, raw: bytes, filename: str = "", now: dt.datetime | None = None
) -> InventorySnapshot:
    """Import an inventory (AWS Config snapshot or RDS describe output) for a snapshot-sourced check."""
    policies.check(actor, "change", check)
    policies.check(actor, "add", InventorySnapshot)
    if check.parameters.get("source") != "config_snapshot":
        raise ValidationError({"snapshot": "This check reads the AWS APIs, not a snapshot."})
    parsed = parse_snapshot(raw)
    snapshot = InventorySnapshot.objects.create(
        check_ref=check,
        filename=(filename or "")[:255],
        sha256=hashlib.sha256(raw).hexdigest(),
        resources=parsed.resources,
        skipped_items=parsed.skipped_items,
        uploaded_by=actor.user,
        uploaded_at=now or timezone.now(),
    )
    record_event(
        actor=actor,
        action="check.snapshot_imported",
        target=snapshot,
        changes={
            "check": check.name,
            "sha256": snapshot.sha256,
            "resources": len(parsed.resources),
            "skipped_items": parsed.skipped_items,
        },
    )
    return snapshot


# --- Runs ---------------------------------------------------------------------------------------------


def evidence_expiry(check: Check, finished_at: dt.datetime) -> dt.datetime:
    """The next scheduled run after `finished_at`, plus grace."""
    following = next_after(check.schedule, check.created_at, finished_at)
    return (following or finished_at + dt.timedelta(days=1)) + EVIDENCE_GRACE


def evaluate(
    check: Check, now: dt.datetime, progress: registry.Progress | None = None
) -> registry.CheckResult:
    """Run the check's kind (reads only). A broken check gives an "error" result, never an exception."""
    kind = registry.kind_for(check.kind)
    try:
        if kind is None:
            raise LookupError(f"unknown check kind {check.kind!r}")
        with transaction.atomic():  # a savepoint: a kind's failed query does not poison the run's writes
            context = registry.RunContext(check=check, now=now, progress=progress)
            return kind.run(require_org(), kind.clean(check.parameters), context)
    except Exception as error:
        logger.exception("check %s failed to run", check.pk)
        summary = f"The check could not run ({type(error).__name__}); the server log has the details."
        return registry.CheckResult(outcome=CheckOutcome.ERROR, summary=summary)


def record_result(
    *, actor: Principal, run: CheckRun, check: Check, result: registry.CheckResult, finished_at: dt.datetime
) -> CheckRun:
    """Store a run's result, add its evidence to every control the check feeds, audit-log it."""
    run.status = RunStatus.FINISHED
    run.outcome = result.outcome
    run.summary = result.summary[:500]
    run.details = result.details
    run.resources = [resource.as_json() for resource in result.resources]
    run.done = run.total = len(run.resources)
    run.finished_at = finished_at
    run.save()
    expires_at = evidence_expiry(check, run.finished_at)
    for control in check.controls.all():  # save() stamps the organization (bulk_create would not)
        Evidence.objects.create(
            control=control,
            kind=EvidenceKind.CHECK_RESULT,
            check_run=run,
            effective_at=run.finished_at,
            expires_at=expires_at,
            added_by=actor.user,
            note=run.summary,
        )
    record_event(
        actor=actor,
        action="check.run",
        target=run,
        changes={
            "check": check.name,
            "trigger": run.trigger,
            "outcome": run.outcome,
            "summary": run.summary,
            "resources": len(run.resources),
            "failed_resources": run.failed_resources,
        },
    )
    return run


@transaction.atomic
def _execute(
    *,
    actor: Principal,
    check: Check,
    trigger: str,
    slot: dt.datetime | None,
    now: dt.datetime,
) -> CheckRun:
    run = CheckRun.objects.create(
        check_ref=check,
        trigger=trigger,
        scheduled_for=slot,
        started_at=now,
        started_by=actor.user,
        status=RunStatus.RUNNING,
    )
    started = time.monotonic()
    result = evaluate(check, now)
    finished_at = now + dt.timedelta(seconds=time.monotonic() - started)
    return record_result(actor=actor, run=run, check=check, result=result, finished_at=finished_at)


def run_check(*, actor: Principal, check: Check, now: dt.datetime | None = None) -> CheckRun:
    """Run a check now, in this process (the command), and store its result as evidence. The page and the
    API queue a run instead (`services.runs.request_run`)."""
    policies.check(actor, "change", check)
    check = Check.objects.get(pk=check.pk)
    return _execute(actor=actor, check=check, trigger=RunTrigger.MANUAL, slot=None, now=now or timezone.now())


def claim_due_slot(check: Check, now: dt.datetime) -> dt.datetime | None:
    """Claim the slot of `check` due at `now`; None when nothing is due or another run claimed it."""
    slot = due_slot(check.schedule, check.created_at, check.claimed_slot, now)
    if slot is None:
        return None
    claimed = (
        Check.objects.filter(pk=check.pk, enabled=True)
        .filter(Q(claimed_slot__isnull=True) | Q(claimed_slot__lt=slot))
        .update(claimed_slot=slot)
    )
    return slot if claimed == 1 else None


def run_due_checks(*, actor: Principal, now: dt.datetime | None = None) -> list[CheckRun]:
    """Run every enabled check of the current organization whose schedule has a slot due (once each)."""
    policies.check(actor, "change", Check)
    now = now or timezone.now()
    runs = []
    for check in Check.objects.filter(enabled=True):
        with transaction.atomic():
            slot = claim_due_slot(check, now)
        if slot is not None:
            runs.append(_execute(actor=actor, check=check, trigger=RunTrigger.SCHEDULE, slot=slot, now=now))
    return runs
