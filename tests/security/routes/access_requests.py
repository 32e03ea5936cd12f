"""Cross-tenant entries of the access app's inventory, grants, requests, revocation tasks and groups
(/o/<org_slug>/access/... and their API)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.factories import member
from tests.security.cross_tenant import ORG, Route, obj
from trustroom.access.models import AccessGroupMember, RevocationReason
from trustroom.access.services import grants, inventory, requests
from trustroom.access.services.revocations import open_revocation_task
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

_GROUP_MEMBER = Route(
    ORG, target=lambda world: {"pk": world["access_group"], "member_pk": world["access_group_member"]}
)

ROUTES: dict[str, Route] = {
    # pages
    "access:overview": Route(ORG),
    "access:inventory": Route(ORG),
    "access:system-create": Route(ORG),
    "access:system-edit": Route(ORG, target=obj("access_system")),
    "access:system-delete": Route(ORG, target=obj("access_system")),
    "access:environment-create": Route(ORG, target=obj("access_system")),
    "access:environment-edit": Route(ORG, target=obj("access_environment")),
    "access:environment-delete": Route(ORG, target=obj("access_environment")),
    "access:grant-list": Route(ORG),
    "access:grant-create": Route(ORG),
    "access:grant-detail": Route(ORG, target=obj("access_grant")),
    "access:grant-revoke": Route(ORG, target=obj("access_grant")),
    "access:grant-privilege": Route(ORG, target=obj("access_grant")),
    "access:revocation-task-list": Route(ORG),
    "access:revocation-task-complete": Route(ORG, target=obj("access_revocation_task")),
    "access:request-list": Route(ORG),
    "access:request-create": Route(ORG),
    "access:request-detail": Route(ORG, target=obj("access_request")),
    "access:request-approve": Route(ORG, target=obj("access_request")),
    "access:request-deny": Route(ORG, target=obj("access_request")),
    "access:request-cancel": Route(ORG, target=obj("access_request")),
    "access:request-provision": Route(ORG, target=obj("access_request")),
    "access:group-list": Route(ORG),
    "access:group-detail": Route(ORG, target=obj("access_group")),
    "access:group-delete": Route(ORG, target=obj("access_group")),
    "access:group-member-remove": _GROUP_MEMBER,
    # API
    "access-systems-list": Route(ORG, api=True),
    "access-systems-detail": Route(ORG, api=True, target=obj("access_system")),
    "access-environments-list": Route(ORG, api=True),
    "access-environments-detail": Route(ORG, api=True, target=obj("access_environment")),
    "access-groups-list": Route(ORG, api=True),
    "access-groups-detail": Route(ORG, api=True, target=obj("access_group")),
    "access-groups-members": Route(ORG, api=True, target=obj("access_group")),
    "access-groups-remove-member": Route(ORG, api=True, target=obj("access_group")),
    "access-grants-list": Route(ORG, api=True),
    "access-grants-detail": Route(ORG, api=True, target=obj("access_grant")),
    "access-grants-revoke": Route(ORG, api=True, target=obj("access_grant")),
    "revocation-tasks-list": Route(ORG, api=True),
    "revocation-tasks-detail": Route(ORG, api=True, target=obj("access_revocation_task")),
    "revocation-tasks-complete": Route(ORG, api=True, target=obj("access_revocation_task")),
    "access-requests-list": Route(ORG, api=True),
    "access-requests-detail": Route(ORG, api=True, target=obj("access_request")),
    "access-requests-approve": Route(ORG, api=True, target=obj("access_request")),
    "access-requests-deny": Route(ORG, api=True, target=obj("access_request")),
    "access-requests-cancel": Route(ORG, api=True, target=obj("access_request")),
    "access-requests-provision": Route(ORG, api=True, target=obj("access_request")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    system = inventory.create_system(actor=actor, name=f"{label} core api", owner=actor.user)
    production = inventory.create_environment(
        actor=actor, system=system, kind="production", name=f"{label}-prod"
    )
    grant = grants.record_grant(
        actor=actor,
        environment=production,
        person_email=f"{label}-dev@example.test",
        privilege="read",
        expires_at=timezone.now() + timedelta(days=30),
    )
    task, _ = open_revocation_task(
        actor=actor, grant=grant, reason=RevocationReason.MANUAL, note=f"{label} task"
    )
    manager = member(org, "editor", email=f"{label}-manager@example.test")
    head = member(org, "editor", email=f"{label}-head@example.test")
    request = requests.submit_request(
        actor=actor,
        environment=production,
        privilege="admin",
        justification=f"{label}: investigate the production incident in the billing job",
        duration_days=7,
        line_manager=manager,
        business_unit_head=head,
    )
    # The line manager's approval (a row of access_accessapproval); the request waits for the head.
    as_manager = Principal(organization=org, role="editor", user=manager)
    requests.approve_request(actor=as_manager, request=request, comment=f"{label} approved")
    group = inventory.create_group(actor=actor, name=f"{label} devops")
    inventory.add_group_member(actor=actor, group=group, email=f"{label}-ops@example.test")
    return {
        "access_system": system.pk,
        "access_environment": production.pk,
        "access_grant": grant.pk,
        "access_revocation_task": task.pk,
        "access_request": request.pk,
        "access_group": group.pk,
        "access_group_member": AccessGroupMember.objects.get(group=group).pk,
    }
