"""Shared helpers of the audit tests: writing events as the app does, tampering as an attacker would."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connections, transaction
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import principal_for
from trustroom.audit.chain import compute_hash
from trustroom.audit.context import AuditContextMiddleware
from trustroom.audit.models import AuditEvent
from trustroom.audit.services import record_event
from trustroom.audit.verify import ChainReport, verify_chain
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import ORG_SETTING, org_scope

TABLE = "audit_auditevent"


def record(org: Organization, user: Any, action: str, **kwargs: Any) -> AuditEvent:
    with org_scope(org):
        return record_event(actor=principal_for(user, org), action=action, **kwargs)


def record_many(org: Organization, user: Any, count: int, action: str = "test.event") -> list[AuditEvent]:
    principal = principal_for(user, org)
    with org_scope(org):
        return [
            record_event(actor=principal, action=action, changes={"n": number}) for number in range(count)
        ]


def record_from_request(
    org: Organization, user: Any, action: str, *, ip: str, user_agent: str = "pytest"
) -> AuditEvent:
    """Record an event the way a view does: inside a request the audit middleware has seen."""
    request = RequestFactory().get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
    recorded: list[AuditEvent] = []

    def view(_request: Any) -> Any:
        recorded.append(record(org, user, action))
        return None

    AuditContextMiddleware(view)(request)
    return recorded[0]


@contextmanager
def frozen_time(monkeypatch: Any, moment: datetime) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def verify(org: Organization) -> ChainReport:
    with org_scope(org):
        return verify_chain()


def events_of(org: Organization) -> list[AuditEvent]:
    with org_scope(org):
        return list(AuditEvent.objects.order_by("seq"))


# --- The attacker: direct database access as the table owner --------------------------------------------


def tamper(org: Organization, statement: str, params: Sequence[Any] = ()) -> int:
    """Run raw SQL as the table owner and return the row count.

    On PostgreSQL even the owner is subject to the forced row-level security, so the attacker sets the
    organization setting first, as anyone with the owner's password could.
    """
    connection = connections["owner"]
    with transaction.atomic(using="owner"), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, %s, true)", [ORG_SETTING, str(org.pk)])
        cursor.execute(statement, list(params))
        return cursor.rowcount


def json_placeholder() -> str:
    return "CAST(%s AS jsonb)" if connections["owner"].vendor == "postgresql" else "%s"


def datetime_param(moment: datetime) -> Any:
    return connections["owner"].ops.adapt_datetimefield_value(moment)


def set_column(org: Organization, seq: int, column: str, value: Any) -> None:
    placeholder = json_placeholder() if column == "changes" else "%s"
    changed = tamper(
        org,
        f"UPDATE {TABLE} SET {column} = {placeholder} WHERE organization_id = %s AND seq = %s",
        [value, org.pk, seq],
    )
    assert changed == 1


def delete_seqs(org: Organization, *seqs: int) -> None:
    placeholders = ", ".join(["%s"] * len(seqs))
    deleted = tamper(
        org,
        f"DELETE FROM {TABLE} WHERE organization_id = %s AND seq IN ({placeholders})",
        [org.pk, *seqs],
    )
    assert deleted == len(seqs)


def renumber(org: Organization, *, from_seq: int, shift: int) -> None:
    """Move events from `from_seq` on by `shift` (in two steps, so the unique (org, seq) never clashes)."""
    where = "WHERE organization_id = %s AND seq >= %s"
    tamper(org, f"UPDATE {TABLE} SET seq = seq + 1000000 {where}", [org.pk, from_seq])
    tamper(
        org,
        f"UPDATE {TABLE} SET seq = seq - 1000000 + %s {where}",
        [shift, org.pk, from_seq + 1000000],
    )


def insert_forged(org: Organization, event: AuditEvent) -> None:
    """Insert a hand-made event row (hash as given) straight into the table."""
    columns = [
        "organization_id",
        "seq",
        "occurred_at",
        "actor_user_id",
        "actor_token_id",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "changes",
        "ip",
        "user_agent",
        "prev_hash",
        "hash",
    ]
    values = [
        org.pk,
        event.seq,
        datetime_param(event.occurred_at),
        event.actor_user_id,
        event.actor_token_id,
        event.actor_label,
        event.action,
        event.target_type,
        event.target_id,
        event.target_label,
        json.dumps(event.changes),
        event.ip,
        event.user_agent,
        event.prev_hash,
        event.hash,
    ]
    placeholders = ", ".join(json_placeholder() if c == "changes" else "%s" for c in columns)
    tamper(org, f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({placeholders})", values)


def forged_event(org: Organization, *, seq: int, prev_hash: str, rehash: bool, **fields: Any) -> AuditEvent:
    """An event an attacker makes up: linked to `prev_hash`, hashed properly only if `rehash`."""
    event = AuditEvent(
        organization=org,
        seq=seq,
        occurred_at=fields.pop("occurred_at", timezone.now()),
        actor_label=fields.pop("actor_label", "owner@alpha.test"),
        action=fields.pop("action", "membership.role_changed"),
        changes=fields.pop("changes", {"role": ["viewer", "owner"]}),
        prev_hash=prev_hash,
        **fields,
    )
    event.hash = compute_hash(event) if rehash else "ab" * 32
    return event
