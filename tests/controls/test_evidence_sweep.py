"""The stale-package sweeper: a running package whose worker stopped fails, a lost queued one is built
again once, a fresh one is left alone; and the ZIP is built on disk, one member in memory at a time."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from tests.controls.audit_factories import make_period, pdf_evidence, soc2_control
from trustroom.audit.models import AuditEvent
from trustroom.controls import evidence_package, evidence_sweep
from trustroom.controls.audit_models import AuditPeriod, EvidencePackage, PackageStatus
from trustroom.controls.package_verify import verify_package
from trustroom.controls.tasks import build_evidence_package, sweep_evidence_packages

pytestmark = pytest.mark.django_db
T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def period(actor: Any) -> AuditPeriod:
    control = soc2_control(actor)
    with time_machine.travel(T - timedelta(days=1), tick=False):
        pdf_evidence(actor, control, "Quarterly access review")
    with time_machine.travel(T, tick=False):
        return make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)


def queued(actor: Any, period: AuditPeriod, callbacks: Any) -> EvidencePackage:
    """A package requested at T whose task is lost (its on-commit enqueue is captured and dropped)."""
    with time_machine.travel(T, tick=False), callbacks(execute=False):
        return evidence_package.request_package(actor=actor, period=period)


def running(package: EvidencePackage, *, since: datetime) -> None:
    """The package as a worker that crashed `since` would have left it."""
    EvidencePackage.objects.filter(pk=package.pk).update(
        status=PackageStatus.RUNNING, started_at=since, progress_at=since, done=1, total=3
    )


def sweep(at: datetime, callbacks: Any, **kw: Any) -> evidence_sweep.SweepResult:
    with time_machine.travel(at, tick=False), callbacks(execute=True):
        return evidence_sweep.sweep_stale_packages(**kw)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_a_running_package_without_progress_fails_after_the_threshold_once(
    actor: Any, period: AuditPeriod, django_capture_on_commit_callbacks: Any
) -> None:
    package = queued(actor, period, django_capture_on_commit_callbacks)
    running(package, since=T)
    assert sweep(T + timedelta(minutes=29), django_capture_on_commit_callbacks).failed == []
    package.refresh_from_db()
    assert package.status == PackageStatus.RUNNING

    result = sweep(T + timedelta(minutes=31), django_capture_on_commit_callbacks)
    assert result.failed == [package.pk] and result.requeued == []
    package.refresh_from_db()
    assert package.status == PackageStatus.FAILED
    assert "worker stopped" in package.error and "30 minutes" in package.error
    assert package.finished_at == T + timedelta(minutes=31)
    assert events("evidence_package.stale_failed") == 1
    # Sweeping again changes nothing, and the late task does not build the failed package.
    assert sweep(T + timedelta(hours=2), django_capture_on_commit_callbacks).failed == []
    assert build_evidence_package(package.pk, package.organization_id) == "skipped"
    assert events("evidence_package.stale_failed") == 1


def test_progress_keeps_a_running_package_alive(
    actor: Any, period: AuditPeriod, django_capture_on_commit_callbacks: Any
) -> None:
    package = queued(actor, period, django_capture_on_commit_callbacks)
    running(package, since=T)
    with time_machine.travel(T + timedelta(minutes=25), tick=False):
        evidence_package._save_progress(actor.organization, package.pk, 2, 3)
    assert sweep(T + timedelta(minutes=45), django_capture_on_commit_callbacks).failed == []
    assert sweep(T + timedelta(minutes=56), django_capture_on_commit_callbacks).failed == [package.pk]


def test_a_lost_queued_package_is_enqueued_again_once_and_built_once(
    actor: Any, period: AuditPeriod, django_capture_on_commit_callbacks: Any
) -> None:
    package = queued(actor, period, django_capture_on_commit_callbacks)
    assert sweep(T + timedelta(minutes=14), django_capture_on_commit_callbacks).requeued == []

    at = T + timedelta(minutes=16)
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=False) as enqueued:
        result = evidence_sweep.sweep_stale_packages()
    assert result.requeued == [package.pk] and len(enqueued) == 1
    package.refresh_from_db()
    assert package.status == PackageStatus.QUEUED and package.progress_at == at
    assert events("evidence_package.requeued") == 1
    # A second sweep before the task ran enqueues nothing more.
    assert sweep(at + timedelta(minutes=1), django_capture_on_commit_callbacks).requeued == []

    enqueued[0]()  # the re-enqueued task runs (eagerly)
    assert build_evidence_package(package.pk, package.organization_id) == "skipped"  # the lost one, late
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE, package.error
    assert events("evidence_package.built") == 1
    assert sweep(T + timedelta(hours=3), django_capture_on_commit_callbacks) == evidence_sweep.SweepResult()


def test_a_queued_package_nobody_picks_up_fails_after_its_second_chance(
    actor: Any, period: AuditPeriod, django_capture_on_commit_callbacks: Any
) -> None:
    package = queued(actor, period, django_capture_on_commit_callbacks)
    with (
        django_capture_on_commit_callbacks(execute=False),
        time_machine.travel(T + timedelta(minutes=16), tick=False),
    ):
        assert evidence_sweep.sweep_stale_packages().requeued == [package.pk]
    assert sweep(T + timedelta(minutes=30), django_capture_on_commit_callbacks).failed == []
    assert sweep(T + timedelta(minutes=32), django_capture_on_commit_callbacks).failed == [package.pk]
    package.refresh_from_db()
    assert package.status == PackageStatus.FAILED and "No worker started" in package.error


def test_fresh_and_finished_packages_are_left_alone(
    actor: Any, period: AuditPeriod, django_capture_on_commit_callbacks: Any
) -> None:
    fresh_running = queued(actor, period, django_capture_on_commit_callbacks)
    running(fresh_running, since=T + timedelta(minutes=50))
    fresh_queued = queued(actor, period, django_capture_on_commit_callbacks)
    EvidencePackage.objects.filter(pk=fresh_queued.pk).update(created_at=T + timedelta(minutes=50))
    done = queued(actor, period, django_capture_on_commit_callbacks)
    EvidencePackage.objects.filter(pk=done.pk).update(status=PackageStatus.DONE, finished_at=T)
    assert sweep(T + timedelta(hours=1), django_capture_on_commit_callbacks) == evidence_sweep.SweepResult()
    statuses = dict(EvidencePackage.objects.values_list("pk", "status"))
    assert statuses == {
        fresh_running.pk: PackageStatus.RUNNING,
        fresh_queued.pk: PackageStatus.QUEUED,
        done.pk: PackageStatus.DONE,
    }


def test_thresholds_must_be_positive(actor: Any) -> None:
    with pytest.raises(ValueError):
        evidence_sweep.sweep_stale_packages(running_after=timedelta(0))


def test_the_task_and_the_command_sweep(
    actor: Any, period: AuditPeriod, django_capture_on_commit_callbacks: Any
) -> None:
    first = queued(actor, period, django_capture_on_commit_callbacks)
    running(first, since=T)
    with time_machine.travel(T + timedelta(minutes=31), tick=False):
        assert sweep_evidence_packages() == {"failed": 1, "requeued": 0}
    second = queued(actor, period, django_capture_on_commit_callbacks)
    running(second, since=T)
    out = io.StringIO()
    with time_machine.travel(T + timedelta(minutes=11), tick=False):
        call_command("evidence", "sweep", "--running-after", "10", stdout=out)
    assert "failed 1, queued again 0" in out.getvalue()
    second.refresh_from_db()
    assert second.status == PackageStatus.FAILED and "10 minutes" in second.error


def test_the_package_built_on_disk_verifies(actor: Any, period: AuditPeriod, tmp_path: Any) -> None:
    package = evidence_package.request_package(actor=actor, period=period, enqueue=False)
    assert evidence_package.run_package_job(organization=actor.organization, package_id=package.pk) == "done"
    package.refresh_from_db()
    path = tmp_path / "package.zip"
    path.write_bytes(evidence_package.package_bytes(package))
    report = verify_package(str(path))
    assert report.ok, report.problems
    assert package.size_bytes == path.stat().st_size


def test_building_holds_one_member_in_memory_at_a_time(
    actor: Any, period: AuditPeriod, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = 2 * 1024 * 1024
    control = soc2_control(actor, key="AC-2", name="Changes are reviewed")
    for number in range(5):
        with time_machine.travel(T - timedelta(days=1), tick=False):
            pdf_evidence(actor, control, f"Large report {number}")
    # Incompressible 2 MiB members: a ZIP kept in memory would need at least 6 x 2 MiB.
    monkeypatch.setattr(evidence_package, "document_bytes", lambda document: os.urandom(member))
    plan = evidence_package.plan_package(actor=actor, period=period)
    assert len(plan.evidence) == 6
    with evidence_package._spool_file() as spool:
        tracemalloc.start()
        try:
            evidence_package.build_zip(plan, spool)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        spool.seek(0)
        assert len(zipfile.ZipFile(spool).namelist()) == 8  # six files, index.csv, manifest.json
    assert peak < 3 * member, peak
