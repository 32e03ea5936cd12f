"""Findings past SLA: no unresolved VAPT finding has breached its fix-by deadline.

Reads `trustroom.assessments.selectors.unresolved_findings` and `finding_states` (SLA computed when read).
An organization with no unresolved finding passes.
"""

from __future__ import annotations

from typing import Any

from trustroom.assessments import selectors as assessments
from trustroom.assessments.state import SlaState
from trustroom.controls.checks import (
    CheckKind,
    CheckResult,
    Resource,
    RunContext,
    no_parameters,
    register,
)
from trustroom.tenancy.models import Organization


def run(organization: Organization, parameters: dict[str, Any], context: RunContext) -> CheckResult:
    states = assessments.finding_states(assessments.unresolved_findings(now=context.now), now=context.now)
    resources = [
        Resource(
            type="finding",
            id=str(state.finding.pk),
            name=state.finding.title[:200],
            region="",
            passed=state.sla != SlaState.BREACHED,
            reason=f"{state.finding.severity}, {state.status.replace('_', ' ')}, SLA {state.sla}",
        )
        for state in states
    ]
    breached = sum(1 for resource in resources if not resource.passed)
    if breached:
        summary = f"{breached} of {len(resources)} unresolved findings are past their SLA."
    else:
        summary = f"None of the {len(resources)} unresolved findings is past its SLA."
    return CheckResult(outcome="fail" if breached else "pass", summary=summary, resources=resources)


KIND = register(
    CheckKind(
        key="findings_past_sla",
        label="Findings past SLA",
        clean=no_parameters("findings past SLA"),
        run=run,
        description="No unresolved VAPT finding is past its SLA deadline.",
    )
)
