"""The access API: inventory, groups, grants, revocation tasks, and a request's whole chain."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.access.requests_factories import chain, grant, system_with_envs
from tests.factories import member
from tests.identity.factories import api_token, bearer
from tests.tenancy.factories import signed_in

pytestmark = pytest.mark.django_db
API = "/api/v1/orgs/alpha-co"


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    people = chain(org_a)
    system, envs = system_with_envs(org_a, owner_a, owner=people["owner"])
    return {"org": org_a, "system": system, "owner_a": owner_a, **envs, **people}


def test_inventory_api(world: dict[str, Any]) -> None:
    client = signed_in(world["owner_a"])
    created = post(
        client, f"{API}/systems/", {"name": "Warehouse", "sensitivity": "high", "owner": "boss@example.test"}
    )
    assert created.status_code == 201, created.json()
    system = created.json()
    assert system["owner"] == "boss@example.test" and system["environments"] == []
    refused = post(client, f"{API}/systems/", {"name": "X", "owner": "owner@bravo.test"})
    assert refused.status_code == 400 and "owner" in refused.json()
    env = post(client, f"{API}/environments/", {"system": system["id"], "kind": "custom"})
    assert env.status_code == 400 and "name" in env.json()
    env = post(client, f"{API}/environments/", {"system": system["id"], "kind": "custom", "name": "sandbox"})
    assert env.status_code == 201 and env.json()["label"] == "sandbox"
    assert (
        patch(client, f"{API}/systems/{system['id']}/", {"description": "BI"}).json()["description"] == "BI"
    )
    listed = client.get(f"{API}/environments/?system={system['id']}").json()["results"]
    assert [e["label"] for e in listed] == ["sandbox"]
    assert post(client, f"{API}/systems/", {"name": "Y", "surprise": 1}).status_code == 400
    grant(world["org"], world["owner_a"], world["production"], "x@example.test")
    refused = client.delete(f"{API}/systems/{world['system'].pk}/")
    assert refused.status_code == 400 and "1 access grant" in json.dumps(refused.json())
    assert client.delete(f"{API}/systems/{system['id']}/").status_code == 204


def test_groups_api_bulk_is_all_or_nothing(world: dict[str, Any]) -> None:
    client = signed_in(world["owner_a"])
    group = post(client, f"{API}/access-groups/", {"name": "DevOps"}).json()
    bad = post(client, f"{API}/access-groups/{group['id']}/members/", {"emails": ["a@example.test", "oops"]})
    assert bad.status_code == 400 and bad.json()["emails"] == ["line 2: “oops” is not an e-mail address"]
    good = post(
        client,
        f"{API}/access-groups/{group['id']}/members/",
        {"emails": ["A@example.test", "b@example.test"]},
    )
    assert good.json()["members"] == ["a@example.test", "b@example.test"]
    removed = post(client, f"{API}/access-groups/{group['id']}/remove-member/", {"email": "a@example.test"})
    assert removed.json()["members"] == ["b@example.test"]
    editor = signed_in(world["editor"])
    assert (
        post(
            editor, f"{API}/access-groups/{group['id']}/members/", {"emails": ["c@example.test"]}
        ).status_code
        == 403
    )


def test_grants_and_revocation_tasks_api(world: dict[str, Any]) -> None:
    client = signed_in(world["editor"])
    body = {"environment": world["production"].pk, "person_email": "Dev@Example.test", "privilege": "read"}
    created = post(client, f"{API}/access-grants/", body)
    assert created.status_code == 201 and created.json()["person_email"] == "dev@example.test"
    assert created.json()["state"] == "active"
    past = post(
        client,
        f"{API}/access-grants/",
        {**body, "person_email": "b@example.test", "expires_at": "2020-01-01T00:00:00Z"},
    )
    assert past.status_code == 400 and "expires_at" in past.json()
    grant_id = created.json()["id"]
    assert (
        patch(client, f"{API}/access-grants/{grant_id}/", {"privilege": "admin"}).json()["privilege"]
        == "admin"
    )
    assert client.get(f"{API}/access-grants/?state=active&kind=production").json()["count"] == 1
    assert client.get(f"{API}/access-grants/?state=revoked").json()["count"] == 0
    assert client.get(f"{API}/access-grants/?state=nope").status_code == 400
    assert post(client, f"{API}/access-grants/{grant_id}/revoke/", {}).status_code == 400
    revoked = post(client, f"{API}/access-grants/{grant_id}/revoke/", {"reason": "Left the company"})
    assert revoked.json()["state"] == "revoked" and revoked.json()["revoked_by"] == "ops@example.test"
    viewer = signed_in(member(world["org"], "viewer"))
    assert post(viewer, f"{API}/access-grants/", body).status_code == 403
    assert client.get(f"{API}/revocation-tasks/?open=true").json()["count"] == 0


def test_request_chain_over_the_api(world: dict[str, Any]) -> None:
    requester = signed_in(world["requester"])
    body = {
        "environment": world["production"].pk,
        "privilege": "write",
        "justification": "Rotate the production database credentials (CHG-42).",
        "duration_days": 3,
        "line_manager": "manager@example.test",
    }
    refused = post(requester, f"{API}/access-requests/", body)
    assert refused.status_code == 400 and "business_unit_head" in refused.json()
    created = post(requester, f"{API}/access-requests/", {**body, "business_unit_head": "head@example.test"})
    assert created.status_code == 201, created.json()
    request = created.json()
    assert request["status"] == "pending_manager" and request["pending_step"] == "line_manager"
    url = f"{API}/access-requests/{request['id']}"
    owner = signed_in(world["owner"])
    denied = post(owner, f"{url}/approve/")
    assert denied.status_code == 403 and "separation of duties" in denied.json()["detail"]
    manager = signed_in(world["manager"])
    assert manager.get(f"{API}/access-requests/?show=waiting").json()["count"] == 1
    assert post(manager, f"{url}/deny/", {"comment": ""}).status_code == 400
    assert post(manager, f"{url}/approve/", {"comment": "ok"}).json()["status"] == "pending_bu_head"
    approved = post(signed_in(world["head"]), f"{url}/approve/")
    assert approved.json()["status"] == "approved"
    assert [a["step"] for a in approved.json()["approvals"]] == ["line_manager", "business_unit_head"]
    assert post(requester, f"{url}/provision/").status_code == 403
    provisioned = post(signed_in(world["editor"]), f"{url}/provision/")
    assert provisioned.status_code == 201 and provisioned.json()["request"] == request["id"]
    assert requester.get(url + "/").json()["status"] == "provisioned"


def test_tokens_cannot_request_or_approve(world: dict[str, Any]) -> None:
    _token, plaintext = api_token(world["org"], world["owner_a"], scope="write")
    body = {
        "environment": world["testing"].pk,
        "privilege": "read",
        "justification": "A token asking for access on somebody's behalf.",
        "duration_days": 3,
        "line_manager": "manager@example.test",
    }
    response = post(bearer(plaintext), f"{API}/access-requests/", body)
    assert response.status_code == 403 and "signed in as themselves" in response.json()["detail"]
