"""Inventory, groups and grants services, and the grant expiry job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests.access.requests_factories import chain, grant, in_scope, submit, system_with_envs
from tests.factories import member, principal_for
from trustroom.access import state
from trustroom.access.models import (
    AccessGrant,
    AccessGroupMember,
    Environment,
    RevocationTask,
    System,
)
from trustroom.access.services import grants, inventory
from trustroom.access.services.revocations import complete_revocation_task
from trustroom.audit.models import AuditEvent
from trustroom.notifications.models import Notification
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def act(org: Any, user: Any, fn: Any, **kwargs: Any) -> Any:
    return in_scope(org, fn, actor=principal_for(user, org), **kwargs)


# --- Inventory ------------------------------------------------------------------------------------------


def test_custom_environment_needs_a_name_and_duplicates_are_refused(org_a: Any, owner_a: Any) -> None:
    system, _envs = system_with_envs(org_a, owner_a)
    with pytest.raises(ValidationError) as error:
        act(org_a, owner_a, inventory.create_environment, system=system, kind="custom")
    assert "name" in error.value.message_dict
    sandbox = act(org_a, owner_a, inventory.create_environment, system=system, kind="custom", name="sandbox")
    assert sandbox.label == "sandbox"
    with pytest.raises(ValidationError, match="already has the environment"):
        act(org_a, owner_a, inventory.create_environment, system=system, kind="production")
    with pytest.raises(ValidationError) as error:
        act(org_a, owner_a, inventory.create_environment, system=system, kind="moon")
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError, match="already exists"):
        act(org_a, owner_a, inventory.create_system, name="core api")


def test_system_owner_must_be_a_member(org_a: Any, owner_a: Any, owner_b: Any) -> None:
    with pytest.raises(ValidationError) as error:
        act(org_a, owner_a, inventory.create_system, name="Billing", owner=owner_b)
    assert "owner" in error.value.message_dict


def test_delete_is_refused_with_the_reason_while_grants_or_requests_exist(org_a: Any, owner_a: Any) -> None:
    people = chain(org_a)
    system, envs = system_with_envs(org_a, owner_a)
    grant(org_a, owner_a, envs["production"], "dev@example.test")
    submit(org_a, people["requester"], envs["testing"], manager=people["manager"])
    with pytest.raises(ValidationError, match="1 access grant, 1 access request refer to it"):
        act(org_a, owner_a, inventory.delete_system, system=system)
    with pytest.raises(ValidationError, match="1 access grant refer"):
        act(org_a, owner_a, inventory.delete_environment, environment=envs["production"])
    act(org_a, owner_a, inventory.delete_environment, environment=envs["staging"])
    with org_scope(org_a):
        assert System.objects.count() == 1 and Environment.objects.count() == 2
    other, _ = system_with_envs(org_a, owner_a, "Wiki")
    act(org_a, owner_a, inventory.delete_system, system=other)
    with org_scope(org_a):
        assert list(System.objects.values_list("name", flat=True)) == ["Core API"]
        assert AuditEvent.objects.filter(action="access.system_deleted").count() == 1


def test_editors_keep_the_inventory_but_only_managers_delete(org_a: Any, owner_a: Any) -> None:
    editor = member(org_a, "editor")
    viewer = member(org_a, "viewer")
    system = act(org_a, editor, inventory.create_system, name="Grafana")
    with pytest.raises(PermissionDenied):
        act(org_a, viewer, inventory.create_system, name="Jira")
    with pytest.raises(PermissionDenied):
        act(org_a, editor, inventory.delete_system, system=system)


# --- Groups ---------------------------------------------------------------------------------------------


def test_bulk_add_is_all_or_nothing_and_names_every_bad_line(org_a: Any, owner_a: Any) -> None:
    group = act(org_a, owner_a, inventory.create_group, name="DevOps")
    act(org_a, owner_a, inventory.add_group_member, group=group, email="Ana@Example.test")
    pasted = "bo@example.test\nnot-an-address\n\nana@example.test\nBO@example.test, cy@example.test"
    with pytest.raises(ValidationError) as error:
        act(org_a, owner_a, inventory.add_group_members, group=group, emails=pasted)
    assert error.value.message_dict["emails"] == [
        "line 2: “not-an-address” is not an e-mail address",
        "line 4: ana@example.test is already in the group",
        "line 5: bo@example.test is already listed on line 1",
    ]
    with org_scope(org_a):
        assert list(AccessGroupMember.objects.values_list("email", flat=True)) == ["ana@example.test"]
    added = act(
        org_a, owner_a, inventory.add_group_members, group=group, emails="Bo@example.test; cy@example.test"
    )
    assert [m.email for m in added] == ["bo@example.test", "cy@example.test"]
    act(org_a, owner_a, inventory.remove_group_member_by_email, group=group, email="ANA@example.test")
    with org_scope(org_a):
        assert list(AccessGroupMember.objects.values_list("email", flat=True)) == [
            "bo@example.test",
            "cy@example.test",
        ]


def test_editors_cannot_change_groups(org_a: Any, owner_a: Any) -> None:
    group = act(org_a, owner_a, inventory.create_group, name="DevOps")
    with pytest.raises(PermissionDenied):
        act(org_a, member(org_a, "editor"), inventory.add_group_member, group=group, email="x@example.test")


# --- Grants ---------------------------------------------------------------------------------------------


def test_recorded_grant_is_lower_cased_and_linked_to_the_member(
    org_a: Any, owner_a: Any, owner_b: Any
) -> None:
    _system, envs = system_with_envs(org_a, owner_a)
    dev = member(org_a, "viewer", email="dev@example.test", full_name="Dee Veloper")
    linked = grant(org_a, owner_a, envs["production"], "  DEV@Example.TEST ")
    assert (
        linked.person_email == "dev@example.test"
        and linked.user == dev
        and linked.person_name == "Dee Veloper"
    )
    # Someone with an account in another organization only is not linked (nor revealed).
    outsider = grant(org_a, owner_a, envs["production"], "owner@bravo.test")
    assert outsider.user is None
    with pytest.raises(ValidationError, match="already has active access"):
        grant(org_a, owner_a, envs["production"], "dev@example.test")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"person_email": "nobody"}, "person_email"),
        ({"privilege": "root"}, "privilege"),
        ({"expires_at": "past"}, "expires_at"),
    ],
)
def test_bad_grants_are_refused_naming_the_field(
    org_a: Any, owner_a: Any, values: dict[str, Any], field: str
) -> None:
    _system, envs = system_with_envs(org_a, owner_a)
    data: dict[str, Any] = {
        "environment": envs["testing"],
        "person_email": "a@example.test",
        "privilege": "read",
    }
    data.update(values)
    if data.get("expires_at") == "past":
        data["expires_at"] = timezone.now() - timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        act(org_a, owner_a, grants.record_grant, **data)
    assert field in error.value.message_dict
    with org_scope(org_a):
        assert not AccessGrant.objects.exists()


def test_change_privilege_and_revoke_closing_the_open_task(org_a: Any, owner_a: Any) -> None:
    _system, envs = system_with_envs(org_a, owner_a)
    record = grant(
        org_a, owner_a, envs["production"], "dev@example.test", expires_at=timezone.now() + timedelta(hours=1)
    )
    act(org_a, owner_a, grants.change_privilege, grant=record, privilege="admin")
    with org_scope(org_a):
        AccessGrant.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(minutes=5))
    assert grants.expire_grants(organization=org_a).tasks_opened == 1
    with pytest.raises(ValidationError, match="only an active grant"):
        act(org_a, owner_a, grants.change_privilege, grant=record, privilege="read")
    with pytest.raises(ValidationError) as error:
        act(org_a, owner_a, grants.revoke_grant, grant=record, reason=" ")
    assert "reason" in error.value.message_dict
    act(org_a, owner_a, grants.revoke_grant, grant=record, reason="Left the team")
    with org_scope(org_a):
        record = AccessGrant.objects.get(pk=record.pk)
        task = RevocationTask.objects.get(grant=record)
    assert record.privilege == "admin" and record.revocation_reason == "Left the team"
    assert state.grant_state(record) == state.GrantState.REVOKED and record.revoked_by == owner_a
    assert task.completed_at is not None and task.completed_by == owner_a
    with pytest.raises(ValidationError, match="already revoked"):
        act(org_a, owner_a, grants.revoke_grant, grant=record, reason="Again")


def test_expire_grants_opens_one_task_and_tells_the_owner_once(org_a: Any, owner_a: Any) -> None:
    system_owner = member(org_a, "editor", email="sysowner@example.test")
    _system, envs = system_with_envs(org_a, owner_a, owner=system_owner)
    now = timezone.now()
    soon = grant(org_a, owner_a, envs["production"], "a@example.test", expires_at=now + timedelta(hours=1))
    grant(org_a, owner_a, envs["production"], "b@example.test", expires_at=now + timedelta(days=10))
    grant(org_a, owner_a, envs["testing"], "c@example.test")
    later = now + timedelta(hours=2)
    run = grants.expire_grants(organization=org_a, now=later)
    assert (run.expired, run.tasks_opened, run.notifications_sent) == (1, 1, 1)
    again = grants.expire_grants(organization=org_a, now=later + timedelta(hours=1))
    assert (again.expired, again.tasks_opened, again.notifications_sent) == (1, 0, 0)
    with org_scope(org_a):
        task = RevocationTask.objects.get()
        assert task.grant_id == soon.pk and task.reason == "expired"
        assert list(Notification.objects.values_list("recipient__email", flat=True)) == [
            "sysowner@example.test"
        ]
        complete_revocation_task(actor=principal_for(owner_a, org_a), task=task)
    third = grants.expire_grants(organization=org_a, now=later + timedelta(hours=2))
    assert (third.expired, third.tasks_opened) == (0, 0)  # confirmed: the grant reads revoked


def test_expire_grants_command(org_a: Any, owner_a: Any, capsys: Any) -> None:
    _system, envs = system_with_envs(org_a, owner_a)
    record = grant(
        org_a, owner_a, envs["production"], "a@example.test", expires_at=timezone.now() + timedelta(seconds=1)
    )
    with org_scope(org_a):
        AccessGrant.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(days=1))
    call_command("access", "expire-grants", "--org", "alpha-co")
    assert "1 revocation task opened" in capsys.readouterr().out
    with org_scope(org_a):
        assert RevocationTask.objects.filter(grant=record, reason="expired").count() == 1
