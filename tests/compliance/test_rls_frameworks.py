"""Row-level security of the framework table (PostgreSQL): built-in rows shared read-only, custom rows
only for their organization — in raw SQL as the application role, whatever the application does."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.factories import principal_for
from trustroom.compliance import services
from trustroom.compliance.models import Framework
from trustroom.tenancy.rls import POLICY_NAME, SHARED_READ_POLICY_NAME
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
]
TABLE = Framework._meta.db_table


def fetch(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def set_org(org_id: int | None) -> None:
    fetch("SELECT set_config('app.org_id', %s, true)", ["" if org_id is None else str(org_id)])


def test_policy_is_forced_shares_builtins_and_checks_writes() -> None:
    [(enabled, forced)] = fetch(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s", [TABLE]
    )
    assert (enabled, forced) == (True, True)
    policies = {
        name: (command, qual, check)
        for name, command, qual, check in fetch(
            "SELECT policyname, cmd, qual, with_check FROM pg_policies WHERE tablename = %s", [TABLE]
        )
    }
    assert set(policies) == {POLICY_NAME, SHARED_READ_POLICY_NAME}
    command, qual, check = policies[POLICY_NAME]
    assert command == "ALL" and "app.org_id" in qual and "app.org_id" in check
    assert "IS NULL" not in qual + check
    command, qual, check = policies[SHARED_READ_POLICY_NAME]
    assert command == "SELECT" and qual == "(organization_id IS NULL)" and check is None


def test_raw_sql_sees_builtins_and_only_its_own_custom_frameworks(
    org_a: Any, org_b: Any, owner_a: Any, owner_b: Any
) -> None:
    with org_scope(org_a):
        services.create_custom_framework(actor=principal_for(owner_a, org_a), name="Alpha schedule")
    with org_scope(org_b):
        services.create_custom_framework(actor=principal_for(owner_b, org_b), name="Bravo schedule")
    builtins = Framework.builtins.count()
    set_org(None)
    assert fetch(f'SELECT count(*) FROM "{TABLE}"') == [(builtins,)]
    set_org(org_a.pk)
    names = {name for (name,) in fetch(f'SELECT name FROM "{TABLE}" WHERE organization_id IS NOT NULL')}
    assert names == {"Alpha schedule"}
    # Writes: no built-in row may be added, changed or removed; no row of B may be touched or claimed.
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        fetch(
            f'INSERT INTO "{TABLE}" (organization_id, code, name, short_name, kind, description, position, '
            "created_at) VALUES (NULL, 'evil', 'Evil', 'Evil', 'other', '', 1, now()) RETURNING id"
        )
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        fetch(
            f'INSERT INTO "{TABLE}" (organization_id, code, name, short_name, kind, description, position, '
            "created_at) VALUES (%s, 'evil', 'Evil', 'Evil', 'other', '', 1, now()) RETURNING id",
            [org_b.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE \"{TABLE}\" SET name = 'hijacked' WHERE organization_id IS NULL")
        assert cursor.rowcount == 0
        cursor.execute(f'DELETE FROM "{TABLE}" WHERE organization_id IS NULL')
        assert cursor.rowcount == 0
        cursor.execute(f"UPDATE \"{TABLE}\" SET name = 'x' WHERE organization_id = %s", [org_b.pk])
        assert cursor.rowcount == 0
    set_org(None)
