"""Progress of the write phase: rows saved, reported per batch through the cache, so the polling page
shows it while the single write transaction is still open."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.assessments.helpers import application
from tests.assessments.importers.samples import SAMPLES
from tests.factories import principal_for
from trustroom.assessments.imports import run_queued_import, start_finding_import, upsert
from trustroom.assessments.imports import services as import_services
from trustroom.assessments.imports.progress import write_progress
from trustroom.assessments.models import Finding, FindingImport, ImportStatus
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
NESSUS = next(s for s in SAMPLES if s.path == "nessus/nessus_with_cvssv3.nessus")
SAVED = re.compile(r"(\d+) of (\d+) results? saved")


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def job(org_a: Any, owner_a: Any, django_capture_on_commit_callbacks: Any) -> FindingImport:
    with org_scope(org_a), django_capture_on_commit_callbacks(execute=False):
        actor = principal_for(owner_a, org_a)
        upload = SimpleUploadedFile("scan.nessus", NESSUS.file.read_bytes())
        return start_finding_import(actor=actor, application=application(actor), uploaded_file=upload)


def test_polling_page_shows_rows_saved_while_the_write_transaction_is_open(
    org_a: Any, owner_a: Any, job: FindingImport, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    client.force_login(owner_a)
    url = f"/o/{org_a.slug}/assessments/imports/{job.pk}/progress/"
    api_url = f"/api/v1/orgs/{org_a.slug}/finding-imports/{job.pk}/"
    pages: list[str] = []
    api_progress: list[Any] = []
    real = import_services._WriteProgress.__call__

    def poll_after_each_batch(self: Any, done: int, total: int) -> None:
        real(self, done, total)
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        pages.append(response.content.decode())
        api_progress.append(client.get(api_url).json()["write_progress"])

    monkeypatch.setattr(upsert, "BATCH", 10)
    monkeypatch.setattr(import_services._WriteProgress, "__call__", poll_after_each_batch)
    assert run_queued_import(organization=org_a, import_id=job.pk) == ImportStatus.SUCCEEDED

    saved = [tuple(int(n) for n in SAVED.search(page).groups()) for page in pages]  # type: ignore[union-attr]
    assert saved == [(0, 49), (10, 49), (20, 49), (30, 49), (40, 49), (49, 49)]
    assert all("Saving findings…" in page and 'hx-trigger="every 2s"' in page for page in pages)
    assert 'value="40"' in pages[2]  # 20 of 49
    assert [(p["rows_done"], p["rows_total"]) for p in api_progress] == saved  # the API polls the same

    # Finished: the cached progress is gone and the page shows the counts.
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "saved" not in done and "hx-trigger" not in done and "<caption>" in done
    finished = client.get(api_url).json()
    assert finished["write_progress"] is None and finished["progress_at"] is not None
    with org_scope(org_a):
        job.refresh_from_db()
        assert write_progress(job) is None and job.created_count == NESSUS.count


def test_write_progress_is_cleared_when_the_write_fails(
    org_a: Any, job: FindingImport, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = import_services._WriteProgress.__call__

    def break_midway(self: Any, done: int, total: int) -> None:
        real(self, done, total)
        if done:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(upsert, "BATCH", 10)
    monkeypatch.setattr(import_services._WriteProgress, "__call__", break_midway)
    assert run_queued_import(organization=org_a, import_id=job.pk) == ImportStatus.FAILED
    with org_scope(org_a):
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED and "internal error" in job.error
        assert Finding.objects.count() == 0  # the batch already written was rolled back
        running = FindingImport(pk=job.pk, organization=org_a, status=ImportStatus.RUNNING)
        assert write_progress(running) is None
