"""The active organization scope: one shared place for tenant isolation.

Every query on an organization-owned model runs inside `org_scope(org)`. The scope does two things:
- in the application, it names the organization the default manager filters on (no scope = an
  exception, never "all rows");
- on PostgreSQL, it sets `app.org_id` for the current transaction, which the row-level security
  policies read (unset = no rows). The setting is transaction-local, so a pooled connection never
  carries it into the next request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import connections, transaction

if TYPE_CHECKING:
    from trustroom.tenancy.models import Organization

ORG_SETTING = "app.org_id"

_current_org: ContextVar[Organization | None] = ContextVar("trustroom_current_org", default=None)


class ScopeError(RuntimeError):
    """An organization-owned model was queried or written outside its organization's scope."""


def current_org() -> Organization | None:
    return _current_org.get()


def require_org() -> Organization:
    org = _current_org.get()
    if org is None:
        raise ScopeError(
            "No organization scope is active: wrap the query in `with org_scope(org):` "
            "(views and viewsets of trustroom.tenancy do this for you)."
        )
    return org


def _set_database_org(org_id: int | None, using: str) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true)", [ORG_SETTING, "" if org_id is None else str(org_id)]
        )


@contextmanager
def org_scope(org: Organization, *, using: str = "default") -> Iterator[Organization]:
    """Run the block as `org`: scoped querysets in the app, row-level security in the database.

    The block is atomic (a savepoint-free join of any surrounding transaction), because the database
    setting only lives as long as the transaction does. Scopes nest only for the same organization.
    """
    if org is None or org.pk is None:
        raise ScopeError("org_scope() needs a saved organization")
    outer = _current_org.get()
    if outer is not None and outer.pk != org.pk:
        raise ScopeError(f"Cannot enter the scope of organization {org.pk} inside the scope of {outer.pk}")
    token = _current_org.set(org)
    try:
        with transaction.atomic(using=using, savepoint=False):
            _set_database_org(org.pk, using)
            yield org
            if not connections[using].needs_rollback:
                _set_database_org(outer.pk if outer is not None else None, using)
    finally:
        _current_org.reset(token)
