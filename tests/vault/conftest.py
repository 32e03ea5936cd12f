from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from tests.factories import principal_for
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.vault import services
from trustroom.vault.models import Document
from trustroom.vault.samples import sample_pdf


@pytest.fixture
def kek_file(tmp_path: Path, settings: Any) -> Path:
    """A keyset of this test's own, so rotation tests never touch the shared one."""
    path = tmp_path / "keys" / "kek.json"
    settings.TRUSTROOM_KEK_PATH = path
    return path


@pytest.fixture
def actor_a(org_a: Any, owner_a: Any) -> Principal:
    return principal_for(owner_a, org_a)


@pytest.fixture
def actor_b(org_b: Any, owner_b: Any) -> Principal:
    return principal_for(owner_b, org_b)


def store(
    actor: Principal, title: str = "SOC 2 Type 2 report", *, lines: list[str] | None = None, pages: int = 1
) -> Document:
    content = sample_pdf(title=title, lines=lines or [f"{title} for {actor.organization.name}"], pages=pages)
    with org_scope(actor.organization):
        return services.store_document(actor=actor, title=title, content=content, filename="report.pdf")


def stored_files() -> list[Path]:
    root = Path(default_storage.path(""))
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def storage_dir(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """An empty file store of this test's own."""
    location = tmp_path / "files"
    storages = dict(settings.STORAGES)
    storages["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": location,
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }
    settings.STORAGES = storages
    yield location
