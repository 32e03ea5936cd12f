"""Housekeeping of the file store: remove ciphertexts that no document row points at.

A stored file without a row can be left behind when the transaction around an upload rolls back after
the file was written (e.g. a later step of the same request failed), or when an organization was
deleted with its documents. Such files are unreadable without their row's document id and key, but
they take space; `trustroom vault sweep` removes them once they are older than a grace period (so an
upload still in flight is never touched).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope
from trustroom.vault.models import Document

ROOT = "vault"


@dataclass
class SweepReport:
    checked: int = 0
    removed: list[str] = field(default_factory=list)


def _files_under(directory: str) -> list[str]:
    try:
        _subdirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    return [f"{directory}/{name}" for name in files]


def sweep_orphans(*, grace: timedelta = timedelta(hours=1), dry_run: bool = False) -> SweepReport:
    report = SweepReport()
    cutoff = timezone.now() - grace
    try:
        org_dirs, _files = default_storage.listdir(ROOT)
    except FileNotFoundError:
        return report
    organizations = {str(org.pk): org for org in Organization.objects.all()}
    for org_dir in sorted(org_dirs):
        names = _files_under(f"{ROOT}/{org_dir}")
        report.checked += len(names)
        organization = organizations.get(org_dir)
        referenced: set[str] = set()
        if organization is not None:
            with org_scope(organization):
                referenced = set(Document.objects.values_list("storage_name", flat=True))
        for name in names:
            if name in referenced or default_storage.get_modified_time(name) > cutoff:
                continue
            report.removed.append(name)
            if not dry_run:
                default_storage.delete(name)
    return report
