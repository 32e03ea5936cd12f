"""Demo Co's access inventory, grants and requests: what is there, and loading twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from trustroom.access import selectors_requests as selectors
from trustroom.access import state
from trustroom.access.models import (
    AccessGrant,
    AccessGroupMember,
    AccessRequest,
    Environment,
    RequestStatus,
    RevocationTask,
    System,
)
from trustroom.tenancy.demo import DEMO_ADMIN_EMAIL, load_demo
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        System.objects.count(),
        Environment.objects.count(),
        AccessGroupMember.objects.count(),
        AccessGrant.objects.count(),
        AccessRequest.objects.count(),
        RevocationTask.objects.count(),
    )


def test_demo_access_records_cover_every_status_and_load_once() -> None:
    org = load_demo().organization
    now = timezone.now()
    with org_scope(org):
        first = counts()
        assert first[:3] == (4, 20, 4)
        statuses = set(AccessRequest.objects.values_list("status", flat=True))
        assert statuses == set(RequestStatus.values)
        grant_states = {state.grant_state(g, now) for g in AccessGrant.objects.all()}
        # Revoked ones come from the demo's access review (demo_reviews), which runs after this module.
        assert grant_states == {state.GrantState.ACTIVE, state.GrantState.EXPIRED, state.GrantState.REVOKED}
        soon = AccessGrant.objects.filter(state.active_grants_q(now), expires_at__lte=now + timedelta(days=7))
        assert soon.count() >= 2
        task = RevocationTask.objects.get(reason="expired")
        assert task.completed_at is None
        admin = AccessRequest.objects.filter(line_manager__email=DEMO_ADMIN_EMAIL).first()
        assert admin is not None and admin in selectors.waiting_for(admin.line_manager)
    load_demo()
    with org_scope(org):
        assert counts() == first
