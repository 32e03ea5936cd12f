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

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from trustroom import stale_jobs
from trustroom.assessments.imports import storage
from trustroom.assessments.imports.progress import clear_write_progress, write_progress
from trustroom.assessments.models import FindingImport, ImportStatus
from trustroom.stale_jobs import SweepResult
from trustroom.tenancy.models import Organization

RUNNING_AFTER = timedelta(minutes=30)
QUEUED_AFTER = timedelta(minutes=15)

__all__ = ["IMPORTS", "QUEUED_AFTER", "RUNNING_AFTER", "SweepResult", "sweep_stale_imports"]


def _enqueue(job: Any) -> None:
    from trustroom.assessments.tasks.imports import run_finding_import

    transaction.on_commit(lambda: run_finding_import.delay(job.pk, job.organization_id))


def _still_writing(job: Any, cutoff: datetime) -> bool:
    writing = write_progress(job)  # seen through the cache: the row is not updated while writing
    return writing is not None and writing.at >= cutoff


def _forget_upload(job: Any) -> None:
    stored = job.storage_name
    transaction.on_commit(lambda: storage.remove_stored(stored))
    clear_write_progress(job.organization_id, job.pk)


IMPORTS = stale_jobs.JobKind(
    model=FindingImport,
    queued=ImportStatus.QUEUED,
    running=ImportStatus.RUNNING,
    failed=ImportStatus.FAILED,
    failed_action="finding.import_stale_failed",
    requeued_action="finding.import_requeued",
    enqueue=_enqueue,
    running_message=lambda after: (
        f"The worker stopped while importing this report (no progress for more than "
        f"{stale_jobs.minutes(after)} minutes). Upload the report again."
    ),
    queued_message="No worker started this import, even after it was queued again. Upload the report again.",
    permission="change",
    also_on_failure={"storage_name": ""},
    details=lambda job: {"filename": job.original_filename},
    alive_elsewhere=_still_writing,
    failed_then=_forget_upload,
)


def sweep_stale_imports(
    *,
    now: datetime | None = None,
    running_after: timedelta = RUNNING_AFTER,
    queued_after: timedelta = QUEUED_AFTER,
    organization: Organization | None = None,
) -> SweepResult:
    """Settle stale imports of one or every organization (as the platform's system actor). Idempotent."""
    return stale_jobs.sweep(
        IMPORTS, now=now, running_after=running_after, queued_after=queued_after, organization=organization
    )
