"""Settling background jobs a crashed worker or a lost task left behind.

A job is a row with a state field (queued → running → done/failed) and timestamps. Two primitives work
for any such model:

- `stale(...)`: the jobs still in a state whose last sign of life (the first set of some timestamp
  fields) is before a deadline, locked for update; on PostgreSQL a row locked by its worker is skipped;
- `settle(...)`: one conditional UPDATE, applied only while the job is still in the state it was seen
  in (and any further conditions), then audit-logged. A worker moving the job at the same moment and
  the sweeper cannot both win, and settling twice changes nothing more.

`sweep(kind, ...)` is the usual sweeper built from them, per organization as its system actor:
running jobs with no sign of life past `running_after` fail; queued jobs past `queued_after` are
enqueued once more (the requeue timestamp records when), and fail when still queued that long after.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope


@dataclass
class SweepResult:
    failed: list[int] = field(default_factory=list)  # running (or never picked up) → failed
    requeued: list[int] = field(default_factory=list)


def minutes(delta: timedelta) -> int:
    """A threshold in whole minutes for messages (at least 1)."""
    return max(1, int(delta.total_seconds() // 60))


def stale(
    model: type[models.Model],
    *,
    state_field: str = "status",
    state: str,
    since: Sequence[str],
    before: datetime,
    where: Mapping[str, Any] | None = None,
) -> models.QuerySet[Any]:
    """The jobs in `state` whose first non-null `since` timestamp is before `before`, oldest id first.

    Rows another transaction holds (a worker writing) are skipped rather than waited for.
    """
    last_seen = Coalesce(*(F(name) for name in since)) if len(since) > 1 else F(since[0])
    return (
        model._default_manager.select_for_update(skip_locked=True, of=("self",))
        .annotate(stale_since=last_seen)
        .filter(**{state_field: state}, stale_since__lt=before, **(where or {}))
        .order_by("pk")
    )


def settle(
    *,
    actor: Principal,
    job: models.Model,
    state_field: str = "status",
    was: str,
    values: Mapping[str, Any],
    action: str,
    changes: Mapping[str, Any],
    where: Mapping[str, Any] | None = None,
    then: Callable[[], None] | None = None,
) -> bool:
    """Set `values` on `job` if it is still in state `was` (and matches `where`), then run `then` and
    audit-log `action` with `changes`. False when the job had moved on meanwhile (nothing changed)."""
    manager = type(job)._default_manager
    changed = manager.filter(pk=job.pk, **{state_field: was}, **(where or {})).update(**values)
    if not changed:
        return False
    if then is not None:
        then()
    record_event(actor=actor, action=action, target=job, changes=dict(changes))
    return True


@dataclass(frozen=True)
class JobKind:
    """How one model's jobs are swept: its states, fields, audit actions, messages and task."""

    model: type[models.Model]
    queued: str
    running: str
    failed: str
    failed_action: str  # audit action of a stale job failing
    requeued_action: str  # audit action of a lost job enqueued again
    enqueue: Callable[[Any], None]  # sends the job's task again, with transaction.on_commit
    running_message: Callable[[timedelta], str]  # why a running job failed, given `running_after`
    queued_message: str  # why a job queued twice failed
    permission: str  # what the system actor must be allowed to do to the model to settle its jobs
    state_field: str = "status"
    alive_fields: tuple[str, ...] = ("progress_at", "started_at", "created_at")
    waiting_fields: tuple[str, ...] = ("progress_at", "created_at")
    requeued_field: str = "progress_at"  # null until requeued once
    error_field: str = "error"
    finished_field: str = "finished_at"
    also_on_failure: Mapping[str, Any] = field(default_factory=dict)  # further values set on failure
    details: Callable[[Any], dict[str, Any]] = lambda job: {}  # further audit changes of every event
    alive_elsewhere: Callable[[Any, datetime], bool] | None = None  # a sign of life after the cutoff
    failed_then: Callable[[Any], None] | None = None  # clean-up after a job failed (same transaction)

    def fail(self, *, actor: Principal, job: Any, was: str, message: str, now: datetime) -> bool:
        limit = getattr(self.model._meta.get_field(self.error_field), "max_length", None)
        error = message[:limit] if limit else message
        return settle(
            actor=actor,
            job=job,
            state_field=self.state_field,
            was=was,
            values={
                self.state_field: self.failed,
                self.error_field: error,
                self.finished_field: now,
                **self.also_on_failure,
            },
            action=self.failed_action,
            changes={self.state_field: [was, self.failed], "error": message, **self.details(job)},
            then=partial(self.failed_then, job) if self.failed_then is not None else None,
        )

    def requeue(self, *, actor: Principal, job: Any, now: datetime) -> bool:
        settled = settle(
            actor=actor,
            job=job,
            state_field=self.state_field,
            was=self.queued,
            values={self.requeued_field: now},
            where={f"{self.requeued_field}__isnull": True},
            action=self.requeued_action,
            changes={"queued_at": job.created_at.isoformat(), **self.details(job)},
        )
        if settled:
            self.enqueue(job)  # after commit: the kind's enqueue uses transaction.on_commit
        return settled


def _sweep_running(
    kind: JobKind, *, actor: Principal, now: datetime, after: timedelta, result: SweepResult
) -> None:
    cutoff = now - after
    message = kind.running_message(after)
    jobs = stale(
        kind.model, state_field=kind.state_field, state=kind.running, since=kind.alive_fields, before=cutoff
    )
    for job in jobs:
        if kind.alive_elsewhere is not None and kind.alive_elsewhere(job, cutoff):
            continue
        if kind.fail(actor=actor, job=job, was=kind.running, message=message, now=now):
            result.failed.append(job.pk)


def _sweep_queued(
    kind: JobKind, *, actor: Principal, now: datetime, after: timedelta, result: SweepResult
) -> None:
    jobs = stale(
        kind.model,
        state_field=kind.state_field,
        state=kind.queued,
        since=kind.waiting_fields,
        before=now - after,
    )
    for job in jobs:
        if getattr(job, kind.requeued_field) is None:
            if kind.requeue(actor=actor, job=job, now=now):
                result.requeued.append(job.pk)
        elif kind.fail(actor=actor, job=job, was=kind.queued, message=kind.queued_message, now=now):
            result.failed.append(job.pk)


def sweep(
    kind: JobKind,
    *,
    now: datetime | None = None,
    running_after: timedelta,
    queued_after: timedelta,
    organization: Organization | None = None,
) -> SweepResult:
    """Settle stale jobs of one or every organization (as the platform's system actor). Idempotent."""
    if running_after <= timedelta(0) or queued_after <= timedelta(0):
        raise ValueError("The thresholds must be positive.")
    now = now or timezone.now()
    result = SweepResult()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        with transaction.atomic(), org_scope(org):
            actor = system_principal(org)
            policies.check(actor, kind.permission, kind.model)
            _sweep_running(kind, actor=actor, now=now, after=running_after, result=result)
            _sweep_queued(kind, actor=actor, now=now, after=queued_after, result=result)
    return result
