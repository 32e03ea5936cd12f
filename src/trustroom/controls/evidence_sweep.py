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

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.controls.audit_models import EvidencePackage, PackageStatus
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope

# A step is one evidence item or check run; even a large vault document takes seconds, so 30 minutes
# without one is a dead worker. A queued package normally starts within seconds.
RUNNING_AFTER = timedelta(minutes=30)
QUEUED_AFTER = timedelta(minutes=15)


@dataclass
class SweepResult:
    failed: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)


def _minutes(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60))


def _fail(*, actor: Principal, package: EvidencePackage, was: str, message: str, now: datetime) -> bool:
    changed = EvidencePackage.objects.filter(pk=package.pk, status=was).update(
        status=PackageStatus.FAILED, error=message[:500], finished_at=now
    )
    if not changed:
        return False  # a worker moved it meanwhile
    record_event(
        actor=actor,
        action="evidence_package.stale_failed",
        target=package,
        changes={"status": [was, PackageStatus.FAILED], "error": message},
    )
    return True


def _requeue(*, actor: Principal, package: EvidencePackage, now: datetime) -> bool:
    from trustroom.controls.tasks import build_evidence_package

    changed = EvidencePackage.objects.filter(
        pk=package.pk, status=PackageStatus.QUEUED, progress_at__isnull=True
    ).update(progress_at=now)
    if not changed:
        return False
    record_event(
        actor=actor,
        action="evidence_package.requeued",
        target=package,
        changes={"queued_at": package.created_at.isoformat()},
    )
    package_id, org_id = package.pk, package.organization_id
    transaction.on_commit(lambda: build_evidence_package.delay(package_id, org_id))
    return True


def _sweep_running(*, actor: Principal, now: datetime, after: timedelta, result: SweepResult) -> None:
    stale = (
        EvidencePackage.objects.select_for_update(skip_locked=True, of=("self",))
        .annotate(alive_at=Coalesce(F("progress_at"), F("started_at"), F("created_at")))
        .filter(status=PackageStatus.RUNNING, alive_at__lt=now - after)
        .order_by("pk")
    )
    message = (
        f"The worker stopped while building this package (no progress for more than {_minutes(after)} "
        "minutes). Request a new package."
    )
    for package in stale:
        if _fail(actor=actor, package=package, was=PackageStatus.RUNNING, message=message, now=now):
            result.failed.append(package.pk)


def _sweep_queued(*, actor: Principal, now: datetime, after: timedelta, result: SweepResult) -> None:
    waiting = (
        EvidencePackage.objects.select_for_update(skip_locked=True)
        .filter(status=PackageStatus.QUEUED)
        .annotate(waiting_since=Coalesce(F("progress_at"), F("created_at")))
        .filter(waiting_since__lt=now - after)
        .order_by("pk")
    )
    message = "No worker started this package, even after it was queued again. Request a new package."
    for package in waiting:
        if package.progress_at is None:
            if _requeue(actor=actor, package=package, now=now):
                result.requeued.append(package.pk)
        elif _fail(actor=actor, package=package, was=PackageStatus.QUEUED, message=message, now=now):
            result.failed.append(package.pk)


def sweep_stale_packages(
    *,
    now: datetime | None = None,
    running_after: timedelta = RUNNING_AFTER,
    queued_after: timedelta = QUEUED_AFTER,
    organization: Organization | None = None,
) -> SweepResult:
    """Settle stale packages of one or every organization (as the platform's system actor). Idempotent."""
    if running_after <= timedelta(0) or queued_after <= timedelta(0):
        raise ValueError("The thresholds must be positive.")
    now = now or timezone.now()
    result = SweepResult()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        with transaction.atomic(), org_scope(org):
            actor = system_principal(org)
            # Settling a package is the platform finishing an export it started: the right to start one.
            policies.check(actor, "add", EvidencePackage)
            _sweep_running(actor=actor, now=now, after=running_after, result=result)
            _sweep_queued(actor=actor, now=now, after=queued_after, result=result)
    return result
