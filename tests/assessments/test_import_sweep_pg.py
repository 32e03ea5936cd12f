"""Real concurrency on PostgreSQL (row locks, separate connections in threads): a worker that is writing
keeps the sweeper off its job, and of two workers claiming the same job at once only one runs it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.assessments.helpers import application
from tests.factories import principal_for
from trustroom.assessments.imports import run_queued_import, sweep_stale_imports
from trustroom.assessments.models import FindingImport, ImportStatus
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


def holding(org: Any, hold: Callable[[], None]) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """Run `hold` in another connection's open transaction until released."""
    ready, release = threading.Event(), threading.Event()

    def run() -> None:
        try:
            with org_scope(org):
                hold()
                ready.set()
                release.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(20)
    return thread, ready, release


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


def test_of_two_simultaneous_claims_one_runs(org_a: Any, owner_a: Any) -> None:
    job = make_job(org_a, owner_a, status=ImportStatus.QUEUED)

    def first_claim() -> None:
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
    time.sleep(0.5)  # the second claim now waits on the first one's row lock
    assert outcome == []
    release.set()
    thread.join()
    second.join(20)
    assert outcome == ["skipped"]
    with org_scope(org_a):
        assert FindingImport.objects.get(pk=job.pk).status == ImportStatus.RUNNING
