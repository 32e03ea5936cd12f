"""Audit times are UTC; addresses cannot smuggle mail headers (ASVS V16.2.2, V1.3.11)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tests.identity.auth_helpers import post_login
from trustroom.identity.models import AuthEvent

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_audit_and_sign_in_events_are_kept_and_shown_in_utc(owner_a: Any, org_a: Any) -> None:
    post_login(Client(), owner_a.email, password="wrong")
    event = AuthEvent.objects.get(user=owner_a)
    assert event.created_at.utcoffset() == dt.timedelta(0)
    client = signed_in(owner_a)
    client.patch(
        f"/api/v1/orgs/{org_a.slug}/profile/",
        json.dumps({"name": "Renamed"}),
        content_type="application/json",
    )
    latest = client.get(f"/api/v1/orgs/{org_a.slug}/audit-events/").json()["results"][0]
    occurred = dt.datetime.fromisoformat(latest["occurred_at"].replace("Z", "+00:00"))
    assert occurred.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "address",
    [
        "pat@example.test\r\nBcc: victim@evil.example",
        "pat@example.test\nSubject: hi",
        "pat@example.test%0d%0aBcc:x@y",
    ],
)
def test_an_address_with_line_breaks_is_refused_and_nothing_is_sent(
    owner_a: Any, org_a: Any, address: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(owner_a).post(
            f"/api/v1/orgs/{org_a.slug}/invitations/",
            json.dumps({"email": address, "role": "viewer"}),
            content_type="application/json",
        )
    assert response.status_code == 400 and "email" in response.json()
    assert mailoutbox == []
