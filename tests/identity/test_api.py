"""The api-tokens endpoint: list, retrieve, create (plaintext once), revoke."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import member
from tests.identity.factories import api_token, bearer
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import ApiToken
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/orgs/alpha-co/api-tokens/"
LISTED_FIELDS = {
    "id",
    "name",
    "prefix",
    "scope",
    "status",
    "created_by",
    "created_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "last_used_ip",
}


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def tokens_of(org: Organization) -> list[ApiToken]:
    with org_scope(org):
        return list(ApiToken.objects.all())


def test_create_returns_the_token_once(org_a, owner_a):
    client = signed_in(owner_a)
    response = post(client, TOKENS, {"name": "Evidence sync", "scope": "write", "expires_in_days": 7})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == LISTED_FIELDS | {"token"}
    assert body["status"] == "active"
    assert body["created_by"] == owner_a.email
    assert body["token"].startswith(f"trt_{body['prefix']}_")
    # The token authenticates, and it is never given out again.
    assert bearer(body["token"]).get("/api/v1/orgs/alpha-co/profile/").status_code == 200
    again = client.get(f"{TOKENS}{body['id']}/").json()
    assert set(again) == LISTED_FIELDS
    assert body["token"] not in client.get(TOKENS).content.decode()
    [token] = tokens_of(org_a)
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="api_token.created", target_id=str(token.pk)).exists()


def test_defaults_are_read_scope_and_90_days(org_a, owner_a):
    body = post(signed_in(owner_a), TOKENS, {"name": "Dashboards"}).json()
    assert body["scope"] == "read"
    [token] = tokens_of(org_a)
    assert timedelta(days=89, hours=23) < token.expires_at - timezone.now() <= timedelta(days=90)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 366}, "expires_in_days"),
        ({"name": "x", "expires_in_days": "soon"}, "expires_in_days"),
        ({"name": "x", "secret_digest": "0" * 64}, "secret_digest"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_creates_nothing(org_a, owner_a, body, field):
    response = post(signed_in(owner_a), TOKENS, body)
    assert response.status_code == 400
    assert field in response.json()
    assert tokens_of(org_a) == []


def test_delete_revokes_and_the_row_stays(org_a, owner_a):
    token, plaintext = api_token(org_a, owner_a)
    client = signed_in(owner_a)
    response = client.delete(f"{TOKENS}{token.pk}/")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert client.get(f"{TOKENS}{token.pk}/").json()["status"] == "revoked"
    assert bearer(plaintext).get("/api/v1/orgs/alpha-co/profile/").status_code == 401
    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 200  # revoking twice is harmless
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_status_is_computed_when_read(org_a, owner_a):
    token, _ = api_token(org_a, owner_a)
    with org_scope(org_a):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert signed_in(owner_a).get(f"{TOKENS}{token.pk}/").json()["status"] == "expired"


@pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
def test_only_owners_and_admins(org_a, owner_a, role):
    token, _ = api_token(org_a, owner_a)
    client = signed_in(member(org_a, role))
    assert client.get(TOKENS).status_code == 403
    assert post(client, TOKENS, {"name": "x"}).status_code == 403
    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 403
    assert [t.status() for t in tokens_of(org_a)] == ["active"]


def test_tokens_cannot_mint_or_revoke_tokens(org_a, owner_a):
    token, plaintext = api_token(org_a, owner_a, scope="write")
    client = bearer(plaintext)
    assert client.get(TOKENS).status_code == 403
    assert post(client, TOKENS, {"name": "child", "scope": "write"}).status_code == 403
    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 403
    assert len(tokens_of(org_a)) == 1


@pytest.mark.parametrize("method", ["get", "delete"])
def test_token_of_another_organization_is_404(org_a, owner_a, org_b, owner_b, method):
    b_token, _ = api_token(org_b, owner_b)
    response = getattr(signed_in(owner_a), method)(f"{TOKENS}{b_token.pk}/")
    assert response.status_code == 404
    assert [t.status() for t in tokens_of(org_b)] == ["active"]


def test_list_shows_only_this_organization(org_a, owner_a, org_b, owner_b):
    api_token(org_a, owner_a, name="mine")
    api_token(org_b, owner_b, name="theirs")
    rows = signed_in(owner_a).get(TOKENS).json()["results"]
    assert [row["name"] for row in rows] == ["mine"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", f"{TOKENS}abc/", 404),
        ("get", f"{TOKENS}99999999999999999999999/", 404),
        ("delete", f"{TOKENS}0/", 404),
        ("put", f"{TOKENS}1/", 405),
        ("patch", f"{TOKENS}1/", 405),
        ("get", "/api/v1/orgs/no-such-org/api-tokens/", 404),
    ],
)
def test_bad_addresses_and_methods(org_a, owner_a, method, url, status):
    response = getattr(signed_in(owner_a), method)(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
