"""Evidence packages: a period's evidence as one ZIP, built by a background job, stored encrypted.

The ZIP holds, per control in the period's scope (`audit_scope`): its vault files as the originals
(decrypted, not watermarked: an auditor needs the documents exactly as kept, whose SHA-256 matches the
vault's record), its links (links.json) and the check runs feeding it (check-runs/<id>.json); at the top an
index.csv of every evidence item and manifest.json listing every other file with its size and SHA-256, the
organization, the period, when and by which version it was generated, and the audit-log chain head at
export time. `trustroom evidence verify PACKAGE` checks a package against its manifest.

The ZIP is written to a temporary file under the data directory while it is built (one member in memory
at a time), then sealed with the organization's data key (associated data binds organization, package uid and
purpose) and kept in the file store; it is re-encrypted when the data keys rotate. The seal is one AES-GCM
message (the vault's format), so storing still holds the finished ZIP and its ciphertext in memory once;
building no longer does. `trustroom.controls.evidence_sweep` settles packages a lost worker left behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import secrets
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from trustroom.audit.models import AuditChainHead, AuditEvent
from trustroom.audit.services import record_event
from trustroom.controls import audit_scope
from trustroom.controls.audit_models import AuditPeriod, EvidencePackage, PackageStatus
from trustroom.controls.models import CheckRun, Control, Evidence, EvidenceKind
from trustroom.tenancy import policies
from trustroom.tenancy.joblocks import claimable_statuses, job_lock
from trustroom.tenancy.models import Membership, Organization
from trustroom.tenancy.narrowing import unnarrowed
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.vault import crypto, keys
from trustroom.vault.models import OrganizationKey
from trustroom.vault.rotation import register_reencryptor
from trustroom.vault.selectors import document_bytes
from trustroom.web.cells import safe_cell

logger = logging.getLogger(__name__)

PURPOSE = "evidence-package"
MANIFEST = "manifest.json"
INDEX = "index.csv"
FORMAT_VERSION = 1
CHUNK = 64 * 1024
Progress = Callable[[int, int], None]


def generator_version() -> str:
    try:
        return metadata.version("trustroom")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# --- Starting a package ---------------------------------------------------------------------------------


@transaction.atomic
def request_package(*, actor: Principal, period: AuditPeriod, enqueue: bool = True) -> EvidencePackage:
    """Queue an export of `period` (the job is enqueued once the transaction commits)."""
    policies.check(actor, "add", EvidencePackage)
    if not audit_scope.may_see_period(actor, period):
        raise PermissionDenied("This audit period is not yours to export.")
    package = EvidencePackage.objects.create(
        period=period, created_by=actor.user if actor.is_member else None
    )
    record_event(
        actor=actor, action="evidence_package.requested", target=package, changes={"period": period.name}
    )
    if enqueue:
        from trustroom.controls.tasks import build_evidence_package

        package_id, org_id = package.pk, package.organization_id
        transaction.on_commit(lambda: build_evidence_package.delay(package_id, org_id))
    return package


# --- Building it (the task's body) -----------------------------------------------------------------------


def _requester(package: EvidencePackage) -> Principal:
    """The principal the package is built for: its requester as they are now (an auditor whose assignment
    was removed meanwhile gets nothing), or the platform for a package started from the command line."""
    organization = package.organization
    if package.created_by_id is None:
        return system_principal(organization)
    membership = Membership.objects.filter(organization=organization, user_id=package.created_by_id).first()
    if membership is None:
        raise PermissionDenied("The person who asked for this package is no longer a member.")
    return Principal(organization=organization, role=membership.role, user=membership.user)


def _claim(organization: Organization, package_id: int) -> bool:
    with transaction.atomic(), org_scope(organization):
        # One conditional UPDATE: of two deliveries of the same task exactly one sees a row changed.
        return bool(
            # A running package is claimed again only by the holder of its lock: its worker died, and
            # the package is stored in one transaction at the end, so nothing of it was kept.
            EvidencePackage.objects.filter(
                pk=package_id, status__in=claimable_statuses(PackageStatus.QUEUED, PackageStatus.RUNNING)
            ).update(status=PackageStatus.RUNNING, started_at=timezone.now(), progress_at=timezone.now())
        )


def _save_progress(organization: Organization, package_id: int, done: int, total: int) -> None:
    with transaction.atomic(), org_scope(organization):
        # progress_at is the heartbeat the sweeper reads: a step saved means the worker is alive.
        EvidencePackage.objects.filter(pk=package_id).update(
            done=done, total=total, progress_at=timezone.now()
        )


def _fail(organization: Organization, package_id: int, message: str) -> None:
    with transaction.atomic(), org_scope(organization):
        EvidencePackage.objects.filter(pk=package_id, status=PackageStatus.RUNNING).update(
            status=PackageStatus.FAILED, error=message[:500], finished_at=timezone.now()
        )


def run_package_job(
    *, organization: Organization, package_id: int, on_progress: Progress | None = None
) -> str:
    """Build a queued package once. Returns its status afterwards, or "skipped" when it was not queued
    (already built, or being built by another live worker): running the task twice builds once. A package
    whose worker was killed is built by the next delivery of its task."""
    with job_lock("evidence-package", package_id) as held:
        if not held:
            return "skipped"
        return _build_locked(organization=organization, package_id=package_id, on_progress=on_progress)


def _build_locked(*, organization: Organization, package_id: int, on_progress: Progress | None) -> str:
    if not _claim(organization, package_id):
        return "skipped"

    def progress(done: int, total: int) -> None:
        _save_progress(organization, package_id, done, total)
        if on_progress is not None:
            on_progress(done, total)

    try:
        # Short transactions of their own (savepoints when nested), so a refusal rolls back cleanly.
        with transaction.atomic(), org_scope(organization):
            package = EvidencePackage.objects.select_related("period__organization").get(pk=package_id)
            actor = _requester(package)
            plan = plan_package(actor=actor, period=package.period)
        with _spool_file() as spool:
            manifest = build_zip(plan, spool, progress)
            with transaction.atomic(), org_scope(organization):
                _store(package=package, spool=spool, manifest=manifest)
        return PackageStatus.DONE
    except PermissionDenied as exc:
        _fail(organization, package_id, str(exc) or "Not allowed.")
    except Exception:
        logger.exception("Evidence package %s failed", package_id)
        _fail(organization, package_id, "The export failed because of an internal error; try again.")
    return PackageStatus.FAILED


def chain_head() -> dict[str, Any]:
    """The audit log's head as the audit app records it (`AuditChainHead`), with the event at its end."""
    head = AuditChainHead.objects.first()
    if head is None or head.seq == 0:
        return {"seq": 0, "hash": "0" * 64, "event_id": None}
    event_id = AuditEvent.objects.filter(seq=head.seq).values_list("pk", flat=True).first()
    return {"seq": head.seq, "hash": head.hash, "event_id": event_id}


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True, default=str).encode()


def _run_json(run: CheckRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "check": run.check_ref.name,
        "kind": run.check_ref.kind,
        "trigger": run.trigger,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "outcome": run.outcome,
        "summary": run.summary,
        "details": run.details,
        "resources": run.resources,
    }


@dataclass
class PackagePlan:
    """What goes into a package, read in one go inside the organization's scope."""

    organization: Organization
    period: AuditPeriod
    controls: list[Control]
    evidence: list[Evidence]
    runs: list[CheckRun]

    @property
    def steps(self) -> int:
        return len(self.evidence) + len(self.runs) + 1


def plan_package(*, actor: Principal, period: AuditPeriod) -> PackagePlan:
    """Read the period's scope through `audit_scope` as `actor` sees it (inside the organization's scope)."""
    policies.check(actor, "view", period)
    return PackagePlan(
        organization=period.organization,
        period=period,
        controls=list(audit_scope.controls_in(actor, period)),
        evidence=list(audit_scope.evidence_in(actor, period)),
        runs=list(audit_scope.runs_in(actor, period).prefetch_related("check_ref__feeds")),
    )


def _spool_file() -> IO[bytes]:
    """An anonymous temporary file under the data directory (removed when closed, or by the OS on a crash)."""
    directory = Path(settings.DATA_DIR) / "tmp"
    directory.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryFile(dir=directory)


def build_zip(plan: PackagePlan, out: IO[bytes], progress: Progress | None = None) -> dict[str, Any]:
    """Write the package's ZIP to `out` (a seekable binary file) and return its manifest. Runs outside a
    long transaction, so that the progress each step saves is seen by the polling page; vault files are
    read one at a time in their own scope, so memory holds one member (and its ciphertext) at a time."""
    total, done = plan.steps, 0
    if progress is not None:
        progress(done, total)
    entries: list[dict[str, Any]] = []
    keys_by_id = {control.pk: control.key for control in plan.controls}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(path: str, data: bytes) -> None:
            # In chunks: writestr compresses a member in one call, whose buffers cost ~5x its size.
            digest = hashlib.sha256()
            with archive.open(path, "w") as member:
                view = memoryview(data)
                for offset in range(0, len(data), CHUNK):
                    chunk = view[offset : offset + CHUNK]
                    member.write(chunk)
                    digest.update(chunk)
            entries.append({"path": path, "size": len(data), "sha256": digest.hexdigest()})

        def step() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        index_rows: list[list[str]] = []
        links: dict[int, list[dict[str, Any]]] = {}
        for item in plan.evidence:
            folder = f"controls/{_safe(item.control.key)}"
            location = ""
            if item.kind == EvidenceKind.FILE and item.document is not None:
                location = f"{folder}/files/{item.pk}-{item.document.download_filename}"
                add(location, document_bytes(item.document))
            elif item.kind == EvidenceKind.LINK:
                links.setdefault(item.control_id, []).append(
                    {"evidence": item.pk, "url": item.url, "effective_at": item.effective_at.isoformat(),
                     "expires_at": item.expires_at.isoformat(), "note": item.note}
                )  # fmt: skip
                location = item.url
            elif item.check_run_id is not None:
                location = f"{folder}/check-runs/{item.check_run_id}.json"
            index_rows.append(
                [item.control.key, str(item.pk), item.kind, item.effective_at.isoformat(),
                 item.expires_at.isoformat(), location, item.note]
            )  # fmt: skip
            step()
        for control_id, control_links in links.items():
            add(f"controls/{_safe(keys_by_id[control_id])}/links.json", _json_bytes(control_links))
        for run in plan.runs:
            for feed in run.check_ref.feeds.all():
                if feed.control_id in keys_by_id:
                    add(f"controls/{_safe(keys_by_id[feed.control_id])}/check-runs/{run.pk}.json",
                        _json_bytes(_run_json(run)))  # fmt: skip
            step()
        add(INDEX, _index_csv(index_rows))
        with org_scope(plan.organization):
            head = chain_head()
        manifest = {
            "format": FORMAT_VERSION,
            "organization": {"slug": plan.organization.slug, "name": plan.organization.name},
            "period": {
                "name": plan.period.name,
                "frameworks": list(plan.period.framework_codes),
                "starts_at": plan.period.starts_at.isoformat(),
                "ends_at": plan.period.ends_at.isoformat(),
            },
            "controls": [{"key": control.key, "name": control.name} for control in plan.controls],
            "generated_at": timezone.now().isoformat(),
            "generator": {"name": "trustroom", "version": generator_version()},
            "audit_chain_head": head,
            "files": entries,
        }
        archive.writestr(MANIFEST, _json_bytes(manifest))
    step()
    return manifest


def _safe(key: str) -> str:
    """A control key as one path segment (keys are short identifiers; anything else becomes "_")."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in key).strip(".")
    return cleaned or "control"


def _index_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["control", "evidence", "kind", "effective_at", "expires_at", "file_or_url", "note"])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue().encode()


# --- Storage ----------------------------------------------------------------------------------------------


def _storage_name(organization_id: int) -> str:
    return f"evidence-packages/{organization_id}/{secrets.token_hex(20)}.enc"


def _seal(data_key: bytes, content: bytes, package: EvidencePackage) -> bytes:
    return crypto.encrypt_document(
        data_key,
        content,
        organization_id=package.organization_id,
        document_uid=str(package.uid),
        purpose=PURPOSE,
    )


def _digest(spool: IO[bytes]) -> tuple[int, str]:
    """Size and SHA-256 of the spooled ZIP, read back in chunks."""
    spool.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := spool.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _store(*, package: EvidencePackage, spool: IO[bytes], manifest: dict[str, Any]) -> None:
    size, sha256 = _digest(spool)
    org_key, data_key = keys.active_key(actor=system_principal(package.organization))
    spool.seek(0)
    # The vault seals one AES-GCM message: the whole ZIP is read here (the one remaining memory bound).
    sealed = _seal(data_key, spool.read(), package)
    name = default_storage.save(_storage_name(package.organization_id), ContentFile(sealed))
    del sealed
    try:
        with transaction.atomic():
            head = manifest["audit_chain_head"]
            updated = EvidencePackage.objects.filter(pk=package.pk, status=PackageStatus.RUNNING).update(
                status=PackageStatus.DONE,
                storage_name=name,
                data_key=org_key,
                size_bytes=size,
                sha256=sha256,
                files=len(manifest["files"]),
                chain_head_seq=head["seq"],
                chain_head_hash=head["hash"],
                finished_at=timezone.now(),
            )
            if not updated:
                raise ValidationError("The package was settled by someone else meanwhile.")
            record_event(
                actor=system_principal(package.organization),
                action="evidence_package.built",
                target=package,
                changes={"period": package.period.name, "files": len(manifest["files"]),
                         "sha256": sha256, "chain_head_seq": head["seq"]},
            )  # fmt: skip
    except BaseException:
        default_storage.delete(name)
        raise


def package_bytes(package: EvidencePackage) -> bytes:
    """The ZIP's plaintext (decrypted in memory for the download at hand)."""
    if package.status != PackageStatus.DONE or not package.storage_name or package.data_key_id is None:
        raise ValidationError("This package is not ready.")
    with unnarrowed():  # key material: internal, never narrowed to what an auditor reads
        org_key = OrganizationKey.objects.get(pk=package.data_key_id)
    with default_storage.open(package.storage_name, "rb") as handle:
        blob = handle.read()
    return crypto.decrypt_document(
        keys.unwrap(org_key), blob, organization_id=package.organization_id, document_uid=str(package.uid),
        purpose=PURPOSE,
    )  # fmt: skip


@transaction.atomic
def record_package_download(*, actor: Principal, package: EvidencePackage) -> None:
    policies.check(actor, "view", package)
    record_event(
        actor=actor, action="evidence_package.downloaded", target=package, changes={"sha256": package.sha256}
    )


def _reencrypt(old_data_keys: dict[int, bytes], new_key: OrganizationKey, new_data_key: bytes) -> int:
    count = 0
    replaced: list[str] = []
    for package in EvidencePackage.objects.select_for_update().filter(data_key__isnull=False).order_by("pk"):
        with default_storage.open(package.storage_name, "rb") as handle:
            plaintext = crypto.decrypt_document(
                old_data_keys[package.data_key_id or 0],
                handle.read(),
                organization_id=package.organization_id,
                document_uid=str(package.uid),
                purpose=PURPOSE,
            )
        name = default_storage.save(
            _storage_name(package.organization_id), ContentFile(_seal(new_data_key, plaintext, package))
        )
        replaced.append(package.storage_name)
        package.storage_name = name
        package.data_key = new_key
        package.save(update_fields=["storage_name", "data_key"])
        count += 1

    def remove_old_files() -> None:
        for name in replaced:
            default_storage.delete(name)

    transaction.on_commit(remove_old_files)
    return count


def register() -> None:
    register_reencryptor("evidence_packages", _reencrypt)
