"""PostgreSQL row-level security on the access flow's tables: with raw SQL as the application role,
each organization's setting sees exactly its own rows, and no setting sees none."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from tests.factories import principal_for
from tests.security.cross_tenant import WORLD_BUILDERS
from trustroom.tenancy.models import OrgOwnedModel
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
]


def count(table: str, org_id: int | None) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.org_id', %s, true)", ["" if org_id is None else str(org_id)])
        cursor.execute(
            f'SELECT count(*), count(*) FILTER (WHERE organization_id = %s) FROM "{table}"', [org_id]
        )
        total, own = cursor.fetchone()
    assert total == own, f"{table}: rows of another organization are visible"
    return int(total)


@pytest.mark.django_db
def test_each_organization_sees_only_its_own_rows(org_a: Any, owner_a: Any, org_b: Any, owner_b: Any) -> None:
    for org, owner, label in ((org_a, owner_a, "alpha"), (org_b, owner_b, "bravo")):
        with org_scope(org):
            actor = principal_for(owner, org)
            for build_world in WORLD_BUILDERS:  # every app's world (the safe-to-host one publishes)
                build_world(org=org, actor=actor, label=label)
    tables = [
        model._meta.db_table
        for model in apps.get_app_config("trustcenter").get_models()
        if issubclass(model, OrgOwnedModel)
    ]
    assert len(tables) == 13
    for table in tables:
        assert count(table, org_a.pk) > 0, f"{table}: the world should hold rows of A"
        assert count(table, org_b.pk) > 0
        assert count(table, None) == 0, f"{table}: rows visible without an organization"
