"""Helpers of the answer bank's page, API and FAQ tests: records that back entries, fresh or stale."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from tests.answers.helpers import make_entry
from trustroom.compliance import services as compliance
from trustroom.compliance.models import Certification
from trustroom.tenancy.principal import Principal


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cert(
    actor: Principal, *, title: str = "ISO 27001 certificate", days_left: int = 400, **fields: Any
) -> Any:
    """A certification valid until `days_left` days from today (negative: already expired)."""
    until = today() + dt.timedelta(days=days_left)
    values: dict[str, Any] = {
        "kind": "certificate",
        "title": title,
        "series": title.lower().replace(" ", "-"),
        "valid_from": min(until, today()) - dt.timedelta(days=700),
        "valid_until": until,
    }
    values.update(fields)
    return compliance.create_certification(actor=actor, **values)


def backed_entry(actor: Principal, certification: Certification, **fields: Any) -> Any:
    """An entry backed by one certification (fresh while it is valid, stale once it expires)."""
    from trustroom.answers import services

    entry = make_entry(actor, **fields)
    services.add_evidence(actor=actor, entry=entry, certification=certification)
    return entry
