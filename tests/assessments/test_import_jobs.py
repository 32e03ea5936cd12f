"""Queued imports: the upload is stored encrypted, the task runs once after commit, progress and failures
are recorded, and the stored report is removed afterwards."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.assessments.helpers import application
from tests.assessments.importers.samples import SAMPLES
from tests.factories import member, principal_for
from trustroom.assessments.imports import run_queued_import, start_finding_import
from trustroom.assessments.imports import storage as import_storage
from trustroom.assessments.models import Finding, FindingImport, ImportStatus
from trustroom.assessments.tasks import run_finding_import
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.models import Membership
from trustroom.vault import crypto

pytestmark = pytest.mark.django_db
NESSUS = next(s for s in SAMPLES if s.path == "nessus/nessus_with_cvssv3.nessus")


def upload(data: bytes, name: str = "scan.nessus") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def queue(actor: Any, app: Any, data: bytes, **kw: Any) -> FindingImport:
    return start_finding_import(actor=actor, application=app, uploaded_file=upload(data), **kw)


def test_upload_is_stored_encrypted_then_imported_once(
    actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    app = application(actor)
    data = NESSUS.file.read_bytes()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = queue(actor, app, data)
    assert job.status == ImportStatus.QUEUED and job.size_bytes == len(data)
    stored = default_storage.open(job.storage_name, "rb").read()
    assert stored.startswith(import_storage.MAGIC)
    assert b"NessusClientData_v2" not in stored and b"ReportItem" not in stored
    assert AuditEvent.objects.filter(action="finding.import_queued").count() == 1
    assert Finding.objects.count() == 0
    assert len(callbacks) == 1

    callbacks[0]()  # the enqueued task (eager)
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.error
    assert (job.format, job.created_count, job.results_total) == ("nessus", NESSUS.count, NESSUS.count)
    assert job.bytes_done == job.bytes_total == len(data)
    assert job.started_at and job.finished_at
    assert job.storage_name == "" and not default_storage.exists(job.storage_name or "x")
    assert Finding.objects.filter(application=app, last_import=job).count() == NESSUS.count
    event = AuditEvent.objects.get(action="finding.import")
    assert event.changes["filename"] == "scan.nessus" and event.changes["created"] == NESSUS.count

    # Idempotent: a second delivery of the task changes nothing.
    assert run_finding_import(job.pk, job.organization_id) == "skipped"
    assert AuditEvent.objects.filter(action="finding.import").count() == 1
    assert Finding.objects.count() == NESSUS.count


def test_stored_file_is_removed_and_job_failed_on_a_malformed_report(
    actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    app = application(actor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = queue(actor, app, b'{"version": "2.1.0", "runs": [{"results": [{"ruleId": ', format="sarif")
    name = job.storage_name
    assert default_storage.exists(name)
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error.startswith("SARIF: invalid JSON near byte")
    assert job.finished_at is not None
    assert not default_storage.exists(name) and job.storage_name == ""
    assert Finding.objects.count() == 0
    assert run_finding_import(job.pk, job.organization_id) == "skipped"


def test_progress_is_saved_while_parsing(actor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustroom.assessments.imports import services as import_services

    saved: list[tuple[int, int]] = []
    real = import_services._ProgressSaver.__call__

    def spy(self: Any, done: int, total: int) -> None:
        real(self, done, total)
        saved.append(
            tuple(FindingImport.objects.filter(pk=self.job_id).values_list("bytes_done", "bytes_total")[0])
        )

    monkeypatch.setattr(import_services, "PROGRESS_SAVE_SECONDS", 0)
    monkeypatch.setattr(import_services._ProgressSaver, "__call__", spy)
    job = queue(actor, application(actor), NESSUS.file.read_bytes())
    run_queued_import(organization=job.organization, import_id=job.pk)
    size = NESSUS.file.stat().st_size
    assert len(saved) >= 2
    assert saved[-1] == (size, size)
    assert saved[0][0] < size


def test_tampered_stored_report_fails_cleanly(actor: Any) -> None:
    job = queue(actor, application(actor), NESSUS.file.read_bytes())
    blob = bytearray(default_storage.open(job.storage_name, "rb").read())
    blob[40] ^= 1
    default_storage.delete(job.storage_name)
    default_storage.save(job.storage_name, io.BytesIO(bytes(blob)))
    run_queued_import(organization=job.organization, import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "could not be decrypted" in job.error
    assert Finding.objects.count() == 0


def test_segments_bind_order_and_end(actor: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_storage, "SEGMENT_BYTES", 1000)
    key = crypto.new_data_key()
    data = bytes(range(256)) * 10
    stored = import_storage.store_encrypted([data], key=key, organization_id=1, uid="u", max_bytes=10**6)
    path = import_storage.decrypt_to_tempfile(stored.storage_name, key=key, organization_id=1, uid="u")
    assert Path(path).read_bytes() == data
    with pytest.raises(crypto.DecryptionError):  # another import's uid
        import_storage.decrypt_to_tempfile(stored.storage_name, key=key, organization_id=1, uid="v")
    raw = default_storage.open(stored.storage_name, "rb").read()
    first = 4 + 4 + int.from_bytes(raw[4:8], "big")
    default_storage.delete(stored.storage_name)
    default_storage.save(stored.storage_name, io.BytesIO(raw[:first]))  # truncated
    with pytest.raises(crypto.DecryptionError):
        import_storage.decrypt_to_tempfile(stored.storage_name, key=key, organization_id=1, uid="u")


def test_uploader_who_left_cannot_have_it_run(actor: Any, scoped: Any) -> None:
    editor = member(scoped, "editor")
    job = queue(principal_for(editor, scoped), application(actor), NESSUS.file.read_bytes())
    Membership.objects.filter(user=editor).delete()
    run_queued_import(organization=scoped, import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "no longer a member" in job.error
    assert Finding.objects.count() == 0


def test_start_validates_before_storing(actor: Any, settings: Any) -> None:
    app = application(actor)
    with pytest.raises(ValidationError) as error:
        queue(actor, app, b"x", format="csv")
    assert "format" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        queue(actor, app, b"")
    assert "empty" in error.value.message_dict["file"][0]
    settings.TRUSTROOM_IMPORT_MAX_MB = 0.001
    with pytest.raises(ValidationError) as error:
        queue(actor, app, json.dumps({"x": "y" * 5000}).encode())
    assert "at most" in error.value.message_dict["file"][0]
    assert FindingImport.objects.count() == 0
