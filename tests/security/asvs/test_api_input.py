"""Where the API takes its credentials and input from (ASVS V14.2.1, V15.3.7)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from trustroom.identity.models import ApiToken
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def new_token(owner: Any, org: Any, scope: str = "read") -> str:
    client = Client()
    client.force_login(owner)
    response = client.post(
        f"/api/v1/orgs/{org.slug}/api-tokens/",
        json.dumps({"name": "probe", "scope": scope, "expires_in_days": 7}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def test_an_api_token_is_taken_from_the_authorization_header_only(owner_a: Any, org_a: Any) -> None:
    token = new_token(owner_a, org_a)
    profile = f"/api/v1/orgs/{org_a.slug}/profile/"
    assert Client().get(profile, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    for query in (f"?token={token}", f"?access_token={token}", f"?api_key={token}", f"?auth={token}"):
        assert Client().get(profile + query).status_code == 401, query
    assert Client().get(profile, HTTP_COOKIE=f"token={token}").status_code == 401


def test_body_fields_are_not_taken_from_the_query_string(owner_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(owner_a)
    response = client.post(
        f"/api/v1/orgs/{org_a.slug}/api-tokens/?scope=write&name=from-the-query",
        json.dumps({"name": "from-the-body", "scope": "read", "expires_in_days": 7}),
        content_type="application/json",
    )
    assert response.status_code == 201
    with org_scope(org_a):
        [token] = ApiToken.objects.all()
    assert (token.name, token.scope) == ("from-the-body", "read")


def test_a_field_given_twice_in_a_form_does_not_slip_past_validation(owner_a: Any, org_a: Any) -> None:
    client = Client()
    client.force_login(owner_a)
    response = client.post(
        f"/api/v1/orgs/{org_a.slug}/api-tokens/",
        "name=probe&scope=read&scope=owner&expires_in_days=7",
        content_type="application/x-www-form-urlencoded",
    )
    with org_scope(org_a):
        scopes = set(ApiToken.objects.values_list("scope", flat=True))
    assert response.status_code in {201, 400, 415}
    assert scopes <= {"read"}
