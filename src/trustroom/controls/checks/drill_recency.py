"""Drill recency: every DR plan's failover drill is not overdue on the plan's own cadence.

Reads `trustroom.resilience.selectors.plans_with_state` (next drill due computed from the last drill).
"""

from __future__ import annotations

from typing import Any

from trustroom.controls.checks import (
    CheckKind,
    CheckResult,
    Resource,
    RunContext,
    outcome_of,
    parameters_object,
    register,
)
from trustroom.resilience import selectors as resilience
from trustroom.tenancy.models import Organization


def clean(parameters: Any) -> dict[str, Any]:
    parameters_object(parameters, set(), "drill recency")
    return {}


def run(organization: Organization, parameters: dict[str, Any], context: RunContext) -> CheckResult:
    resources = []
    for plan in resilience.plans_with_state(context.now):
        state = plan.state  # type: ignore[attr-defined]
        last = f"last drill {state.last_drill.started_at:%Y-%m-%d}" if state.last_drill else "never drilled"
        due = f"due {state.next_due:%Y-%m-%d}" if state.next_due else "no next date"
        resources.append(
            Resource(
                type="dr_plan",
                id=str(plan.pk),
                name=plan.service,
                region="",
                passed=not state.overdue,
                reason=f"{last}; {'overdue, ' if state.overdue else ''}{due}",
            )
        )
    outcome, summary = outcome_of(resources, empty="No DR plan is recorded.")
    return CheckResult(outcome=outcome, summary=summary, resources=resources)


KIND = register(
    CheckKind(
        key="drill_recency",
        label="DR drill recency",
        clean=clean,
        run=run,
        description="Every DR plan's failover drill is within its cadence.",
    )
)
