"""The stale-import sweeper: jobs a crashed worker or a lost task left behind are settled.

- Running, with no sign of life (`progress_at`, else `started_at`) for longer than `running_after`, and
  no write progress in the cache either: the worker stopped. As the findings are written in one
  transaction, nothing of it was kept; the job fails, asking for the report again, and its stored
  upload is deleted. On PostgreSQL a job whose worker is writing holds its row lock and is skipped.
- Queued for longer than `queued_after`: the task was lost; it is enqueued once more (`progress_at`
  records when). Still queued `queued_after` after that: no worker takes it, and it fails likewise.

Each change is one conditional UPDATE on the status, so a worker claiming the job at the same moment
and the sweeper cannot both win, and sweeping twice changes nothing more. Every change is audit-logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from trustroom.assessments.imports import storage
from trustroom.assessments.imports.progress import clear_write_progress, write_progress
from trustroom.assessments.models import FindingImport, ImportStatus
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope

RUNNING_AFTER = timedelta(minutes=30)
QUEUED_AFTER = timedelta(minutes=15)


@dataclass
class SweepResult:
    failed: list[int] = field(default_factory=list)  # running (or never picked up) → failed
    requeued: list[int] = field(default_factory=list)


def _minutes(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60))


def _fail(*, actor: Principal, job: FindingImport, was: str, message: str, now: datetime) -> bool:
    changed = FindingImport.objects.filter(pk=job.pk, status=was).update(
        status=ImportStatus.FAILED, error=message, finished_at=now, storage_name=""
    )
    if not changed:
        return False  # a worker moved it meanwhile
    stored = job.storage_name
    transaction.on_commit(lambda: storage.remove_stored(stored))
    clear_write_progress(job.organization_id, job.pk)
    record_event(
        actor=actor,
        action="finding.import_stale_failed",
        target=job,
        changes={"status": [was, ImportStatus.FAILED], "error": message, "filename": job.original_filename},
    )
    return True


def _requeue(*, actor: Principal, job: FindingImport, now: datetime) -> bool:
    from trustroom.assessments.tasks.imports import run_finding_import

    changed = FindingImport.objects.filter(
        pk=job.pk, status=ImportStatus.QUEUED, progress_at__isnull=True
    ).update(progress_at=now)
    if not changed:
        return False
    record_event(
        actor=actor,
        action="finding.import_requeued",
        target=job,
        changes={"queued_at": job.created_at.isoformat(), "filename": job.original_filename},
    )
    job_id, org_id = job.pk, job.organization_id
    transaction.on_commit(lambda: run_finding_import.delay(job_id, org_id))
    return True


def _sweep_running(*, actor: Principal, now: datetime, after: timedelta, result: SweepResult) -> None:
    cutoff = now - after
    stale = (
        FindingImport.objects.select_for_update(skip_locked=True, of=("self",))
        .annotate(alive_at=Coalesce(F("progress_at"), F("started_at"), F("created_at")))
        .filter(status=ImportStatus.RUNNING, alive_at__lt=cutoff)
        .order_by("pk")
    )
    message = (
        f"The worker stopped while importing this report (no progress for more than {_minutes(after)} "
        "minutes). Upload the report again."
    )
    for job in stale:
        writing = write_progress(job)
        if writing is not None and writing.at >= cutoff:
            continue  # still writing (seen through the cache)
        if _fail(actor=actor, job=job, was=ImportStatus.RUNNING, message=message, now=now):
            result.failed.append(job.pk)


def _sweep_queued(*, actor: Principal, now: datetime, after: timedelta, result: SweepResult) -> None:
    cutoff = now - after
    waiting = (
        FindingImport.objects.select_for_update(skip_locked=True)
        .filter(status=ImportStatus.QUEUED)
        .annotate(waiting_since=Coalesce(F("progress_at"), F("created_at")))
        .filter(waiting_since__lt=cutoff)
        .order_by("pk")
    )
    message = "No worker started this import, even after it was queued again. Upload the report again."
    for job in waiting:
        if job.progress_at is None:
            if _requeue(actor=actor, job=job, now=now):
                result.requeued.append(job.pk)
        elif _fail(actor=actor, job=job, was=ImportStatus.QUEUED, message=message, now=now):
            result.failed.append(job.pk)


def sweep_stale_imports(
    *,
    now: datetime | None = None,
    running_after: timedelta = RUNNING_AFTER,
    queued_after: timedelta = QUEUED_AFTER,
    organization: Organization | None = None,
) -> SweepResult:
    """Settle stale imports of one or every organization (as the platform's system actor). Idempotent."""
    if running_after <= timedelta(0) or queued_after <= timedelta(0):
        raise ValueError("The thresholds must be positive.")
    now = now or timezone.now()
    result = SweepResult()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        with transaction.atomic(), org_scope(org):
            actor = system_principal(org)
            policies.check(actor, "change", FindingImport)
            _sweep_running(actor=actor, now=now, after=running_after, result=result)
            _sweep_queued(actor=actor, now=now, after=queued_after, result=result)
    return result
