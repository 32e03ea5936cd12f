"""Demo Co's resilience program: the Core API plan and its drills, the exercise, idempotent."""

from __future__ import annotations

import pytest

from trustroom.resilience import selectors
from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (DrPlan.objects.count(), FailoverDrill.objects.count(), BcpExercise.objects.count(),
            ActionItem.objects.count())  # fmt: skip


def test_demo_resilience_program_and_idempotent() -> None:
    org = load_demo().organization
    with org_scope(org):
        first = counts()
        [posture] = selectors.dr_posture(org)
        plan = DrPlan.objects.get()
        outcomes = sorted(FailoverDrill.objects.values_list("outcome", flat=True))
        exercise = BcpExercise.objects.get()
        overdue = [i.title for i in selectors.open_action_items() if i.overdue]
    assert first == (1, 6, 1, 4)
    assert (plan.service, plan.rto_minutes, plan.rpo_minutes) == ("Core API", 60, 5)
    assert "two-node PostgreSQL cluster" in plan.topology and "Multi-zone" in plan.topology
    assert outcomes.count("failed") == 1 and outcomes.count("passed_with_issues") == 1
    assert posture["overdue"] is False and posture["met_targets"] is True and posture["outcome"] == "passed"
    assert {p["function"] for p in exercise.participants} >= {
        "Engineering",
        "Support",
        "Legal",
        "Communications",
    }
    assert overdue == ["Name who decides to fail over to the second region, and a deputy"]
    load_demo()
    with org_scope(org):
        assert counts() == first
