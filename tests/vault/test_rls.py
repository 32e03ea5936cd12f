"""PostgreSQL row-level security on the vault's tables (documents and wrapped data keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.vault.conftest import store

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db,
]

TABLES = ("vault_document", "vault_organizationkey")


def _set_org(org_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.org_id', %s, true)", ["" if org_id is None else str(org_id)])


def _count(sql: str, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def test_raw_sql_sees_only_the_set_organizations_rows(actor_a: Any, actor_b: Any, storage_dir: Path) -> None:
    store(actor_a, "A report")
    store(actor_b, "B report")
    org_a, org_b = actor_a.organization, actor_b.organization
    for table in TABLES:
        _set_org(None)
        assert _count(f'SELECT count(*) FROM "{table}"') == 0, f"{table}: rows visible with no org set"
        _set_org(org_a.pk)
        assert _count(f'SELECT count(*) FROM "{table}"') == 1
        assert _count(f'SELECT count(*) FROM "{table}" WHERE organization_id = %s', [org_b.pk]) == 0
    _set_org(org_b.pk)
    with (
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE vault_organizationkey SET organization_id = %s", [org_a.pk])
    _set_org(None)
