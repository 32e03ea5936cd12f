"""PostgreSQL: SSO connections are under row-level security, enabled and forced, and still work for
sign-in (the provider id names the organization, whose scope then reads the row and its data key)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.test import Client

from tests.factories import principal_for
from tests.tenancy.factories import signed_in
from trustroom.identity.sso import connections as sso_connections
from trustroom.identity.sso.services import create_sso_connection
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db,
]

TABLE = "identity_ssoconnection"


def _set_org(org_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.org_id', %s, true)", ["" if org_id is None else str(org_id)])


def _rows(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _connection(org: Any, user: Any, name: str, domain: str) -> Any:
    with org_scope(org):
        return create_sso_connection(
            actor=principal_for(user, org),
            protocol="oidc",
            name=name,
            email_domains=[domain],
            oidc_issuer=f"https://idp.{domain}",
            oidc_client_id=f"{name}-client",
            oidc_client_secret=f"{name}-secret",
        )


def test_row_level_security_is_enabled_and_forced() -> None:
    assert _rows("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s", [TABLE]) == [
        (True, True)
    ]


def test_the_app_role_sees_only_the_scoped_organizations_connections(org_a, owner_a, org_b, owner_b):
    _connection(org_a, owner_a, "alpha", "alpha.test")
    _connection(org_b, owner_b, "bravo", "bravo.test")
    _set_org(None)
    assert _rows(f"SELECT name FROM {TABLE}") == []
    _set_org(org_a.pk)
    assert _rows(f"SELECT name FROM {TABLE}") == [("alpha",)]
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        _rows(f"UPDATE {TABLE} SET organization_id = %s RETURNING id", [org_b.pk])
    _set_org(org_b.pk)
    assert _rows(f"SELECT name FROM {TABLE}") == [("bravo",)]
    _set_org(None)


def test_pages_api_and_sign_in_read_the_connection_under_rls(org_a, owner_a, org_b, owner_b):
    mine = _connection(org_a, owner_a, "alpha", "alpha.test")
    theirs = _connection(org_b, owner_b, "bravo", "bravo.test")
    client = signed_in(owner_a)
    page = client.get("/o/alpha-co/settings/sso/").content.decode()
    assert "alpha" in page and "bravo" not in page
    assert [c["name"] for c in client.get("/api/v1/orgs/alpha-co/sso-connections/").json()["results"]] == [
        "alpha"
    ]
    assert client.get(f"/o/alpha-co/settings/sso/{theirs.pk}/").status_code == 404
    # Sign-in: resolved from the provider id, and the secret opens under the organization's data key.
    resolved = sso_connections.resolve_provider_id(f"alpha-co.{mine.key}")
    assert resolved is not None
    assert sso_connections.social_app(resolved).secret == "alpha-secret"
    assert sso_connections.resolve_provider_id(f"alpha-co.{theirs.key}") is None
    page = Client().get("/accounts/sso/alpha-co/").content.decode()
    assert f"/accounts/oidc/alpha-co.{mine.key}/login/" in page
