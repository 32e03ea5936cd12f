"""Reads for pages, the API and notifications (inside `org_scope`); clock-derived values take `now=`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from trustroom.assessments.finding_filters import with_effective_status, with_sla_state
from trustroom.assessments.models import Application, EngagementStatus, Finding, FindingStatus, SlaPolicy
from trustroom.assessments.state import (
    VaptSchedule,
    blocking_findings_by_application,
    effective_status,
    safe_to_host_given,
    schedule_from,
    sla_state,
)


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


def stored_policy_in_force(at: datetime) -> SlaPolicy | None:
    """The SLA version in force at `at` (detected before the first version: the first one), or None when
    the organization has none yet. Read only: `services.policy_in_force` creates the default version."""
    return (
        SlaPolicy.objects.filter(effective_from__lte=at).order_by("-effective_from", "-version").first()
        or SlaPolicy.objects.order_by("effective_from", "version").first()
    )


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
    matching = with_sla_state(unresolved_findings(now=now), state, now=now).order_by("due_at", "pk")
    return finding_states(matching, now=now)


@dataclass(frozen=True)
class ApplicationState:
    application: Application
    schedule: VaptSchedule
    safe_to_host: bool
    reasons: list[str] = field(default_factory=list)


def applications_with_last_test() -> QuerySet[Application]:
    """Applications annotated with the end of their last completed engagement (`last_completed_end`)."""
    return Application.objects.annotate(
        last_completed_end=Max(
            "engagements__window_end", filter=Q(engagements__status=EngagementStatus.COMPLETED)
        )
    ).order_by("name")


def application_states(
    applications: Iterable[Application] | None = None, *, now: datetime | None = None
) -> list[ApplicationState]:
    """Schedule and safe to host of each application (default: all), in two queries however many there
    are. Applications passed in must come from `applications_with_last_test`."""
    now = now or timezone.now()
    apps = list(applications if applications is not None else applications_with_last_test())
    blocking = blocking_findings_by_application(apps, now=now)
    states = []
    for application in apps:
        schedule = schedule_from(application, application.last_completed_end, now=now)  # type: ignore[attr-defined]
        safe, reasons = safe_to_host_given(application, schedule, blocking.get(application.pk, []))
        states.append(ApplicationState(application, schedule, safe, reasons))
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
    # Applications in a query of their own, not an inner join: under row-level security the join makes
    # PostgreSQL underestimate the rows kept and sort them all (bench/scale.py: 202 ms -> ~35 ms).
    queryset = Finding.objects.select_related("assignee").prefetch_related("application")
    queryset = queryset.order_by("-detected_at", "-pk")
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
