"""Real concurrency on PostgreSQL (row locks, separate connections in threads): a worker that is writing
keeps the sweeper off its job, and of two workers claiming the same job at once only one runs it."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.assessments.helpers import application
from tests.assessments.test_import_sweep import NESSUS, queue
from tests.concurrency import holding, take_lock
from tests.factories import principal_for
from trustroom.assessments.imports import run_queued_import, sweep_stale_imports
from trustroom.assessments.models import Finding, FindingImport, ImportStatus
from trustroom.assessments.tasks import run_finding_import
from trustroom.audit.models import AuditEvent
from trustroom.tenancy import joblocks
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "owner"]),
]


def make_job(org: Any, owner: Any, **fields: Any) -> FindingImport:
    with org_scope(org):
        app = application(principal_for(owner, org))
        return FindingImport.objects.create(organization=org, application=app, **fields)


def test_sweeper_skips_a_job_whose_worker_holds_its_row(org_a: Any, owner_a: Any) -> None:
    old = timezone.now() - timedelta(hours=2)
    job = make_job(org_a, owner_a, status=ImportStatus.RUNNING, started_at=old, progress_at=old)
    # What run_queued_import's write phase does: lock the row for the whole write transaction.
    thread, _, release = holding(org_a, lambda: FindingImport.objects.select_for_update().get(pk=job.pk))
    try:
        assert sweep_stale_imports().failed == []
    finally:
        release.set()
        thread.join()
    assert sweep_stale_imports().failed == [job.pk]  # the worker is gone now


def test_of_two_simultaneous_claims_one_runs(
    org_a: Any, owner_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = make_job(org_a, owner_a, status=ImportStatus.QUEUED)
    monkeypatch.setattr(joblocks, "WAIT_SECONDS", 1.0)  # how long the second delivery waits for the lock

    def first_claim() -> None:
        # What run_queued_import does: hold the job's lock, then claim it.
        assert take_lock("finding-import", job.pk)
        changed = FindingImport.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING
        )
        assert changed == 1

    thread, _, release = holding(org_a, first_claim)
    outcome: list[str] = []

    def second_worker() -> None:
        try:
            outcome.append(run_queued_import(organization=org_a, import_id=job.pk))
        finally:
            connection.close()

    second = threading.Thread(target=second_worker)
    second.start()
    second.join(20)
    assert outcome == ["skipped"]  # the first worker is alive: its lock says so
    release.set()
    thread.join()
    with org_scope(org_a):
        assert FindingImport.objects.get(pk=job.pk).status == ImportStatus.RUNNING


def test_a_job_whose_worker_was_killed_is_imported_by_the_next_delivery(
    org_a: Any, owner_a: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Late acks with reject-on-worker-lost deliver the task again; the worker that claimed the job is
    gone (its connection, and so its lock, with it), so the next delivery imports it, once."""
    # Committed at once in this test: the task is enqueued (to nowhere), not run.
    monkeypatch.setattr(run_finding_import, "delay", lambda *args: None)
    with org_scope(org_a):
        job = queue(principal_for(owner_a, org_a), callbacks=django_capture_on_commit_callbacks)

    def killed_after_claiming() -> None:
        assert take_lock("finding-import", job.pk)
        claimed = FindingImport.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING
        )
        assert claimed == 1

    thread, _, release = holding(org_a, killed_after_claiming)
    release.set()
    thread.join()  # its connection is closed: what SIGKILL does to a worker
    assert run_queued_import(organization=org_a, import_id=job.pk) == ImportStatus.SUCCEEDED
    assert run_queued_import(organization=org_a, import_id=job.pk) == "skipped"
    with org_scope(org_a):
        job.refresh_from_db()
        assert job.status == ImportStatus.SUCCEEDED and job.created_count == NESSUS.count
        assert Finding.objects.count() == NESSUS.count
        assert AuditEvent.objects.filter(action="finding.import").count() == 1
