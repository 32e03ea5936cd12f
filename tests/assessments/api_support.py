"""Clients and shortcuts for the VAPT API tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.assessments.clients import logged_in  # noqa: F401  (re-exported for the API tests)
from tests.identity.factories import api_token, bearer
from trustroom.tenancy.models import Organization


def token_client(organization: Organization, owner: Any, scope: str) -> Client:
    _token, plaintext = api_token(organization, owner, scope=scope, name=f"{scope} token")
    return bearer(plaintext)


def base(organization: Organization) -> str:
    return f"/api/v1/orgs/{organization.slug}/"


def send(client: Client, method: str, url: str, data: Any = None) -> Any:
    body = json.dumps(data if data is not None else {})
    return client.generic(method, url, body, content_type="application/json")


def post(client: Client, url: str, data: Any = None) -> Any:
    return send(client, "POST", url, data)


def items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    data = response.json()
    results: list[dict[str, Any]] = data["results"]
    return results
