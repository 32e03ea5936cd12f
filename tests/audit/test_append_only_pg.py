"""On PostgreSQL the application's role may only INSERT and SELECT audit events."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.audit.helpers import TABLE, record_many, verify
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "sqlite") != "postgres", reason="needs TRUSTROOM_TEST_DB=postgres"
    ),
    pytest.mark.django_db,
]


def app_role() -> str:
    return str(settings.DATABASES["default"]["USER"])


@pytest.fixture
def three_events(org_a: Any, owner_a: Any) -> list[AuditEvent]:
    return record_many(org_a, owner_a, 3)


def attempt(org: Any, statement: str, params: list[Any] | None = None) -> DatabaseError:
    """Run `statement` as the app role inside the organization's scope; return the error it raised."""
    with (
        pytest.raises(DatabaseError) as failure,
        transaction.atomic(),
        org_scope(org),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params or [])
    return failure.value


def test_the_app_connects_as_a_role_that_owns_nothing(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        user, superuser, bypass_rls = cursor.fetchone()
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [TABLE])
        (owner,) = cursor.fetchone()
    assert user == app_role()
    assert not superuser and not bypass_rls
    assert owner != user


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET action = 'forged' WHERE seq = 1",
        f"DELETE FROM {TABLE} WHERE seq = 1",
        f"TRUNCATE {TABLE}",
        f"TRUNCATE {TABLE} CASCADE",
    ],
)
def test_update_delete_truncate_are_refused(
    org_a: Any, three_events: list[AuditEvent], statement: str
) -> None:
    error = attempt(org_a, statement)
    assert isinstance(error.__cause__, psycopg.errors.InsufficientPrivilege)
    assert "permission denied" in str(error)
    # Nothing changed: the chain still verifies, all three events are there.
    report = verify(org_a)
    assert report.ok and report.events_checked == 3


def test_the_orm_cannot_update_or_delete_either(org_a: Any, three_events: list[AuditEvent]) -> None:
    for operation in (
        lambda: AuditEvent.objects.filter(seq=2).update(action="forged"),
        lambda: AuditEvent.objects.filter(seq=2).delete(),
    ):
        with pytest.raises(DatabaseError) as failure, transaction.atomic(), org_scope(org_a):
            operation()
        assert isinstance(failure.value.__cause__, psycopg.errors.InsufficientPrivilege)
    assert verify(org_a).ok


def test_insert_and_select_work(org_a: Any, owner_a: Any, three_events: list[AuditEvent]) -> None:
    record_many(org_a, owner_a, 2)  # the service INSERTs
    with org_scope(org_a), connection.cursor() as cursor:
        cursor.execute(f"SELECT seq FROM {TABLE} ORDER BY seq")
        assert [row[0] for row in cursor.fetchall()] == [1, 2, 3, 4, 5]
    assert verify(org_a).events_checked == 5


def test_without_an_organization_setting_no_event_is_visible(three_events: list[AuditEvent]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        assert cursor.fetchone() == (0,)


def test_granted_privileges_are_exactly_insert_and_select(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE table_schema = 'public' AND table_name = %s AND grantee = %s",
            [TABLE, app_role()],
        )
        granted = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT p FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p "
            "WHERE has_table_privilege(current_user, %s, p)",
            [TABLE],
        )
        effective = {row[0] for row in cursor.fetchall()}
    assert granted == {"INSERT", "SELECT"}
    # Effective rights too (through PUBLIC or any role membership), not only direct grants.
    assert effective == {"INSERT", "SELECT"}
