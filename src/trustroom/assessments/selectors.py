"""Reads for pages, the API and notifications (inside `org_scope`); clock-derived values take `now=`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from trustroom.assessments.finding_filters import with_effective_status, with_sla_state
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


# ---------------------------------------------------------------- the findings register (pages)


@dataclass(frozen=True)
class FindingFilters:
    """What the findings page filters on; empty values do not narrow. `sla` is computed on read."""

    application_id: int | None = None
    severity: str = ""
    status: str = ""
    sla: str = ""
    assignee_id: int | None = None
    text: str = ""

    @property
    def active(self) -> bool:
        return any((self.application_id, self.severity, self.status, self.sla, self.assignee_id, self.text))


def filtered_findings(filters: FindingFilters, *, now: datetime | None = None) -> QuerySet[Finding]:
    """Findings narrowed by every filter, all in SQL so pages and counts stay right: the status is the
    effective one (an expired risk acceptance is reopened) and the SLA state is the one `sla_state` gives
    at `now` (the SQL forms in `finding_filters`, shared with the API)."""
    now = now or timezone.now()
    queryset = Finding.objects.select_related("application", "assignee").order_by("-detected_at", "-pk")
    if filters.application_id:
        queryset = queryset.filter(application_id=filters.application_id)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.status:
        queryset = with_effective_status(queryset, filters.status, now=now)
    if filters.sla:
        queryset = with_sla_state(queryset, filters.sla, now=now)
    if filters.assignee_id:
        queryset = queryset.filter(assignee_id=filters.assignee_id)
    if filters.text:
        text = filters.text
        queryset = queryset.filter(
            Q(title__icontains=text) | Q(asset__icontains=text) | Q(description__icontains=text)
        )
    return queryset
