"""Alert sources made through the service, and signed deliveries as a sender makes them."""

from __future__ import annotations

import json
import secrets as pysecrets
from pathlib import Path
from typing import Any

from django.test import Client

from tests.factories import principal_for
from trustroom.monitoring.services import NewSource, create_source
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope
from trustroom.webhooks.signatures import sign

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def alert_source(
    organization: Organization, by: Any, *, kind: str = "guardduty", name: str = ""
) -> NewSource:
    with org_scope(organization):
        return create_source(actor=principal_for(by, organization), kind=kind, name=name)


def deliver(
    new: NewSource,
    body: bytes | Any,
    *,
    timestamp: int | None = None,
    secret: str | None = None,
    headers: dict[str, str] | None = None,
    client: Client | None = None,
) -> Any:
    """POST `body` (bytes, or an object sent as JSON) to the source's URL, signed with its secret."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signed = sign((secret or new.secret).encode(), raw, timestamp=timestamp)
    if headers is not None:
        signed = headers
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in signed.items()}
    return (client or Client()).post(new.path, data=raw, content_type="application/json", **extra)


# --- Incidents --------------------------------------------------------------------------------------

GENERIC_ALERT = {
    "title": "Unusual outbound traffic",
    "severity": "high",
    "type": "net/egress-spike",
    "resource": {"type": "host", "id": "web-1"},
    "occurred_at": "2024-05-01T12:00:00Z",
}


def alerts(organization: Organization, by: Any, *documents: dict[str, Any]) -> list[int]:
    """Alerts stored through the intake service (inside the organization's scope); their ids."""
    from trustroom.monitoring.parsers import parse
    from trustroom.monitoring.services import ingest_alerts

    with org_scope(organization):
        actor = principal_for(by, organization)
        source = create_source(actor=actor, kind="generic", name=f"source {pysecrets.token_hex(4)}")
        ids: list[int] = []
        for document in documents or (GENERIC_ALERT,):
            result = ingest_alerts(
                actor=actor,
                source=source.source,
                signature=pysecrets.token_hex(32),
                alerts=parse("generic", {**GENERIC_ALERT, "dedup_key": pysecrets.token_hex(8), **document}),
            )
            ids += result.new
        return ids


def incident(organization: Organization, by: Any, **fields: Any) -> Any:
    """An incident opened by hand through the service."""
    from trustroom.monitoring.incident_services import open_incident

    fields.setdefault("title", "Database unreachable")
    fields.setdefault("severity", "sev2")
    with org_scope(organization):
        return open_incident(actor=principal_for(by, organization), **fields)
