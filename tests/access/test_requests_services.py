"""Need-to-know requests: submission rules, the two-step approval chain by the named approvers only,
cancel, provisioning into a grant, and the notifications along the way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.access.requests_factories import JUSTIFICATION, chain, in_scope, submit, system_with_envs
from tests.factories import member, principal_for
from trustroom.access.models import (
    AccessApproval,
    AccessGrant,
    AccessRequest,
    GrantSource,
    RequestStatus,
)
from trustroom.access.services import inventory, requests
from trustroom.audit.models import AuditEvent
from trustroom.notifications.models import Notification
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    people = chain(org_a)
    system, envs = system_with_envs(org_a, owner_a, owner=people["owner"])
    return {"org": org_a, "system": system, **envs, **people}


def act(world: dict[str, Any], who: str, fn: Any, **kwargs: Any) -> Any:
    org = world["org"]
    return in_scope(org, fn, actor=principal_for(world[who], org), **kwargs)


def fresh(request: AccessRequest) -> AccessRequest:
    with org_scope(request.organization):
        return AccessRequest.objects.get(pk=request.pk)


def keys_for(world: dict[str, Any], who: str) -> list[str]:
    with org_scope(world["org"]):
        return sorted(Notification.objects.filter(recipient=world[who]).values_list("key", flat=True))


def test_production_goes_through_manager_then_head_then_provisioning(world: dict[str, Any]) -> None:
    request = submit(
        world["org"], world["requester"], world["production"], manager=world["manager"], head=world["head"]
    )
    assert request.needs_business_unit_head and request.status == RequestStatus.PENDING_MANAGER
    assert keys_for(world, "manager") == [f"access:request:{request.pk}:approval:line_manager"]

    act(world, "manager", requests.approve_request, request=request, comment="Fine for the incident.")
    assert fresh(request).status == RequestStatus.PENDING_BU_HEAD
    assert fresh(request).decided_at is None
    assert keys_for(world, "head") == [f"access:request:{request.pk}:approval:business_unit_head"]

    act(world, "head", requests.approve_request, request=request)
    request = fresh(request)
    assert request.status == RequestStatus.APPROVED and request.decided_at is not None
    assert f"access:request:{request.pk}:decided" in keys_for(world, "requester")
    assert keys_for(world, "owner") == [f"access:request:{request.pk}:provision"]
    with org_scope(world["org"]):
        steps = list(
            AccessApproval.objects.filter(request=request).values_list("step", "approver__email", "decision")
        )
    assert steps == [
        ("line_manager", "manager@example.test", "approved"),
        ("business_unit_head", "head@example.test", "approved"),
    ]

    before = timezone.now()
    grant = act(world, "editor", requests.provision_request, request=request)
    request = fresh(request)
    assert request.status == RequestStatus.PROVISIONED and request.provisioned_by == world["editor"]
    assert grant.request_id == request.pk and grant.source == GrantSource.REQUEST
    assert grant.person_email == "req@example.test" and grant.user == world["requester"]
    assert grant.expires_at == grant.granted_at + timedelta(days=30)
    assert grant.granted_at >= before
    assert f"access:request:{request.pk}:provisioned" in keys_for(world, "requester")


def test_non_sensitive_environment_is_approved_by_the_manager_alone(world: dict[str, Any]) -> None:
    request = submit(
        world["org"], world["requester"], world["testing"], manager=world["manager"], head=world["head"]
    )
    assert not request.needs_business_unit_head and request.business_unit_head is None
    act(world, "manager", requests.approve_request, request=request)
    assert fresh(request).status == RequestStatus.APPROVED


def test_sensitive_system_needs_the_head_even_outside_production(org_a: Any, owner_a: Any) -> None:
    people = chain(org_a)
    _system, envs = system_with_envs(org_a, owner_a, "Payments", sensitivity="critical")
    with pytest.raises(ValidationError) as error:
        submit(org_a, people["requester"], envs["testing"], manager=people["manager"])
    assert "business_unit_head" in error.value.message_dict


def test_needing_the_head_is_fixed_at_submission(world: dict[str, Any]) -> None:
    request = submit(world["org"], world["requester"], world["testing"], manager=world["manager"])
    act(
        world,
        "owner",
        inventory.update_environment,
        environment=world["testing"],
        kind="testing",
        sensitivity="critical",
    )
    act(world, "manager", requests.approve_request, request=request)
    assert fresh(request).status == RequestStatus.APPROVED


@pytest.mark.parametrize("who", ["owner", "head", "requester", "editor"])
def test_only_the_named_line_manager_decides_the_first_step(world: dict[str, Any], who: str) -> None:
    request = submit(
        world["org"], world["requester"], world["production"], manager=world["manager"], head=world["head"]
    )
    with pytest.raises(PermissionDenied, match=r"Only manager@example\.test, named as the line manager"):
        act(world, who, requests.approve_request, request=request)
    with pytest.raises(PermissionDenied):
        act(world, who, requests.deny_request, request=request, comment="No, not for you.")
    assert fresh(request).status == RequestStatus.PENDING_MANAGER
    with org_scope(world["org"]):
        assert not AccessApproval.objects.exists()


def test_only_the_named_head_decides_the_second_step_not_even_the_manager_or_an_owner(
    world: dict[str, Any],
) -> None:
    request = submit(
        world["org"], world["requester"], world["production"], manager=world["manager"], head=world["head"]
    )
    act(world, "manager", requests.approve_request, request=request)
    for who in ("manager", "owner"):
        with pytest.raises(PermissionDenied, match=r"head@example\.test"):
            act(world, who, requests.approve_request, request=request)
    assert fresh(request).status == RequestStatus.PENDING_BU_HEAD


def test_the_platform_and_tokens_cannot_approve(world: dict[str, Any]) -> None:
    request = submit(world["org"], world["requester"], world["testing"], manager=world["manager"])
    with pytest.raises(PermissionDenied):
        in_scope(
            world["org"], requests.approve_request, actor=system_principal(world["org"]), request=request
        )


def test_deny_needs_a_comment_and_tells_the_requester(world: dict[str, Any]) -> None:
    request = submit(
        world["org"], world["requester"], world["production"], manager=world["manager"], head=world["head"]
    )
    with pytest.raises(ValidationError) as error:
        act(world, "manager", requests.deny_request, request=request, comment="  ")
    assert "comment" in error.value.message_dict
    assert fresh(request).status == RequestStatus.PENDING_MANAGER
    act(world, "manager", requests.deny_request, request=request, comment="Use the read replica instead.")
    request = fresh(request)
    assert request.status == RequestStatus.DENIED and request.decided_at is not None
    assert f"access:request:{request.pk}:decided" in keys_for(world, "requester")
    assert keys_for(world, "head") == []  # never asked
    with pytest.raises(ValidationError, match="not waiting for an approval"):
        act(world, "manager", requests.approve_request, request=request)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"justification": "too short"}, "justification"),
        ({"duration_days": 0}, "duration_days"),
        ({"duration_days": 366}, "duration_days"),
        ({"privilege": "root"}, "privilege"),
        ({"line_manager": "requester"}, "line_manager"),
        ({"line_manager": None}, "line_manager"),
        ({"line_manager": "stranger"}, "line_manager"),
        ({"business_unit_head": None}, "business_unit_head"),
        ({"business_unit_head": "requester"}, "business_unit_head"),
        ({"business_unit_head": "manager"}, "business_unit_head"),
        ({"business_unit_head": "stranger"}, "business_unit_head"),
    ],
)
def test_submission_refuses_bad_input_naming_the_field(
    world: dict[str, Any], org_b: Any, change: dict[str, Any], field: str
) -> None:
    world["stranger"] = member(org_b, "owner", email="outsider@bravo.test")
    values: dict[str, Any] = {
        "environment": world["production"],
        "privilege": "read",
        "justification": JUSTIFICATION,
        "duration_days": 30,
        "line_manager": world["manager"],
        "business_unit_head": world["head"],
    }
    for key, value in change.items():
        values[key] = world[value] if isinstance(value, str) and value in world else value
    with pytest.raises(ValidationError) as error:
        act(world, "requester", requests.submit_request, **values)
    assert field in error.value.message_dict
    with org_scope(world["org"]):
        assert not AccessRequest.objects.exists()
        assert not AuditEvent.objects.filter(action="access.request_submitted").exists()


def test_auditors_cannot_request(world: dict[str, Any]) -> None:
    auditor = member(world["org"], "auditor", email="audit@example.test")
    with pytest.raises(PermissionDenied):
        submit(world["org"], auditor, world["testing"], manager=world["manager"])


def test_cancel_by_the_requester_only_while_pending(world: dict[str, Any]) -> None:
    request = submit(
        world["org"], world["requester"], world["production"], manager=world["manager"], head=world["head"]
    )
    with pytest.raises(PermissionDenied, match="Only the requester"):
        act(world, "owner", requests.cancel_request, request=request)
    act(world, "requester", requests.cancel_request, request=request)
    assert fresh(request).status == RequestStatus.CANCELLED
    with pytest.raises(ValidationError, match="waiting for approval"):
        act(world, "requester", requests.cancel_request, request=request)
    with pytest.raises(ValidationError):
        act(world, "manager", requests.approve_request, request=request)


def test_provisioning_rules(world: dict[str, Any]) -> None:
    viewer = member(world["org"], "viewer", email="viewer@example.test")
    world["viewer"] = viewer
    request = submit(world["org"], world["requester"], world["testing"], manager=world["manager"])
    with pytest.raises(ValidationError, match="Only an approved request"):
        act(world, "editor", requests.provision_request, request=request)
    act(world, "manager", requests.approve_request, request=request)
    with pytest.raises(PermissionDenied, match="your own access request"):
        act(world, "requester", requests.provision_request, request=request)
    with pytest.raises(PermissionDenied):
        act(world, "viewer", requests.provision_request, request=request)
    with org_scope(world["org"]):
        assert not AccessGrant.objects.exists()
    act(world, "editor", requests.provision_request, request=request)
    with pytest.raises(ValidationError):
        act(world, "editor", requests.provision_request, request=request)
    with org_scope(world["org"]):
        assert AccessGrant.objects.count() == 1
        actions = list(
            AuditEvent.objects.filter(action__startswith="access.request")
            .order_by("seq")
            .values_list("action", flat=True)
        )
    assert actions == ["access.request_submitted", "access.request_approved", "access.request_provisioned"]
