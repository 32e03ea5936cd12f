"""Row-level security of the controls tables (PostgreSQL): forced, and each organization sees and writes
only its own rows, in raw SQL as the application role."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.controls.factories import make_world
from tests.factories import principal_for
from trustroom.controls.models import (
    Check,
    CheckControl,
    CheckRun,
    Control,
    ControlRequirement,
    Evidence,
    InventorySnapshot,
)
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
]
MODELS = (Control, ControlRequirement, Check, CheckControl, CheckRun, InventorySnapshot, Evidence)
TABLES = [model._meta.db_table for model in MODELS]


def fetch(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def test_every_table_has_forced_row_level_security() -> None:
    rows = fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [TABLES]
    )
    assert sorted(rows) == sorted((table, True, True) for table in TABLES)


def test_raw_sql_sees_and_writes_only_its_own_organization(
    org_a: Any, org_b: Any, owner_a: Any, owner_b: Any
) -> None:
    for org, owner in ((org_a, owner_a), (org_b, owner_b)):
        with org_scope(org):
            make_world(principal_for(owner, org), org.slug.split("-")[0])
    with org_scope(org_a):
        for table in TABLES:
            assert fetch(f"SELECT DISTINCT organization_id FROM {table}") == [(org_a.pk,)], table
        with pytest.raises(DatabaseError), transaction.atomic():
            fetch(
                "INSERT INTO controls_control (organization_id, key, name, description, frequency, "
                "freshness_days, created_at, updated_at) VALUES (%s, 'X-1', 'x', '', 'FREQ=DAILY', 1, now(), now())",
                [org_b.pk],
            )
        assert (
            fetch(
                "UPDATE controls_check SET enabled = false WHERE organization_id = %s RETURNING id",
                [org_b.pk],
            )
            == []
        )
    with transaction.atomic():
        fetch("SELECT set_config('app.org_id', '', true)")
        assert fetch("SELECT count(*) FROM controls_evidence") == [(0,)]
