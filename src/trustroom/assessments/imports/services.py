"""Scanner imports: the writes. Keyword-only, `actor` first, policy-checked, audit-logged.

- `import_findings` parses a report completely (sandboxed) and then upserts its findings in one
  transaction, recording a FindingImport; used by the CLI and the background job.
- `start_finding_import` keeps an uploaded report encrypted and queues `run_finding_import`;
  `run_queued_import` (the task's body) runs it once and removes the stored report either way.
  Parse progress (bytes) is saved on the job in short transactions of its own, with `progress_at`;
  write progress (rows) goes to the cache (see `progress.py`), as the write is one transaction.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.assessments.importers import ImportFormatError, Progress
from trustroom.assessments.importers.base import default_max_bytes
from trustroom.assessments.imports import storage
from trustroom.assessments.imports.progress import clear_write_progress, report_write_progress
from trustroom.assessments.imports.staging import StagedReport, clean_format, stage_report
from trustroom.assessments.imports.upsert import ImportResult, write_findings
from trustroom.assessments.models import Application, Engagement, Finding, FindingImport, ImportStatus
from trustroom.assessments.services.common import _invalidate_trust_center
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.joblocks import claimable_statuses, job_lock
from trustroom.tenancy.models import Membership, Organization
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope, require_org
from trustroom.vault import crypto, keys
from trustroom.vault.filenames import display_filename
from trustroom.vault.models import OrganizationKey

logger = logging.getLogger(__name__)
PROGRESS_SAVE_SECONDS = 0.5


@contextlib.contextmanager
def _scoped(organization: Organization) -> Iterator[None]:
    """A short transaction of its own in the organization's scope (a savepoint when nested)."""
    with transaction.atomic(), org_scope(organization):
        yield


def _check_can_import(actor: Principal) -> None:
    policies.check(actor, "add", FindingImport)
    policies.check(actor, "add", Finding)
    policies.check(actor, "change", Finding)


def _check_target(application: Application | None, engagement: Engagement | None) -> None:
    org = require_org()
    if application is None or application.organization_id != org.pk:
        raise ValidationError({"application": "Choose one of your applications."})
    if engagement is not None and (
        engagement.organization_id != org.pk or engagement.application_id != application.pk
    ):
        raise ValidationError({"engagement": "Choose an engagement of this application."})


def _format(value: str | None) -> str | None:
    try:
        return clean_format(value)
    except ImportFormatError as exc:
        raise ValidationError({"format": str(exc)}) from exc


@contextlib.contextmanager
def _report_path(file: IO[bytes] | None, path: str | os.PathLike[str] | None) -> Iterator[str]:
    """A path for the sandbox: `path` itself, or `file` streamed to a private temporary file."""
    if file is not None and path is not None:
        raise ValueError("Give either file or path.")
    if path is not None:
        yield os.fspath(path)
        return
    if file is None:
        raise ValueError("Give either file or path.")
    fd, temp = tempfile.mkstemp(prefix="trustroom-import-", suffix=".report")
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(file, out, 1024 * 1024)
        yield temp
    finally:
        os.unlink(temp)


def _stage(path: str, fmt: str | None, progress: Progress | None) -> StagedReport:
    try:
        return stage_report(path, fmt, progress=progress)
    except ImportFormatError as exc:
        raise ValidationError({"file": str(exc)}) from exc


def _finish(
    *, actor: Principal, job: FindingImport, staged: StagedReport, result: ImportResult, now: datetime
) -> None:
    job.format = staged.format
    job.size_bytes, job.sha256 = staged.size_bytes, staged.sha256
    job.bytes_done = job.bytes_total = staged.size_bytes
    job.results_total = result.total
    job.created_count, job.updated_count, job.unchanged_count = (
        result.created,
        result.updated,
        result.unchanged,
    )
    job.closed_count, job.reopened_count = result.closed, result.reopened
    job.status, job.error, job.finished_at = ImportStatus.SUCCEEDED, "", now
    job.started_at = job.started_at or now
    job.save()
    record_event(
        actor=actor,
        action="finding.import",
        target=job,
        changes={
            "application": job.application.name,
            "engagement": job.engagement_id,
            "format": staged.format,
            "filename": job.original_filename,
            "sha256": staged.sha256,
            "size_bytes": staged.size_bytes,
            "close_missing": job.close_missing,
            "results": result.total,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "closed": result.closed,
            "reopened": result.reopened,
        },
    )
    _invalidate_trust_center()


def import_findings(
    *,
    actor: Principal,
    application: Application,
    file: IO[bytes] | None = None,
    path: str | os.PathLike[str] | None = None,
    format: str | None = None,
    engagement: Engagement | None = None,
    close_missing: bool = False,
    progress: Progress | None = None,
    write_progress: Progress | None = None,
    now: datetime | None = None,
    filename: str = "",
) -> ImportResult:
    """Import one report (a binary `file` or a `path`) into `application`'s findings.

    A report that cannot be read raises ValidationError on "file" naming where it broke, and nothing is
    written. `progress` reports bytes parsed, then `write_progress` results written (of those parsed).
    """
    _check_can_import(actor)
    _check_target(application, engagement)
    fmt = _format(format)
    now = now or timezone.now()
    if not filename:
        filename = os.path.basename(os.fspath(path)) if path is not None else getattr(file, "name", "") or ""
    with _report_path(file, path) as report:
        staged = _stage(report, fmt, progress)
    try:
        with transaction.atomic():
            job = FindingImport.objects.create(
                organization=require_org(),
                application=application,
                engagement=engagement,
                format=staged.format,
                original_filename=display_filename(str(filename)),
                close_missing=close_missing,
                status=ImportStatus.RUNNING,
                created_by=actor.user if actor.is_member else None,
                started_at=now,
            )
            result = write_findings(
                job=job,
                application=application,
                engagement=engagement,
                staged=staged,
                close_missing=close_missing,
                now=now,
                progress=write_progress,
            )
            _finish(actor=actor, job=job, staged=staged, result=result, now=now)
    finally:
        staged.discard()
    return result


# ---------------------------------------------------------------- queued imports (UI and API)


def _chunks(uploaded_file: Any) -> Iterable[bytes]:
    if hasattr(uploaded_file, "chunks"):
        return uploaded_file.chunks()
    return iter(lambda: uploaded_file.read(1024 * 1024), b"")


@transaction.atomic
def start_finding_import(
    *,
    actor: Principal,
    application: Application,
    uploaded_file: Any,
    format: str | None = None,
    engagement: Engagement | None = None,
    close_missing: bool = False,
) -> FindingImport:
    """Keep the uploaded report encrypted and queue its import (after commit)."""
    _check_can_import(actor)
    _check_target(application, engagement)
    fmt = _format(format)
    if uploaded_file is None:
        raise ValidationError({"file": "Choose the scanner report to import."})
    max_bytes = default_max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        limit_mb = max_bytes // 1024 // 1024
        raise ValidationError(
            {"file": f"The file is {size / 1024 / 1024:.1f} MB; at most {limit_mb} MB is allowed."}
        )
    org = require_org()
    org_key, data_key = keys.active_key(actor=actor)
    job = FindingImport(
        organization=org,
        application=application,
        engagement=engagement,
        format=fmt or "",
        original_filename=display_filename(getattr(uploaded_file, "name", "") or ""),
        close_missing=close_missing,
        status=ImportStatus.QUEUED,
        data_key=org_key,
        created_by=actor.user if actor.is_member else None,
        created_by_token=actor.token,
    )
    try:
        stored = storage.store_encrypted(
            _chunks(uploaded_file),
            key=data_key,
            organization_id=org.pk,
            uid=str(job.uid),
            max_bytes=max_bytes,
        )
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if stored.size_bytes == 0:
        storage.remove_stored(stored.storage_name)
        raise ValidationError({"file": "The file is empty."})
    try:
        with transaction.atomic():
            job.storage_name = stored.storage_name
            job.size_bytes = job.bytes_total = stored.size_bytes
            job.sha256 = stored.sha256
            job.save()
            record_event(
                actor=actor,
                action="finding.import_queued",
                target=job,
                changes={
                    "application": application.name,
                    "filename": job.original_filename,
                    "format": job.format or "auto",
                    "sha256": job.sha256,
                    "size_bytes": job.size_bytes,
                    "close_missing": close_missing,
                },
            )
    except BaseException:
        storage.remove_stored(stored.storage_name)
        raise
    from trustroom.assessments.tasks.imports import run_finding_import

    job_id, org_id = job.pk, org.pk
    transaction.on_commit(lambda: run_finding_import.delay(job_id, org_id))
    return job


def _job_actor(job: FindingImport) -> Principal:
    """Who uploaded the report, as they stand now: a member with the role they hold now (one who has left
    cannot import any more), or an API token while it is still usable (revoked or expired: no import)."""
    if job.created_by_token_id is not None:
        from trustroom.api.base import token_principal
        from trustroom.identity.models import ApiToken

        token = ApiToken.objects.filter(pk=job.created_by_token_id).first()
        if token is None or not token.is_usable():
            raise ValidationError("The API token that uploaded this report was revoked or has expired.")
        return token_principal(token, require_org())
    membership = Membership.objects.filter(organization=job.organization_id, user=job.created_by_id).first()
    if job.created_by_id is None or membership is None:
        raise ValidationError("The person who uploaded this report is no longer a member.")
    return Principal(organization=require_org(), role=membership.role, user=job.created_by)


class _ProgressSaver:
    """Saves bytes parsed every PROGRESS_SAVE_SECONDS, each in its own short transaction."""

    def __init__(self, organization: Organization, job_id: int) -> None:
        self.organization, self.job_id, self.last = organization, job_id, 0.0

    def __call__(self, done: int, total: int) -> None:
        moment = time.monotonic()
        if moment - self.last < PROGRESS_SAVE_SECONDS and done < total:
            return
        self.last = moment
        with _scoped(self.organization):
            FindingImport.objects.filter(pk=self.job_id, status=ImportStatus.RUNNING).update(
                bytes_done=done, bytes_total=total, progress_at=timezone.now()
            )


class _WriteProgress:
    """Rows written so far, to the cache (the write transaction hides them from the database)."""

    def __init__(self, job: FindingImport) -> None:
        self.job = job

    def __call__(self, done: int, total: int) -> None:
        report_write_progress(self.job, done, total)


def _claimable() -> tuple[str, ...]:
    # The findings are written in one transaction: a worker killed mid-import kept none of them.
    return claimable_statuses(ImportStatus.QUEUED, ImportStatus.RUNNING)


def _claim(organization: Organization, import_id: int) -> tuple[FindingImport, Principal, bytes] | None:
    with _scoped(organization):
        now = timezone.now()
        # One conditional UPDATE: of two workers handed the same job (a redelivery, or the sweeper's
        # re-enqueue racing the first delivery) exactly one sees a row changed, on any database.
        was = FindingImport.objects.filter(pk=import_id).values_list("status", flat=True).first()
        claimed = FindingImport.objects.filter(pk=import_id, status__in=_claimable()).update(
            status=ImportStatus.RUNNING, started_at=now, progress_at=now
        )
        if claimed and was == ImportStatus.RUNNING:
            logger.warning("Finding import %s: its worker stopped mid-run; running it again", import_id)
        if not claimed:
            return None  # finished, running elsewhere, or gone: running twice is a no-op
        job = FindingImport.objects.get(pk=import_id)
        actor = _job_actor(job)
        _check_can_import(actor)
        org_key = OrganizationKey.objects.filter(pk=job.data_key_id or 0).first()
        if org_key is None:
            raise ValidationError("The key that encrypted this report was rotated away; upload it again.")
        return job, actor, keys.unwrap(org_key)


def _fail(organization: Organization, import_id: int, message: str) -> None:
    with _scoped(organization):
        unfinished = (ImportStatus.QUEUED, ImportStatus.RUNNING)  # never overwrite the sweeper's verdict
        FindingImport.objects.filter(pk=import_id, status__in=unfinished).update(
            status=ImportStatus.FAILED, error=message[:5000], finished_at=timezone.now()
        )


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(str(m) for messages in exc.message_dict.values() for m in messages)
    return " ".join(exc.messages)


def run_queued_import(*, organization: Organization, import_id: int) -> str:
    """Run a queued import once (the Celery task's body). Returns the job's status afterwards, or
    "skipped" when it was not queued any more, or another live worker runs it. A job whose worker was
    killed is run again by the next delivery of its task. The stored report is removed once the job is
    settled, whatever the outcome."""
    with job_lock("finding-import", import_id) as held:
        if not held:
            return "skipped"
        return _run_locked(organization, import_id)


def _run_locked(organization: Organization, import_id: int) -> str:
    with _scoped(organization):
        storage_name = (
            FindingImport.objects.filter(pk=import_id, status__in=_claimable())
            .values_list("storage_name", flat=True)
            .first()
        )
    report_path = None
    try:
        claimed = _claim(organization, import_id)
        if claimed is None:
            storage_name = None  # another run owns it (or it is done): leave its file alone
            return "skipped"
        job, actor, data_key = claimed
        report_path = storage.decrypt_to_tempfile(
            job.storage_name, key=data_key, organization_id=organization.pk, uid=str(job.uid)
        )
        del data_key
        staged = _stage(report_path, job.format or None, _ProgressSaver(organization, job.pk))
        try:
            with _scoped(organization):
                # The row stays locked while the findings are written: on PostgreSQL the sweeper skips
                # a locked job (its worker is alive) and cannot fail it halfway.
                job = (
                    FindingImport.objects.select_for_update(of=("self",))
                    .select_related("application", "engagement")
                    .get(pk=job.pk)
                )
                if job.status != ImportStatus.RUNNING:
                    return "skipped"  # the sweeper gave up on it while it was parsed
                now = timezone.now()
                result = write_findings(
                    job=job,
                    application=job.application,
                    engagement=job.engagement,
                    staged=staged,
                    close_missing=job.close_missing,
                    now=now,
                    progress=_WriteProgress(job),
                )
                _finish(actor=actor, job=job, staged=staged, result=result, now=now)
        finally:
            staged.discard()
            clear_write_progress(organization.pk, import_id)
        return ImportStatus.SUCCEEDED
    except ValidationError as exc:
        _fail(organization, import_id, _message(exc))
    except PermissionDenied:
        _fail(organization, import_id, "The person who uploaded this report may no longer import findings.")
    except crypto.DecryptionError:
        _fail(organization, import_id, "The stored report could not be decrypted; upload it again.")
    except Exception:
        logger.exception("Finding import %s failed", import_id)
        _fail(organization, import_id, "The import failed because of an internal error; try again.")
    finally:
        if report_path is not None:
            os.unlink(report_path)
        if storage_name:
            storage.remove_stored(storage_name)
            with _scoped(organization):
                FindingImport.objects.filter(pk=import_id).update(storage_name="")
    return ImportStatus.FAILED
