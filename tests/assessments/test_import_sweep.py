"""The stale-import sweeper: running jobs whose worker stopped fail, lost queued ones run again once,
a job is never run twice, and every change is audit-logged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from tests.assessments.helpers import application
from tests.assessments.importers.samples import SAMPLES
from tests.factories import principal_for
from trustroom.assessments.imports import run_queued_import, start_finding_import, sweep_stale_imports
from trustroom.assessments.imports import services as import_services
from trustroom.assessments.imports import sweep as import_sweep
from trustroom.assessments.imports.progress import report_write_progress
from trustroom.assessments.models import Finding, FindingImport, ImportStatus
from trustroom.assessments.tasks import run_finding_import, sweep_finding_imports
from trustroom.audit.models import AuditEvent
from trustroom.celery import app as celery_app
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
NESSUS = next(s for s in SAMPLES if s.path == "nessus/nessus_with_cvssv3.nessus")
T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def queue(actor: Any, *, at: datetime = T, callbacks: Any, app: Any = None) -> FindingImport:
    """A job queued at `at` whose task is lost (its on-commit enqueue is captured and dropped)."""
    with time_machine.travel(at, tick=False), callbacks(execute=False):
        upload = SimpleUploadedFile("scan.nessus", NESSUS.file.read_bytes())
        app = app or application(actor)
        return start_finding_import(actor=actor, application=app, uploaded_file=upload)


def running(job: FindingImport, *, since: datetime) -> None:
    """The job as a worker that crashed `since` would have left it."""
    FindingImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=since, progress_at=since, bytes_done=100
    )


def sweep(at: datetime, callbacks: Any, **kw: Any) -> import_sweep.SweepResult:
    with time_machine.travel(at, tick=False), callbacks(execute=True):
        return sweep_stale_imports(**kw)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_running_job_without_progress_fails_after_the_threshold_once(
    actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = queue(actor, callbacks=django_capture_on_commit_callbacks)
    stored = job.storage_name
    running(job, since=T)

    assert sweep(T + timedelta(minutes=29), django_capture_on_commit_callbacks).failed == []
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and default_storage.exists(stored)

    result = sweep(T + timedelta(minutes=31), django_capture_on_commit_callbacks)
    assert result.failed == [job.pk] and result.requeued == []
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "worker stopped" in job.error and "more than 30 minutes" in job.error
    assert job.error.endswith("Upload the report again.")
    assert job.finished_at == T + timedelta(minutes=31)
    assert job.storage_name == "" and not default_storage.exists(stored)
    client = Client()
    client.force_login(actor.user)
    page = client.get(f"/o/{job.organization.slug}/assessments/imports/{job.pk}/").content.decode()
    assert 'role="alert"' in page and "nothing was imported: The worker stopped" in page
    event = AuditEvent.objects.get(action="finding.import_stale_failed")
    assert event.changes["status"] == ["running", "failed"] and event.actor_user_id is None

    # Sweeping again, or a late delivery of the task, changes nothing.
    assert sweep(T + timedelta(hours=2), django_capture_on_commit_callbacks).failed == []
    assert run_finding_import(job.pk, job.organization_id) == "skipped"
    assert events("finding.import_stale_failed") == 1 and Finding.objects.count() == 0


def test_progress_keeps_a_running_job_alive(actor: Any, django_capture_on_commit_callbacks: Any) -> None:
    job = queue(actor, callbacks=django_capture_on_commit_callbacks)
    running(job, since=T)
    FindingImport.objects.filter(pk=job.pk).update(progress_at=T + timedelta(minutes=20))
    assert sweep(T + timedelta(minutes=45), django_capture_on_commit_callbacks).failed == []
    # The write phase reports through the cache only: that is a sign of life too.
    with time_machine.travel(T + timedelta(minutes=60), tick=False):
        report_write_progress(job, 2000, 5000)
    assert sweep(T + timedelta(minutes=80), django_capture_on_commit_callbacks).failed == []
    assert sweep(T + timedelta(minutes=91), django_capture_on_commit_callbacks).failed == [job.pk]


def test_thresholds_are_parameters(actor: Any, django_capture_on_commit_callbacks: Any) -> None:
    job = queue(actor, callbacks=django_capture_on_commit_callbacks)
    running(job, since=T)
    at = T + timedelta(minutes=6)
    assert sweep(at, django_capture_on_commit_callbacks).failed == []
    shorter = sweep(at, django_capture_on_commit_callbacks, running_after=timedelta(minutes=5))
    assert shorter.failed == [job.pk]
    with pytest.raises(ValueError, match="positive"):
        sweep_stale_imports(queued_after=timedelta(0))


def test_lost_queued_job_is_enqueued_again_once_then_imports_once(
    actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = queue(actor, callbacks=django_capture_on_commit_callbacks)
    assert sweep(T + timedelta(minutes=14), django_capture_on_commit_callbacks).requeued == []

    at = T + timedelta(minutes=16)
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=False) as enqueued:
        result = sweep_stale_imports()
    assert result.requeued == [job.pk] and len(enqueued) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.progress_at == at
    assert events("finding.import_requeued") == 1
    # A second sweep before the task ran enqueues nothing more.
    assert sweep(at + timedelta(minutes=1), django_capture_on_commit_callbacks).requeued == []

    enqueued[0]()  # the re-enqueued task runs
    assert run_finding_import(job.pk, job.organization_id) == "skipped"  # the lost one, delivered late
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.error
    assert Finding.objects.count() == NESSUS.count and events("finding.import") == 1
    assert sweep(T + timedelta(hours=3), django_capture_on_commit_callbacks) == import_sweep.SweepResult()


def test_queued_job_nobody_picks_up_fails_after_its_second_chance(
    actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = queue(actor, callbacks=django_capture_on_commit_callbacks)
    stored = job.storage_name
    lost_again = django_capture_on_commit_callbacks(execute=False)
    with time_machine.travel(T + timedelta(minutes=16), tick=False), lost_again:
        assert sweep_stale_imports().requeued == [job.pk]
    assert sweep(T + timedelta(minutes=30), django_capture_on_commit_callbacks) == import_sweep.SweepResult()
    result = sweep(T + timedelta(minutes=32), django_capture_on_commit_callbacks)
    assert result.failed == [job.pk] and result.requeued == []
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "No worker started" in job.error
    assert not default_storage.exists(stored)
    assert events("finding.import_requeued") == 1 and events("finding.import_stale_failed") == 1


def test_a_worker_that_claims_the_job_meanwhile_wins(
    actor: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = queue(actor, callbacks=django_capture_on_commit_callbacks)
    stored = job.storage_name
    running(job, since=T)

    def worker_finishes(job: FindingImport) -> None:
        # Between the sweeper's read and its update, the worker's own write lands.
        FindingImport.objects.filter(pk=job.pk).update(status=ImportStatus.SUCCEEDED)

    monkeypatch.setattr(import_sweep, "write_progress", worker_finishes)
    assert sweep(T + timedelta(hours=1), django_capture_on_commit_callbacks).failed == []
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED and default_storage.exists(stored)
    assert events("finding.import_stale_failed") == 0


def test_two_workers_picking_the_same_job_import_it_once(
    actor: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = queue(actor, callbacks=django_capture_on_commit_callbacks)
    org = job.organization
    second: list[str] = []
    real = import_services._ProgressSaver.__call__

    def second_worker(self: Any, done: int, total: int) -> None:
        real(self, done, total)
        if not second:  # another delivery of the same task, while the first one parses
            second.append(run_queued_import(organization=org, import_id=job.pk))

    monkeypatch.setattr(import_services._ProgressSaver, "__call__", second_worker)
    assert run_queued_import(organization=org, import_id=job.pk) == ImportStatus.SUCCEEDED
    assert second == ["skipped"]
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED and job.created_count == NESSUS.count
    assert Finding.objects.count() == NESSUS.count and events("finding.import") == 1


def test_a_job_given_up_while_parsing_writes_nothing(
    actor: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = queue(actor, callbacks=django_capture_on_commit_callbacks)
    org = job.organization
    real = import_services._ProgressSaver.__call__

    def sweeper_meanwhile(self: Any, done: int, total: int) -> None:
        real(self, done, total)
        if done >= total:
            sweep_stale_imports(now=datetime.now(UTC) + timedelta(days=1))

    monkeypatch.setattr(import_services._ProgressSaver, "__call__", sweeper_meanwhile)
    assert run_queued_import(organization=org, import_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "worker stopped" in job.error  # not overwritten
    assert Finding.objects.count() == 0 and events("finding.import") == 0


def test_every_organization_is_swept_in_its_own_scope(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, django_capture_on_commit_callbacks: Any
) -> None:
    jobs = []
    for org, owner in ((org_a, owner_a), (org_b, owner_b)):
        with org_scope(org):
            job = queue(principal_for(owner, org), callbacks=django_capture_on_commit_callbacks)
            running(job, since=T)
            jobs.append(job)
    only_b = sweep(T + timedelta(hours=1), django_capture_on_commit_callbacks, organization=org_b)
    assert only_b.failed == [jobs[1].pk]
    assert sorted(sweep(T + timedelta(hours=1), django_capture_on_commit_callbacks).failed) == [jobs[0].pk]
    for org, job in zip((org_a, org_b), jobs, strict=True):
        with org_scope(org):
            assert FindingImport.objects.get(pk=job.pk).status == ImportStatus.FAILED
            assert AuditEvent.objects.filter(action="finding.import_stale_failed").count() == 1


def test_task_command_and_beat_entry(
    actor: Any, django_capture_on_commit_callbacks: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["assessments-sweep-finding-imports"]
    assert entry["task"] == sweep_finding_imports.name and entry["schedule"] == 10 * 60
    assert sweep_finding_imports.name in celery_app.tasks
    first = queue(actor, callbacks=django_capture_on_commit_callbacks)
    running(first, since=T)
    with time_machine.travel(T + timedelta(minutes=40), tick=False), django_capture_on_commit_callbacks():
        assert sweep_finding_imports() == {"failed": 1, "requeued": 0}
    second = queue(actor, callbacks=django_capture_on_commit_callbacks, app=first.application)
    running(second, since=T)
    with time_machine.travel(T + timedelta(minutes=12), tick=False), django_capture_on_commit_callbacks():
        call_command("findings", "sweep-imports", "--running-after", "10")
    assert "failed 1, queued again 0" in capsys.readouterr().out
    second.refresh_from_db()
    assert second.status == ImportStatus.FAILED and "more than 10 minutes" in second.error
