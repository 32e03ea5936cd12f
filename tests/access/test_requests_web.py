"""The access pages: overview counts, inventory, grants (htmx filters), requests and their approval chain,
revocation tasks, groups."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.access.requests_factories import chain, grant, submit, system_with_envs
from tests.factories import member
from tests.tenancy.factories import signed_in
from trustroom.access.models import (
    AccessGrant,
    AccessGroup,
    AccessGroupMember,
    AccessRequest,
    RequestStatus,
    RevocationTask,
    System,
)
from trustroom.access.services import grants
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
BASE = "/o/alpha-co/access"


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    people = chain(org_a)
    system, envs = system_with_envs(org_a, owner_a, owner=people["owner"])
    return {"org": org_a, "system": system, "owner_a": owner_a, **envs, **people}


def test_every_page_renders_for_a_viewer(world: dict[str, Any]) -> None:
    request = submit(
        world["org"], world["requester"], world["production"], manager=world["manager"], head=world["head"]
    )
    record = grant(world["org"], world["owner_a"], world["testing"], "dev@example.test")
    viewer = signed_in(member(world["org"], "viewer"))
    for path in (
        "/",
        "/inventory/",
        "/grants/",
        f"/grants/{record.pk}/",
        "/requests/?show=all",
        f"/requests/{request.pk}/",
        "/revocation-tasks/",
        "/groups/",
        "/requests/new/",
    ):
        response = viewer.get(BASE + path)
        assert response.status_code == 200, path
    assert viewer.get(BASE + "/grants/new/").status_code == 403
    assert viewer.get(BASE + "/inventory/systems/new/").status_code == 403


def test_overview_counts(world: dict[str, Any]) -> None:
    submit(
        world["org"], world["requester"], world["production"], manager=world["manager"], head=world["head"]
    )
    record = grant(
        world["org"],
        world["owner_a"],
        world["testing"],
        "dev@example.test",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    grant(world["org"], world["owner_a"], world["staging"], "dev@example.test")
    with org_scope(world["org"]):
        AccessGrant.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(days=5))
    grants.expire_grants(organization=world["org"])
    with org_scope(world["org"]):
        RevocationTask.objects.update(due_at=timezone.now() - timedelta(hours=1))
    page = signed_in(world["manager"]).get(BASE + "/").content.decode()
    assert "<dt>Systems</dt><dd><a" in page
    counts = {
        "Active grants": 1,
        "Approvals waiting for you": 1,
        "Open revocation tasks": 1,
    }
    for label, count in counts.items():
        assert f"<dt>{label}</dt><dd><a href" in page and f">{count}</a></dd>" in page
    assert '<span class="badge expired">1</span>' in page  # overdue
    other = signed_in(world["head"]).get(BASE + "/").content.decode()
    assert '?show=waiting">0</a>' in other


def test_named_approver_sees_the_form_and_decides_others_are_refused(world: dict[str, Any]) -> None:
    request = submit(
        world["org"], world["requester"], world["production"], manager=world["manager"], head=world["head"]
    )
    detail = f"{BASE}/requests/{request.pk}/"
    owner = signed_in(world["owner"])
    page = owner.get(detail).content.decode()
    assert "Approve" not in page and "only they may decide this step" in page
    refused = owner.post(f"{detail}approve/", {"comment": ""})
    assert refused.status_code == 403 and "separation of duties" in refused.content.decode()
    manager = signed_in(world["manager"])
    assert "Your decision as line manager" in manager.get(detail).content.decode()
    denied = manager.post(f"{detail}deny/", {"comment": ""})
    assert denied.status_code == 400 and "Say why the request is denied" in denied.content.decode()
    response = manager.post(f"{detail}approve/", {"comment": "OK for the incident"})
    assert response.status_code == 302
    with org_scope(world["org"]):
        assert AccessRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING_BU_HEAD
    timeline = signed_in(world["head"]).get(detail).content.decode()
    assert "OK for the incident" in timeline and "Your decision as business-unit head" in timeline


def test_new_request_form_errors_name_the_field(world: dict[str, Any]) -> None:
    client = signed_in(world["requester"])
    response = client.post(
        f"{BASE}/requests/new/",
        {
            "environment": world["production"].pk,
            "privilege": "read",
            "justification": "I need it",
            "duration_days": 30,
            "line_manager": world["manager"].pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "at least 20 characters" in page and "name the business-unit head" in page
    with org_scope(world["org"]):
        assert not AccessRequest.objects.exists()


def test_grant_filters_with_htmx(world: dict[str, Any]) -> None:
    grant(world["org"], world["owner_a"], world["production"], "prod@example.test")
    grant(world["org"], world["owner_a"], world["testing"], "test@example.test")
    revoked = grant(world["org"], world["owner_a"], world["testing"], "gone@example.test")
    client = signed_in(world["owner_a"])
    client.post(f"{BASE}/grants/{revoked.pk}/revoke/", {"reason": "Left"})
    response = client.get(f"{BASE}/grants/?kind=production", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "prod@example.test" in body and "test@example.test" not in body and "<html" not in body
    body = client.get(f"{BASE}/grants/?state=revoked").content.decode()
    assert "gone@example.test" in body and "prod@example.test" not in body
    body = client.get(f"{BASE}/grants/?person=TEST@").content.decode()
    assert "test@example.test" in body and "prod@example.test" not in body
    assert client.get(f"{BASE}/grants/?state=bogus").status_code == 400


def test_inventory_and_groups_pages_write_through_the_services(world: dict[str, Any]) -> None:
    client = signed_in(world["owner_a"])
    response = client.post(
        f"{BASE}/inventory/systems/new/", {"name": "Data warehouse", "sensitivity": "high"}
    )
    assert response.status_code == 302
    with org_scope(world["org"]):
        warehouse = System.objects.get(name="Data warehouse")
    response = client.post(f"{BASE}/inventory/systems/{warehouse.pk}/environments/new/", {"kind": "custom"})
    assert response.status_code == 400 and "custom environment needs a name" in response.content.decode()
    assert client.post(f"{BASE}/inventory/environments/{world['production'].pk}/delete/").status_code == 302
    grant(world["org"], world["owner_a"], world["testing"], "x@example.test")
    refused = client.post(f"{BASE}/inventory/environments/{world['testing'].pk}/delete/")
    assert refused.status_code == 400 and "1 access grant refer to it" in refused.content.decode()
    client.post(f"{BASE}/groups/", {"name": "DevOps"})
    with org_scope(world["org"]):
        group_id = AccessGroup.objects.get().pk
    bad = client.post(f"{BASE}/groups/{group_id}/", {"emails": "a@example.test\nnope"})
    assert bad.status_code == 400 and "line 2" in bad.content.decode()
    assert (
        client.post(f"{BASE}/groups/{group_id}/", {"emails": "a@example.test\nb@example.test"}).status_code
        == 302
    )
    with org_scope(world["org"]):
        assert AccessGroupMember.objects.count() == 2
