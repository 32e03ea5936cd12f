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
    no_parameters,
    register,
    result_of,
)
from trustroom.resilience import selectors as resilience
from trustroom.tenancy.models import Organization


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
    return result_of(resources, empty="No DR plan is recorded.")


KIND = register(
    CheckKind(
        key="drill_recency",
        label="DR drill recency",
        clean=no_parameters("drill recency"),
        run=run,
        description="Every DR plan's failover drill is within its cadence.",
    )
)
