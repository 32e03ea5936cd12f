"""Organization API tokens as credentials: scope, expiry, revocation, isolation, storage."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.factories import member
from tests.identity.factories import api_token, bearer
from trustroom.identity import tokens
from trustroom.identity.models import ApiToken
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/alpha-co"


def test_a_valid_token_works_on_its_own_organization(org_a, owner_a):
    _token, plaintext = api_token(org_a, owner_a)
    response = bearer(plaintext).get(f"{API}/members/")
    assert response.status_code == 200
    assert [row["user"]["email"] for row in response.json()["results"]] == [owner_a.email]


def test_a_token_of_another_organization_is_401_and_shows_nothing(org_a, owner_a, org_b, owner_b):
    _token, plaintext = api_token(org_a, owner_a, scope="write")
    for path in ("profile/", "members/", "invitations/", "api-tokens/"):
        response = bearer(plaintext).get(f"/api/v1/orgs/bravo-co/{path}")
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Invalid, expired or revoked API token."}
        assert "Bravo" not in response.content.decode()
    patch = bearer(plaintext).patch(
        "/api/v1/orgs/bravo-co/profile/", data=json.dumps({"name": "X"}), content_type="application/json"
    )
    assert patch.status_code == 401
    org_b.refresh_from_db()
    assert org_b.name == "Bravo Co"


def test_an_expired_token_is_401(org_a, owner_a):
    token, plaintext = api_token(org_a, owner_a)
    assert bearer(plaintext).get(f"{API}/profile/").status_code == 200
    with org_scope(org_a):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(plaintext).get(f"{API}/profile/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_401(org_a, owner_a):
    token, plaintext = api_token(org_a, owner_a)
    with org_scope(org_a):
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert bearer(plaintext).get(f"{API}/profile/").status_code == 401


def test_a_read_token_cannot_write(org_a, owner_a):
    editor = member(org_a, "editor")
    _token, plaintext = api_token(org_a, owner_a, scope="read")
    client = bearer(plaintext)
    body = {"data": json.dumps({"name": "X"}), "content_type": "application/json"}
    assert client.patch(f"{API}/profile/", **body).status_code == 403
    assert client.post(f"{API}/invitations/", **body).status_code == 403
    membership_id = client.get(f"{API}/members/").json()["results"][0]["id"]
    assert client.delete(f"{API}/members/{membership_id}/").status_code == 403
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Co"
    assert editor.memberships.get().role == "editor"


def test_only_a_digest_is_stored(org_a, owner_a):
    token, plaintext = api_token(org_a, owner_a)
    presented = tokens.parse(plaintext)
    assert presented is not None
    assert presented.prefix == token.prefix
    secret = presented.secret
    with org_scope(org_a), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM identity_apitoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT changes FROM audit_auditevent")
        audit = cursor.fetchall()
    stored = " ".join(str(value) for row in rows + audit for value in row)
    assert secret not in stored
    assert plaintext not in stored
    with org_scope(org_a):
        assert ApiToken.objects.get(pk=token.pk).secret_digest == tokens.digest(secret)


def test_use_is_recorded_with_time_and_address(org_a, owner_a):
    token, plaintext = api_token(org_a, owner_a)
    assert token.last_used_at is None
    before = timezone.now()
    Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", REMOTE_ADDR="203.0.113.9").get(f"{API}/profile/")
    with org_scope(org_a):
        token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at >= before
    assert token.last_used_ip == "203.0.113.9"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Bearer trt_zzzzzzzzzzzz_" + "a" * 43,
        "Bearer trt_0123456789ab_" + "a" * 43,
        "bearer trt_0123456789ab",
        "Bearer \u00e9\u00e9\u00e9",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer trt_0123456789ab_" + "a" * 43 + " extra",
    ],
)
def test_malformed_authorization_is_401_not_500(org_a, owner_a, header):
    response = Client(HTTP_AUTHORIZATION=header).get(f"{API}/members/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_token_outside_an_organization_path_is_401(org_a, owner_a):
    _token, plaintext = api_token(org_a, owner_a)
    response = bearer(plaintext).get("/api/v1/orgs/")
    assert response.status_code == 401
    assert "only under /api/v1/orgs/<org-slug>/" in response.json()["detail"]


def test_only_an_audit_token_reads_the_audit_log(org_a, owner_a):
    _read, read_token = api_token(org_a, owner_a, scope="read")
    _write, write_token = api_token(org_a, owner_a, scope="write")
    _audit, audit_token = api_token(org_a, owner_a, scope="audit")
    for plaintext in (read_token, write_token):
        assert bearer(plaintext).get(f"{API}/audit-events/").status_code == 403
    response = bearer(audit_token).get(f"{API}/audit-events/")
    assert response.status_code == 200
    actions = {row["action"] for row in response.json()["results"]}
    assert "api_token.created" in actions
    assert bearer(audit_token).get(f"{API}/audit-events/verify/").json()["ok"] is True
    # Reading is all it does.
    body = {"data": json.dumps({"name": "X"}), "content_type": "application/json"}
    assert bearer(audit_token).patch(f"{API}/profile/", **body).status_code == 403
    assert bearer(audit_token).post(f"{API}/invitations/", **body).status_code == 403
