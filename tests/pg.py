"""Building the PostgreSQL test database with the production split of roles."""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from psycopg import sql


def _admin_connection() -> psycopg.Connection[Any]:
    owner = settings.DATABASES["owner"]
    return psycopg.connect(
        host=owner["HOST"], port=owner["PORT"], user=owner["USER"], dbname="postgres", autocommit=True
    )


def create_test_database() -> None:
    name = settings.DATABASES["default"]["NAME"]
    with _admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(settings.DATABASES["owner"]["USER"])
            )
        )
    call_command("migrate", database="owner", verbosity=0, interactive=False)
    connections["owner"].close()


def drop_test_database() -> None:
    for alias in ("default", "owner"):
        connections[alias].close()
    name = settings.DATABASES["default"]["NAME"]
    with _admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def install_owner_flush() -> None:
    """Committed (transactional) tests are cleaned up by the table owner.

    The app role may not TRUNCATE — the audit log is insert-only for it — so Django's flush after a
    transactional test runs on the `owner` alias instead, once per test.
    """
    from django.test import TransactionTestCase

    def _fixture_teardown(self: TransactionTestCase) -> None:
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            database="owner",
            reset_sequences=False,
            allow_cascade=True,
            inhibit_post_migrate=True,
        )
        # The flush also emptied the built-in framework catalogue, which migrations loaded: put it back.
        from trustroom.compliance.builtin import ensure_builtin_frameworks

        ensure_builtin_frameworks(using="owner")

    TransactionTestCase._fixture_teardown = _fixture_teardown  # type: ignore[method-assign]
