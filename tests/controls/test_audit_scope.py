"""The auditor workspace's scope: an auditor sees only their periods, and within them only the window."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.controls.audit_factories import (
    ISO,
    auditor,
    link,
    make_period,
    soc2_control,
)
from tests.controls.factories import make_residency_check
from tests.factories import member, principal_for
from trustroom.audit.models import AuditEvent
from trustroom.controls import audit_scope, audit_services, services
from trustroom.controls.audit_models import AuditPeriod
from trustroom.tenancy import policies
from trustroom.tenancy.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(actor: Any) -> dict[str, Any]:
    control = soc2_control(actor)
    iso_only = services.create_control(actor=actor, key="ISO-1", name="ISO only")
    current = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    earlier = make_period(actor, "SOC 2 Type II 2025", start_days=-200, end_days=-60)
    return {
        "control": control,
        "iso_only": iso_only,
        "current": current,
        "earlier": earlier,
        "in_window": link(actor, control, "https://alpha.example/in", days_ago=3),
        "before_window": link(actor, control, "https://alpha.example/before", days_ago=100),
        "other_control": link(actor, iso_only, "https://alpha.example/iso", days_ago=3),
    }


def test_an_assigned_auditor_sees_in_window_evidence_of_the_periods_controls_only(
    actor: Any, world: dict[str, Any]
) -> None:
    user = auditor(actor, "auditor@alpha.test", world["current"])
    seen = principal_for(user, actor.organization)
    assert list(audit_scope.visible_periods(seen)) == [world["current"]]
    assert list(audit_scope.controls_in(seen, world["current"])) == [world["control"]]
    assert list(audit_scope.evidence_in(seen, world["current"])) == [world["in_window"]]


def test_an_auditor_does_not_see_another_periods_evidence(actor: Any, world: dict[str, Any]) -> None:
    user = auditor(actor, "auditor@alpha.test", world["current"])
    seen = principal_for(user, actor.organization)
    assert audit_scope.period_for(seen, world["earlier"].pk) is None
    assert not policies.policy_for(AuditPeriod).allows(seen, "view", world["earlier"])
    with pytest.raises(PermissionError):
        list(audit_scope.evidence_in(seen, world["earlier"]))
    # The manager sees the earlier period's own window: the old link, not the current one.
    assert list(audit_scope.evidence_in(actor, world["earlier"])) == [world["before_window"]]


def test_an_auditor_without_assignment_sees_nothing(actor: Any, world: dict[str, Any]) -> None:
    user = auditor(actor, "auditor@alpha.test")
    seen = principal_for(user, actor.organization)
    assert list(audit_scope.visible_periods(seen)) == []
    assert audit_scope.period_for(seen, world["current"].pk) is None
    with pytest.raises(PermissionError):
        list(audit_scope.controls_in(seen, world["current"]))
    assert list(audit_scope.packages_of(seen)) == []


def test_other_roles_see_no_period(actor: Any, world: dict[str, Any]) -> None:
    for role in (Role.EDITOR, Role.VIEWER):
        user = member(actor.organization, role, email=f"{role}@alpha.test")
        seen = principal_for(user, actor.organization)
        assert list(audit_scope.visible_periods(seen)) == []
        assert not policies.policy_for(AuditPeriod).allows(seen, "view")


def test_runs_and_events_are_cut_to_the_window(actor: Any, world: dict[str, Any]) -> None:
    check = make_residency_check(actor, controls=[world["control"]])
    run = services.run_check(actor=actor, check=check)
    user = auditor(actor, "auditor@alpha.test", world["current"], world["earlier"])
    seen = principal_for(user, actor.organization)
    assert list(audit_scope.runs_in(seen, world["current"])) == [run]
    assert list(audit_scope.runs_in(seen, world["earlier"])) == []
    assert audit_scope.events_in(seen, world["current"]).count() == AuditEvent.objects.count()
    assert audit_scope.events_in(seen, world["earlier"]).count() == 0


def test_managers_manage_periods_and_assignments_audited(actor: Any, world: dict[str, Any]) -> None:
    period = world["current"]
    user = auditor(actor, "auditor@alpha.test", period)
    audit_services.update_period(actor=actor, period=period, status="closed")
    period.refresh_from_db()
    assert period.status == "closed"
    late = Membership.objects.get(user=member(actor.organization, Role.AUDITOR, email="late@alpha.test"))
    with pytest.raises(ValidationError) as closed:
        audit_services.assign_auditor(actor=actor, period=period, membership=late)
    assert closed.value.message_dict == {
        "period": ["This audit period is closed: reopen it to assign auditors."]
    }
    assignment = period.assignments.get()
    audit_services.unassign_auditor(actor=actor, assignment=assignment)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    for action in ("audit_period.created", "audit_period.changed", "audit_period.auditor_assigned",
                   "audit_period.auditor_unassigned"):  # fmt: skip
        assert action in actions
    seen = principal_for(user, actor.organization)
    assert list(audit_scope.visible_periods(seen)) == []
    with pytest.raises(PermissionDenied):
        make_period(seen, "Mine", start_days=-1, end_days=1)


def test_bad_period_input_is_named(actor: Any, world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        make_period(actor, "Backwards", start_days=5, end_days=1, codes=["no-such-framework"])
    assert set(refused.value.message_dict) == {"framework_codes", "ends_at"}
    with pytest.raises(ValidationError) as duplicate:
        make_period(actor, "SOC 2 Type II 2026", start_days=-1, end_days=1, codes=[ISO])
    assert "name" in duplicate.value.message_dict
    editor = member(actor.organization, Role.EDITOR, email="editor@alpha.test")
    membership = Membership.objects.get(user=editor)
    with pytest.raises(ValidationError) as not_auditor:
        audit_services.assign_auditor(actor=actor, period=world["current"], membership=membership)
    assert "membership" in not_auditor.value.message_dict
