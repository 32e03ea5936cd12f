"""The stale-package sweeper: evidence packages a crashed worker or a lost task left behind are settled.

- Running, with no sign of life (`progress_at`, saved at the claim and after every step, else
  `started_at`) for longer than `running_after`: the worker stopped. Nothing was stored (a package is
  stored in the same conditional update that marks it done), so it fails, asking for a new export. On
  PostgreSQL a package whose row is locked is skipped.
- Queued for longer than `queued_after`: the task was lost; it is enqueued once more (`progress_at`
  records when). Still queued `queued_after` after that: no worker takes it, and it fails likewise.

Each change is one conditional UPDATE on the status, so a worker claiming the package at the same moment
(`evidence_package._claim`, itself a conditional UPDATE from queued) and the sweeper cannot both win, and
sweeping twice changes nothing more. Every change is audit-logged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from trustroom import stale_jobs
from trustroom.controls.audit_models import EvidencePackage, PackageStatus
from trustroom.stale_jobs import SweepResult
from trustroom.tenancy.models import Organization

# A step is one evidence item or check run; even a large vault document takes seconds, so 30 minutes
# without one is a dead worker. A queued package normally starts within seconds.
RUNNING_AFTER = timedelta(minutes=30)
QUEUED_AFTER = timedelta(minutes=15)

__all__ = ["PACKAGES", "QUEUED_AFTER", "RUNNING_AFTER", "SweepResult", "sweep_stale_packages"]


def _enqueue(package: Any) -> None:
    from trustroom.controls.tasks import build_evidence_package

    transaction.on_commit(lambda: build_evidence_package.delay(package.pk, package.organization_id))


PACKAGES = stale_jobs.JobKind(
    model=EvidencePackage,
    queued=PackageStatus.QUEUED,
    running=PackageStatus.RUNNING,
    failed=PackageStatus.FAILED,
    failed_action="evidence_package.stale_failed",
    requeued_action="evidence_package.requeued",
    enqueue=_enqueue,
    running_message=lambda after: (
        f"The worker stopped while building this package (no progress for more than "
        f"{stale_jobs.minutes(after)} minutes). Request a new package."
    ),
    queued_message="No worker started this package, even after it was queued again. Request a new package.",
    # Settling a package is the platform finishing an export it started: the right to start one.
    permission="add",
)


def sweep_stale_packages(
    *,
    now: datetime | None = None,
    running_after: timedelta = RUNNING_AFTER,
    queued_after: timedelta = QUEUED_AFTER,
    organization: Organization | None = None,
) -> SweepResult:
    """Settle stale packages of one or every organization (as the platform's system actor). Idempotent."""
    return stale_jobs.sweep(
        PACKAGES, now=now, running_after=running_after, queued_after=queued_after, organization=organization
    )
