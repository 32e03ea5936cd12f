"""PostgreSQL row-level security for organization-owned tables, as a migration operation."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState, StateApps

from trustroom.tenancy.scope import ORG_SETTING

POLICY_NAME = "org_isolation"
# Unset or empty setting -> NULL -> the comparison is never true -> no rows, and no row may be written.
ORG_PREDICATE = f"organization_id = NULLIF(current_setting('{ORG_SETTING}', true), '')::bigint"


def enable_sql(table: str) -> list[str]:
    quoted = f'"{table}"'
    return [
        f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quoted}",
        f"CREATE POLICY {POLICY_NAME} ON {quoted} USING ({ORG_PREDICATE}) WITH CHECK ({ORG_PREDICATE})",
    ]


def disable_sql(table: str) -> list[str]:
    quoted = f'"{table}"'
    return [
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quoted}",
        f"ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY",
    ]


class EnableRowLevelSecurity(migrations.operations.base.Operation):
    """Enable and force RLS on an organization-owned model's table, with USING and WITH CHECK.

    Add it to the migration that creates the model: `EnableRowLevelSecurity("ModelName")`.
    A no-op on databases other than PostgreSQL. `tests/security/test_rls.py` fails for any
    organization-owned table without it.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def _run(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, apps: StateApps, sql: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = apps.get_model(app_label, self.model_name)
        for statement in sql(model._meta.db_table):
            schema_editor.execute(statement)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._run(app_label, schema_editor, to_state.apps, enable_sql)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._run(app_label, schema_editor, from_state.apps, disable_sql)

    def describe(self) -> str:
        return f"Enable row-level security on {self.model_name}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (f"{type(self).__module__}.{type(self).__name__}", [self.model_name], {})

    @property
    def migration_name_fragment(self) -> str:
        return f"rls_{self.model_name.lower()}"


# --- Tables shared between built-in rows (no organization) and organization rows ---------------------
# E.g. compliance frameworks: the built-in ones are read by everyone, custom ones only by their
# organization. The usual `org_isolation` policy (USING and WITH CHECK: the current organization) governs
# every command; a second, permissive policy for SELECT only adds the rows without an organization. So
# built-in rows are read by all and can be inserted, changed or deleted by nobody but the table owner
# with FORCE lifted (migrations load them that way).
SHARED_READ_POLICY_NAME = "shared_builtin_read"


def enable_shared_sql(table: str) -> list[str]:
    quoted = f'"{table}"'
    return [
        *enable_sql(table),
        f"DROP POLICY IF EXISTS {SHARED_READ_POLICY_NAME} ON {quoted}",
        f"CREATE POLICY {SHARED_READ_POLICY_NAME} ON {quoted} FOR SELECT USING (organization_id IS NULL)",
    ]


def disable_shared_sql(table: str) -> list[str]:
    return [f'DROP POLICY IF EXISTS {SHARED_READ_POLICY_NAME} ON "{table}"', *disable_sql(table)]


class EnableSharedRowLevelSecurity(EnableRowLevelSecurity):
    """Like `EnableRowLevelSecurity`, for a table whose rows without an organization are shared read-only:
    the same `org_isolation` policy, plus SELECT of the rows whose organization is NULL."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._run(app_label, schema_editor, to_state.apps, enable_shared_sql)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        self._run(app_label, schema_editor, from_state.apps, disable_shared_sql)

    def describe(self) -> str:
        return (
            f"Enable row-level security (rows without an organization readable by all) on {self.model_name}"
        )

    @property
    def migration_name_fragment(self) -> str:
        return f"shared_rls_{self.model_name.lower()}"
