"""Reads of the inventory, grants, requests and revocation tasks (filters computed from the clock in SQL,
the same rules as `trustroom.access.state`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from trustroom.access import state
from trustroom.access.models import AccessGrant, AccessRequest, RequestStatus, RevocationTask


@dataclass(frozen=True)
class GrantFilters:
    system_id: int | None = None
    kind: str = ""
    person: str = ""
    state: str = ""

    @property
    def active(self) -> bool:
        return bool(self.system_id or self.kind or self.person or self.state)


def grants(filters: GrantFilters, *, now: datetime) -> QuerySet[AccessGrant]:
    found = AccessGrant.objects.select_related("environment__system", "user")
    if filters.system_id:
        found = found.filter(environment__system_id=filters.system_id)
    if filters.kind:
        found = found.filter(environment__kind=filters.kind)
    if filters.person:
        found = found.filter(
            Q(person_email__icontains=filters.person) | Q(person_name__icontains=filters.person)
        )
    if filters.state == state.GrantState.ACTIVE:
        found = found.filter(state.active_grants_q(now))
    elif filters.state == state.GrantState.EXPIRED:
        found = found.filter(state.expired_unrevoked_q(now))
    elif filters.state == state.GrantState.REVOKED:
        found = found.filter(revoked_at__isnull=False)
    return found.order_by("environment__system__name", "environment__kind", "person_email", "pk")


def waiting_for(user: Any) -> QuerySet[AccessRequest]:
    """Requests whose pending step names `user` as its approver."""
    user_id = getattr(user, "pk", None)
    return AccessRequest.objects.filter(
        Q(status=RequestStatus.PENDING_MANAGER, line_manager_id=user_id)
        | Q(status=RequestStatus.PENDING_BU_HEAD, business_unit_head_id=user_id)
    )


def open_tasks() -> QuerySet[RevocationTask]:
    return RevocationTask.objects.filter(completed_at__isnull=True)


def overdue_tasks(now: datetime) -> QuerySet[RevocationTask]:
    return open_tasks().filter(due_at__lt=now)
