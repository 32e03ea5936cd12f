"""Alert sources made through the service, and signed deliveries as a sender makes them."""

from __future__ import annotations

import json
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
