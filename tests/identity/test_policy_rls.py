"""PostgreSQL: the security policy table is under row-level security, and enforcement still reads it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.identity.factories import set_security_policy
from tests.tenancy.factories import signed_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db,
]

TABLE = "identity_securitypolicy"


def _set_org(org_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.org_id', %s, true)", ["" if org_id is None else str(org_id)])


def _rows(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def test_raw_sql_sees_only_the_set_organizations_policy(org_a, owner_a, org_b, owner_b):
    set_security_policy(org_a, owner_a, session_lifetime_minutes=61)
    set_security_policy(org_b, owner_b, session_lifetime_minutes=62)
    _set_org(None)
    assert _rows(f"SELECT session_lifetime_minutes FROM {TABLE}") == []
    _set_org(org_a.pk)
    assert _rows(f"SELECT session_lifetime_minutes FROM {TABLE}") == [(61,)]
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        _rows(f"UPDATE {TABLE} SET organization_id = %s RETURNING id", [org_b.pk])
    _set_org(org_b.pk)
    assert _rows(f"SELECT session_lifetime_minutes FROM {TABLE}") == [(62,)]
    _set_org(None)


def test_enforcement_reads_the_policy_under_row_level_security(org_a, owner_a):
    set_security_policy(org_a, owner_a, require_mfa=True)
    response = signed_in(owner_a).get("/o/alpha-co/")
    assert response.status_code == 302
    assert "/2fa/totp/activate/" in response["Location"]
