"""Reads for pages, the API and notifications (inside `org_scope`); clock-derived values take `now=`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from trustroom.assessments.models import Application, Finding, FindingStatus
from trustroom.assessments.state import VaptSchedule, effective_status, safe_to_host, sla_state, vapt_schedule


@dataclass(frozen=True)
class FindingState:
    finding: Finding
    status: str  # effective status (an expired risk acceptance reads as reopened)
    sla: str  # SlaState value


def finding_states(
    findings: QuerySet[Finding] | list[Finding], *, now: datetime | None = None
) -> list[FindingState]:
    now = now or timezone.now()
    return [FindingState(f, effective_status(f, now=now), sla_state(f, now=now)) for f in findings]


def unresolved_findings(*, now: datetime | None = None) -> QuerySet[Finding]:
    """Open, reopened and awaiting-retest findings, plus risk acceptances that have expired by `now`."""
    now = now or timezone.now()
    return Finding.objects.filter(
        Q(status__in=[FindingStatus.OPEN, FindingStatus.REOPENED, FindingStatus.FIXED_AWAITING_RETEST])
        | Q(status=FindingStatus.RISK_ACCEPTED, risk_expires_at__lte=now)
    ).select_related("application", "assignee")


def findings_in_sla_state(state: str, *, now: datetime | None = None) -> list[FindingState]:
    """Findings whose SLA state is `state` now (for notifications and dashboards)."""
    now = now or timezone.now()
    candidates = unresolved_findings(now=now).exclude(due_at=None).order_by("due_at", "pk")
    return [s for s in finding_states(candidates, now=now) if s.sla == state]


@dataclass(frozen=True)
class ApplicationState:
    application: Application
    schedule: VaptSchedule
    safe_to_host: bool
    reasons: list[str] = field(default_factory=list)


def application_states(*, now: datetime | None = None) -> list[ApplicationState]:
    now = now or timezone.now()
    states = []
    for application in Application.objects.order_by("name"):
        safe, reasons = safe_to_host(application, now=now)
        states.append(ApplicationState(application, vapt_schedule(application, now=now), safe, reasons))
    return states
