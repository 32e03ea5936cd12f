"""The backup procedure of docs/backup.md on the real PostgreSQL: a dump by a role that bypasses row-level
security, restored by the owner into an empty database, has every row, an intact audit chain and
documents that decrypt; the owner's own dump is refused (forced row-level security), as documented.

(bench/faults.py backup does the same at scale, with writes going on and RPO/RTO measured.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from tests.audit.helpers import record_many
from tests.factories import OrganizationFactory, member, principal_for
from trustroom.audit.verify import verify_chain
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope
from trustroom.vault import services as vault
from trustroom.vault.samples import sample_pdf
from trustroom.vault.selectors import document_bytes, documents

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
    pytest.mark.django_db(transaction=True, databases=["default", "owner"]),
]
SUPERUSER = os.environ.get("TRUSTROOM_TEST_PG_SUPERUSER", "postgres")


def _url(role: str, database: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{role}@{db['HOST']}:{db['PORT']}/{database}"


def _counts(database: str) -> dict[str, int]:
    """Every table's rows, read by the superuser (row-level security does not apply to it)."""
    with psycopg.connect(_url(SUPERUSER, database)) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {
            t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]  # type: ignore[index]
            for t in tables
        }


@pytest.fixture
def restored_name() -> Iterator[str]:
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(_url(SUPERUSER, "postgres"), autocommit=True) as conn:
        conn.execute(drop)
    yield name
    with psycopg.connect(_url(SUPERUSER, "postgres"), autocommit=True) as conn:
        conn.execute(drop)


def test_a_dump_restored_into_an_empty_database_has_everything(restored_name: str, tmp_path: Path) -> None:
    source = settings.DATABASES["default"]["NAME"]
    owner = settings.DATABASES["owner"]["USER"]
    for name in ("Alpha", "Bravo"):
        org = OrganizationFactory(name=name)
        user = member(org, "owner")
        record_many(org, user, 5)
        with org_scope(org):
            content = sample_pdf(title=f"{name} report", lines=["Restored."])
            vault.store_document(
                actor=principal_for(user, org), title="Report", content=content, filename="report.pdf"
            )
    connection.close()

    as_owner = subprocess.run(
        ["pg_dump", "-Fc", "-d", _url(owner, source), "-f", str(tmp_path / "owner.dump")],
        capture_output=True,
        text=True,
    )
    assert as_owner.returncode != 0 and "row-level security" in as_owner.stderr

    dump = tmp_path / "trustroom.dump"
    # The superuser stands in for the backup role (BYPASSRLS, pg_read_all_data) of docs/backup.md.
    subprocess.run(["pg_dump", "-Fc", "-d", _url(SUPERUSER, source), "-f", str(dump)], check=True)
    with psycopg.connect(_url(owner, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(*map(sql.Identifier, (restored_name, owner)))
        )
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            f"--role={owner}",
            "--exit-on-error",
            "-d",
            _url(owner, restored_name),
            str(dump),
        ],
        check=True,
    )
    assert _counts(restored_name) == _counts(source)

    # The application, pointed at the restored database (as its own role, under row-level security).
    saved = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = restored_name
    try:
        organizations: list[Any] = list(Organization.objects.order_by("name"))
        assert [o.name for o in organizations] == ["Alpha", "Bravo"]
        for organization in organizations:
            with org_scope(organization):
                report = verify_chain()
                assert report.ok and report.events_checked >= 5
                (document,) = documents()
            assert document_bytes(document).startswith(b"%PDF")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved
