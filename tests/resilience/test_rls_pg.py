"""Row-level security of the resilience tables (PostgreSQL): forced, and each organization sees and writes
only its own rows, in raw SQL as the application role, whatever the application does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.factories import principal_for
from tests.resilience.factories import make_drill, make_exercise, make_item, make_plan
from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
]
TABLES = [model._meta.db_table for model in (DrPlan, FailoverDrill, BcpExercise, ActionItem)]


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
    started = dt.datetime(2026, 2, 1, 10, 0, tzinfo=dt.UTC)
    for org, owner in ((org_a, owner_a), (org_b, owner_b)):
        with org_scope(org):
            actor = principal_for(owner, org)
            plan = make_plan(actor, service=f"{org.slug} API")
            drill = make_drill(actor, plan, started_at=started)
            make_exercise(actor)
            make_item(actor, drill=drill)
    with org_scope(org_a):
        for table in TABLES:
            assert fetch(f"SELECT DISTINCT organization_id FROM {table}") == [(org_a.pk,)]
        with pytest.raises(DatabaseError), transaction.atomic():
            fetch(
                "INSERT INTO resilience_bcpexercise (organization_id, title, scenario, held_at, participants, "
                "summary, open_points, created_at, updated_at) "
                "VALUES (%s, 'x', 'y', now(), '[]', '', '[]', now(), now())",
                [org_b.pk],
            )
        assert (
            fetch(
                "UPDATE resilience_drplan SET rto_minutes = 1 WHERE organization_id = %s RETURNING id",
                [org_b.pk],
            )
            == []
        )
    with transaction.atomic():
        fetch("SELECT set_config('app.org_id', '', true)")
        assert fetch("SELECT count(*) FROM resilience_actionitem") == [(0,)]
