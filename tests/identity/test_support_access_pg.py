"""PostgreSQL: support access grants are under row-level security, and enforcement still reads them."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.identity.factories import grant_support, staff_user
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db,
]

TABLE = "identity_supportaccessgrant"


def _set_org(org_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.org_id', %s, true)", ["" if org_id is None else str(org_id)])


def _rows(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def test_raw_sql_sees_only_the_set_organizations_grants(org_a, owner_a, org_b, owner_b):
    staff = staff_user()
    grant_a = grant_support(org_a, owner_a, staff)
    grant_b = grant_support(org_b, owner_b, staff)
    _set_org(None)
    assert _rows(f"SELECT id FROM {TABLE}") == []
    _set_org(org_a.pk)
    assert _rows(f"SELECT id FROM {TABLE}") == [(grant_a.pk,)]
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        _rows(f"UPDATE {TABLE} SET organization_id = %s RETURNING id", [org_b.pk])
    _set_org(org_b.pk)
    assert _rows(f"SELECT id FROM {TABLE}") == [(grant_b.pk,)]
    _set_org(None)


def test_staff_enter_under_rls_and_every_request_is_recorded(org_a, owner_a, org_b, owner_b):
    staff = staff_user()
    grant_support(org_a, owner_a, staff)
    client = signed_in(staff)
    assert client.get("/o/alpha-co/").status_code == 200
    assert client.get("/api/v1/orgs/alpha-co/profile/").status_code == 200
    assert client.get("/o/bravo-co/").status_code == 404
    assert "Alpha Co" in client.get("/accounts/support/").content.decode()
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="support_access.used").count() == 2
    with org_scope(org_b):
        assert not AuditEvent.objects.filter(action="support_access.used").exists()
