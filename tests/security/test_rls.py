"""PostgreSQL row-level security: the catalogue, raw SQL under each setting, the application role."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.factories import member, principal_for
from tests.security.cross_tenant import WORLD_BUILDERS
from trustroom.identity.services import create_api_token
from trustroom.tenancy.models import OrgOwnedModel
from trustroom.tenancy.rls import POLICY_NAME
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import invite_member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
]


def org_owned_tables() -> list[str]:
    tables = sorted(
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, OrgOwnedModel) and not m._meta.proxy and m._meta.managed
    )
    assert tables, "no organization-owned models found"
    return tables


def fetch(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def run(sql: str, params: Any = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def set_org(org_id: int | None) -> None:
    fetch("SELECT set_config('app.org_id', %s, true)", ["" if org_id is None else str(org_id)])


@pytest.mark.django_db
def test_every_org_owned_table_has_forced_rls_with_using_and_with_check() -> None:
    tables = org_owned_tables()
    rows = {
        name: (enabled, forced)
        for name, enabled, forced in fetch(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relname = ANY(%s)",
            [tables],
        )
    }
    policies = {
        table: (qual, check)
        for table, qual, check in fetch(
            "SELECT tablename, qual, with_check FROM pg_policies WHERE schemaname = 'public' AND policyname = %s",
            [POLICY_NAME],
        )
    }
    problems = []
    for table in tables:
        enabled, forced = rows.get(table, (False, False))
        if not (enabled and forced):
            problems.append(f"{table}: RLS enabled={enabled} forced={forced}")
        qual, check = policies.get(table, (None, None))
        if not qual or "app.org_id" not in qual or "organization_id" not in qual:
            problems.append(f"{table}: policy USING clause missing or wrong: {qual!r}")
        if not check or "app.org_id" not in check or "organization_id" not in check:
            problems.append(f"{table}: policy WITH CHECK clause missing or wrong: {check!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_app_role_owns_nothing_and_cannot_bypass_rls() -> None:
    [(current_user,)] = fetch("SELECT current_user")
    assert current_user == settings.TRUSTROOM_DB_APP_ROLE
    [(is_super, bypass, createrole, createdb)] = fetch(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
    )
    assert (is_super, bypass, createrole, createdb) == (False, False, False, False)
    [(owned,)] = fetch(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
    )
    assert owned == 0
    # Not a member of any role that could own or bypass (e.g. the table owner).
    [(memberships,)] = fetch(
        "SELECT count(*) FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
    )
    assert memberships == 0
    [(owner_of_tables,)] = fetch(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE tablename = %s", [org_owned_tables()[0]]
    )
    assert owner_of_tables != current_user


@pytest.fixture
def two_orgs_with_data(org_a: Any, org_b: Any) -> tuple[Any, Any]:
    """Rows in every organization-owned table for both organizations, written through the services."""
    for org in (org_a, org_b):
        owner = member(org, "owner")
        with org_scope(org):
            actor = principal_for(owner, org)
            invite_member(actor=actor, email=f"invitee@{org.slug}.test", role="viewer")
            create_api_token(actor=actor, name=f"ci-{org.slug}", scope="read")
            # Every app's records, as the cross-tenant harness builds them (so every table has rows).
            for build_world in WORLD_BUILDERS:
                build_world(org=org, actor=actor, label=org.slug.split("-")[0])
    return org_a, org_b


@pytest.mark.django_db
def test_raw_sql_sees_nothing_without_an_org_and_only_its_own_org_with_one(two_orgs_with_data: Any) -> None:
    org_a, org_b = two_orgs_with_data
    for table in org_owned_tables():
        set_org(org_a.pk)
        [(own_rows,)] = fetch(f'SELECT count(*) FROM "{table}"')
        assert own_rows > 0, f"{table}: the fixture should have written rows for org A"
        set_org(None)
        assert fetch(f'SELECT count(*) FROM "{table}"') == [(0,)], f"{table}: rows visible with no org set"
        set_org(org_b.pk)
        leaked = fetch(f'SELECT count(*) FROM "{table}" WHERE organization_id = %s', [org_a.pk])
        assert leaked == [(0,)], f"{table}: org A rows visible while org B is set"
        [(others,)] = fetch(f'SELECT count(*) FROM "{table}" WHERE organization_id <> %s', [org_b.pk])
        assert others == 0
    set_org(None)


@pytest.mark.django_db
def test_writes_across_organizations_are_refused(two_orgs_with_data: Any) -> None:
    org_a, org_b = two_orgs_with_data
    set_org(org_b.pk)
    # Insert a row claiming org A while org B is set: WITH CHECK refuses it.
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        run(
            "INSERT INTO tenancy_invitation (organization_id, email, role, secret_digest, created_at, expires_at) "
            "VALUES (%s, 'x@evil.test', 'owner', repeat('a', 64), now(), now() + interval '1 day')",
            [org_a.pk],
        )
    # Moving one of B's rows to A is refused too.
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        run("UPDATE identity_apitoken SET organization_id = %s", [org_a.pk])
    # Updating or deleting A's rows touches nothing.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE identity_apitoken SET name = 'hijacked' WHERE organization_id = %s", [org_a.pk]
        )
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM tenancy_invitation WHERE organization_id = %s", [org_a.pk])
        assert cursor.rowcount == 0
    # With nothing set, no row may be written at all.
    set_org(None)
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        run(
            "INSERT INTO tenancy_invitation (organization_id, email, role, secret_digest, created_at, expires_at) "
            "VALUES (%s, 'y@evil.test', 'owner', repeat('b', 64), now(), now() + interval '1 day')",
            [org_a.pk],
        )
    set_org(org_a.pk)
    assert fetch("SELECT name FROM identity_apitoken") == [(f"ci-{org_a.slug}",)]
    set_org(None)


@pytest.mark.django_db
def test_org_setting_ends_with_the_scope_and_the_transaction(org_a: Any) -> None:
    with org_scope(org_a):
        assert fetch("SELECT current_setting('app.org_id', true)") == [(str(org_a.pk),)]
    assert fetch("SELECT current_setting('app.org_id', true)") == [("",)]
