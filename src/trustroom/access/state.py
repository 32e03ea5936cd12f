"""What the access records say at a moment: computed when read, never stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from trustroom.access.models import (
    SENSITIVE,
    AccessGrant,
    AccessRequest,
    ApprovalStep,
    Environment,
    EnvironmentKind,
    RequestStatus,
)


class GrantState:
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


def grant_state(grant: AccessGrant, now: datetime | None = None) -> str:
    """Revoked beats expired; a grant past `expires_at` is expired even if no job ever ran."""
    now = now or timezone.now()
    if grant.revoked_at is not None:
        return GrantState.REVOKED
    if grant.expires_at is not None and grant.expires_at <= now:
        return GrantState.EXPIRED
    return GrantState.ACTIVE


def active_grants_q(now: datetime | None = None) -> Q:
    """The same rule as `grant_state(...) == ACTIVE`, for querysets."""
    now = now or timezone.now()
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def expired_unrevoked_q(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(revoked_at__isnull=True, expires_at__isnull=False, expires_at__lte=now)


def needs_business_unit_head(environment: Environment) -> bool:
    """Production and high/critical sensitivity need a second approval by the business-unit head."""
    return environment.kind == EnvironmentKind.PRODUCTION or environment.effective_sensitivity in SENSITIVE


def pending_step(request: AccessRequest) -> str | None:
    """The approval step the request waits for, or None when it waits for nobody's approval."""
    if request.status == RequestStatus.PENDING_MANAGER:
        return ApprovalStep.LINE_MANAGER
    if request.status == RequestStatus.PENDING_BU_HEAD:
        return ApprovalStep.BUSINESS_UNIT_HEAD
    return None


def approver_for(request: AccessRequest, step: str) -> Any:
    return request.line_manager if step == ApprovalStep.LINE_MANAGER else request.business_unit_head


def is_overdue(due_at: datetime | None, done_at: datetime | None, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return done_at is None and due_at is not None and due_at < now
