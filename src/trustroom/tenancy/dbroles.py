"""Privileges of the application's database role on PostgreSQL.

Migrations run as the role that owns the tables; the application connects as another role that owns
nothing, is neither superuser nor BYPASSRLS, and gets only these grants. The audit log is append-only
for it: INSERT and SELECT, never UPDATE, DELETE or TRUNCATE.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

APPEND_ONLY_TABLES = ("audit_auditevent",)


def grant_app_role(connection: BaseDatabaseWrapper, role: str) -> None:
    role_id = sql.Identifier(role)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role_id),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role_id),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role_id),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role_id),
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(sql.Identifier(table), role_id)
        )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
