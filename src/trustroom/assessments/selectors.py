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
    """Findings narrowed by every stored field; the status is the effective one (an expired risk
    acceptance is reopened); the SLA state is left to `finding_register`."""
    now = now or timezone.now()
    queryset = Finding.objects.select_related("application", "assignee").order_by("-detected_at", "-pk")
    if filters.application_id:
        queryset = queryset.filter(application_id=filters.application_id)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.status == FindingStatus.REOPENED:
        queryset = queryset.filter(
            Q(status=FindingStatus.REOPENED) | Q(status=FindingStatus.RISK_ACCEPTED, risk_expires_at__lte=now)
        )
    elif filters.status == FindingStatus.RISK_ACCEPTED:
        queryset = queryset.filter(status=filters.status).exclude(risk_expires_at__lte=now)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.assignee_id:
        queryset = queryset.filter(assignee_id=filters.assignee_id)
    if filters.text:
        text = filters.text
        queryset = queryset.filter(
            Q(title__icontains=text) | Q(asset__icontains=text) | Q(description__icontains=text)
        )
    return queryset


def finding_register(
    filters: FindingFilters, *, now: datetime | None = None
) -> QuerySet[Finding] | list[FindingState]:
    """The findings to list: a queryset (state computed per page by the caller) or, when filtering on the
    SLA state, the matching states (the state depends on the clock, so it is computed here)."""
    now = now or timezone.now()
    queryset = filtered_findings(filters, now=now)
    if not filters.sla:
        return queryset
    candidates = _sla_candidates(queryset, filters.sla, now=now)
    return [s for s in finding_states(candidates, now=now) if s.sla == filters.sla]


def _sla_candidates(queryset: QuerySet[Finding], sla: str, *, now: datetime) -> QuerySet[Finding]:
    """Narrow in the database to the findings that can be in `sla` now; `sla_state` has the last word."""
    running = Q(status__in=[FindingStatus.OPEN, FindingStatus.REOPENED]) | Q(
        status=FindingStatus.RISK_ACCEPTED, risk_expires_at__lte=now
    )
    stopped = Q(status__in=[FindingStatus.FIXED_AWAITING_RETEST, FindingStatus.CLOSED])
    if sla in ("within", "approaching"):
        return queryset.filter(running, due_at__gte=now)
    if sla == "breached":
        return queryset.filter((running & Q(due_at__lt=now)) | stopped).exclude(due_at=None)
    if sla == "met":
        return queryset.filter(stopped).exclude(due_at=None)
    return queryset.filter(
        Q(due_at=None)
        | Q(status=FindingStatus.FALSE_POSITIVE)
        | (Q(status=FindingStatus.RISK_ACCEPTED) & ~Q(risk_expires_at__lte=now))
    )
