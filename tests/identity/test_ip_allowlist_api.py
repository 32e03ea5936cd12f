"""The IP allowlist on the API: enforcement for sessions and tokens, and the ip-allowlist endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.factories import member
from tests.identity.factories import allow, api_token, bearer
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import ApiToken, IpAllowlistEntry
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/orgs/alpha-co/profile/"
LIST = "/api/v1/orgs/alpha-co/ip-allowlist/"
OFFICE = "203.0.113.0/24"
OUTSIDE = "198.51.100.20"


def post(client: Client, url: str, body: Any, **extra: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def networks(org) -> list[str]:
    with org_scope(org):
        return list(IpAllowlistEntry.objects.values_list("network", flat=True))


def test_no_allowlist_means_unrestricted(org_a, owner_a) -> None:
    _token, plaintext = api_token(org_a, owner_a)
    assert bearer(plaintext).get(PROFILE, REMOTE_ADDR=OUTSIDE).status_code == 200
    assert signed_in(owner_a).get(PROFILE, REMOTE_ADDR=OUTSIDE).status_code == 200
    assert signed_in(owner_a).get(LIST).json()["results"] == []


def test_session_outside_the_members_list_gets_403_json(org_a, owner_a) -> None:
    allow(org_a, owner_a, OFFICE)
    client = signed_in(owner_a)
    refused = client.get(PROFILE, REMOTE_ADDR=OUTSIDE)
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert "allows members to connect only from the networks on its IP allowlist" in detail
    assert OUTSIDE in detail
    assert client.get(PROFILE, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_token_outside_the_token_list_gets_403_json_and_is_not_noted_as_used(org_a, owner_a) -> None:
    token, plaintext = api_token(org_a, owner_a)
    allow(org_a, owner_a, "2001:db8::/32", applies_to="api_tokens")
    refused = bearer(plaintext).get(PROFILE, REMOTE_ADDR=OUTSIDE)
    assert refused.status_code == 403
    assert "allows API tokens to connect only" in refused.json()["detail"]
    with org_scope(org_a):
        assert ApiToken.objects.get(pk=token.pk).last_used_ip is None
    assert bearer(plaintext).get(PROFILE, REMOTE_ADDR="2001:db8::77").status_code == 200
    # Members are not restricted by a tokens-only list.
    assert signed_in(owner_a).get(PROFILE, REMOTE_ADDR=OUTSIDE).status_code == 200


def test_a_members_only_list_does_not_restrict_tokens(org_a, owner_a) -> None:
    _token, plaintext = api_token(org_a, owner_a)
    allow(org_a, owner_a, OFFICE, applies_to="members")
    assert bearer(plaintext).get(PROFILE, REMOTE_ADDR=OUTSIDE).status_code == 200
    assert signed_in(owner_a).get(PROFILE, REMOTE_ADDR=OUTSIDE).status_code == 403


def test_writes_from_outside_change_nothing(org_a, owner_a) -> None:
    allow(org_a, owner_a, OFFICE)
    response = post(signed_in(owner_a), LIST, {"network": "0.0.0.0/0"}, REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 403
    assert networks(org_a) == [OFFICE]


def test_another_organizations_list_does_not_apply(org_a, owner_a, org_b, owner_b) -> None:
    allow(org_b, owner_b, OFFICE)
    _token, plaintext = api_token(org_a, owner_a)
    assert bearer(plaintext).get(PROFILE, REMOTE_ADDR=OUTSIDE).status_code == 200
    assert signed_in(owner_a).get(PROFILE, REMOTE_ADDR=OUTSIDE).status_code == 200
    # A stranger to B still gets B's 404 (the allowlist never speaks to non-members).
    assert signed_in(owner_a).get("/api/v1/orgs/bravo-co/profile/", REMOTE_ADDR=OUTSIDE).status_code == 404


@override_settings(TRUSTROOM_TRUSTED_PROXIES=0)
def test_x_forwarded_for_is_ignored_without_trusted_proxies(org_a, owner_a) -> None:
    _token, plaintext = api_token(org_a, owner_a)
    allow(org_a, owner_a, OFFICE)
    spoofed = bearer(plaintext).get(PROFILE, REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert spoofed.status_code == 403


@override_settings(TRUSTROOM_TRUSTED_PROXIES=1)
def test_behind_one_proxy_only_the_entry_it_wrote_counts(org_a, owner_a) -> None:
    _token, plaintext = api_token(org_a, owner_a)
    allow(org_a, owner_a, OFFICE)
    client = bearer(plaintext)
    spoofed = client.get(PROFILE, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.5, {OUTSIDE}")
    assert spoofed.status_code == 403 and OUTSIDE in spoofed.json()["detail"]
    real = client.get(PROFILE, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{OUTSIDE}, 203.0.113.5")
    assert real.status_code == 200


# --- The ip-allowlist endpoint -----------------------------------------------------------------------


def test_create_list_delete(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    created = post(client, LIST, {"network": "203.0.113.9/24", "label": "Office"}, REMOTE_ADDR="203.0.113.1")
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "network", "label", "applies_to", "created_by", "created_at"}
    assert (body["network"], body["applies_to"], body["created_by"]) == (OFFICE, "both", owner_a.email)
    assert [e["network"] for e in client.get(LIST, REMOTE_ADDR="203.0.113.1").json()["results"]] == [OFFICE]
    assert client.get(f"{LIST}{body['id']}/", REMOTE_ADDR="203.0.113.1").json()["label"] == "Office"
    assert client.delete(f"{LIST}{body['id']}/", REMOTE_ADDR="203.0.113.1").status_code == 204
    assert networks(org_a) == []
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="ip_allowlist.updated").count() == 2


def test_bad_input_gets_field_messages(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    bad = post(client, LIST, {"network": "10.0.0.300/8"})
    assert bad.status_code == 400
    assert bad.json() == {
        "network": ["The network '10.0.0.300/8' is not an IPv4 or IPv6 network (e.g. 203.0.113.0/24)."]
    }
    assert post(client, LIST, {"network": "10.0.0.0/8", "applies_to": "all"}).json().keys() == {"applies_to"}
    assert post(client, LIST, {"network": "10.0.0.0/8", "id": 5}).json() == {
        "id": ["This field cannot be set here."]
    }
    assert networks(org_a) == []
    post(client, LIST, {"network": "127.0.0.0/8"})
    duplicate = post(client, LIST, {"network": "127.0.0.1/8"})
    assert duplicate.status_code == 400
    assert duplicate.json() == {"network": ["127.0.0.0/8 is already on the allowlist."]}


def test_lockout_needs_confirm_lockout(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    refused = post(client, LIST, {"network": "10.0.0.0/8"}, REMOTE_ADDR=OUTSIDE)
    assert refused.status_code == 400
    [message] = refused.json()["confirm_lockout"]
    assert "would lock you out" in message and OUTSIDE in message
    assert networks(org_a) == []
    confirmed = post(client, LIST, {"network": "10.0.0.0/8", "confirm_lockout": True}, REMOTE_ADDR=OUTSIDE)
    assert confirmed.status_code == 201
    # Deleting can lock out too (another network stays): confirm with ?confirm_lockout=true.
    entry = post(client, LIST, {"network": "192.0.2.0/24"}, REMOTE_ADDR="10.1.1.1").json()
    ten = next(
        e for e in client.get(LIST, REMOTE_ADDR="10.1.1.1").json()["results"] if e["network"] == "10.0.0.0/8"
    )
    assert client.delete(f"{LIST}{ten['id']}/", REMOTE_ADDR="10.1.1.1").status_code == 400
    assert (
        client.delete(f"{LIST}{ten['id']}/?confirm_lockout=true", REMOTE_ADDR="10.1.1.1").status_code == 204
    )
    assert networks(org_a) == [entry["network"]]


def test_only_owners_and_admins_write_tokens_cannot(org_a, owner_a) -> None:
    auditor = signed_in(member(org_a, "auditor"))
    assert auditor.get(LIST).status_code == 200
    assert post(auditor, LIST, {"network": "10.0.0.0/8"}).status_code == 403
    assert signed_in(member(org_a, "editor")).get(LIST).status_code == 403
    _token, plaintext = api_token(org_a, owner_a, scope="write")
    assert post(bearer(plaintext), LIST, {"network": "10.0.0.0/8"}).status_code == 403
    assert post(signed_in(member(org_a, "admin")), LIST, {"network": "127.0.0.1"}).status_code == 201
    assert networks(org_a) == ["127.0.0.1/32"]


def test_every_organization_endpoint_builds_on_the_checked_base() -> None:
    from django.urls import URLPattern, URLResolver, get_resolver

    from trustroom.api.base import OrgScopedAPIView

    def walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
        found: list[tuple[str, Any]] = []
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                found += walk(pattern, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/orgs/<slug:org_slug>/"):
                view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
                found.append((route, view))
        return found

    endpoints = walk(get_resolver())
    assert len(endpoints) > 20
    unchecked = [r for r, v in endpoints if not (isinstance(v, type) and issubclass(v, OrgScopedAPIView))]
    assert unchecked == [], f"endpoints that skip the IP allowlist check: {unchecked}"
