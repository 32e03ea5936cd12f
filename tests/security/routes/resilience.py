"""Cross-tenant entries of the resilience program (/o/<org_slug>/resilience/ and its API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.resilience import services
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "resilience:overview": Route(ORG),
    "resilience:plan-create": Route(ORG),
    "resilience:plan-detail": Route(ORG, target=obj("dr_plan")),
    "resilience:plan-edit": Route(ORG, target=obj("dr_plan")),
    "resilience:drill-create": Route(ORG, target=obj("dr_plan")),
    "resilience:exercises": Route(ORG),
    "resilience:exercise-create": Route(ORG),
    "resilience:exercise-detail": Route(ORG, target=obj("bcp_exercise")),
    "resilience:exercise-action-items": Route(ORG, target=obj("bcp_exercise")),
    "resilience:action-items": Route(ORG),
    "resilience:action-item-create": Route(ORG),
    "resilience:action-item-edit": Route(ORG, target=obj("action_item")),
    "dr-plan-list": Route(ORG, api=True),
    "dr-plan-detail": Route(ORG, api=True, target=obj("dr_plan")),
    "failover-drill-list": Route(ORG, api=True),
    "failover-drill-detail": Route(ORG, api=True, target=obj("failover_drill")),
    "bcp-exercise-list": Route(ORG, api=True),
    "bcp-exercise-detail": Route(ORG, api=True, target=obj("bcp_exercise")),
    "bcp-exercise-action-items": Route(ORG, api=True, target=obj("bcp_exercise")),
    "action-item-list": Route(ORG, api=True),
    "action-item-detail": Route(ORG, api=True, target=obj("action_item")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A DR plan with one drill, an exercise with open points, and an action item from the drill."""
    now = dt.datetime.now(dt.UTC)
    plan = services.create_plan(
        actor=actor, service=f"{label} Core API", rto_minutes=60, rpo_minutes=5, topology=f"{label} topology"
    )
    drill = services.record_drill(
        actor=actor,
        plan=plan,
        started_at=now - dt.timedelta(days=3),
        ended_at=now - dt.timedelta(days=3) + dt.timedelta(minutes=40),
        outcome="passed_with_issues",
        measured_rpo_minutes=2,
        issues=f"{label} replica lag alarm fired late",
    )
    exercise = services.create_exercise(
        actor=actor,
        title=f"{label} region outage",
        scenario=f"{label} scenario",
        held_at=now - dt.timedelta(days=10),
        participants=[{"function": "Engineering", "name": f"{label} engineer"}],
        open_points=[f"{label} open point"],
    )
    item = services.create_action_item(
        actor=actor, title=f"{label} fix the lag alarm", drill=drill, due_on=now.date() - dt.timedelta(days=1)
    )
    return {
        "dr_plan": plan.pk,
        "failover_drill": drill.pk,
        "bcp_exercise": exercise.pk,
        "action_item": item.pk,
    }
