"""Computed when read: next test due, SLA state, effective status, safe to host, CVSS parsing.

Pure functions take `now=` so callers and tests choose the clock; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from trustroom.assessments.models import (
    CADENCE_MONTHS,
    Application,
    Engagement,
    EngagementStatus,
    Finding,
    FindingStatus,
    Severity,
)

# ---------------------------------------------------------------- CVSS


@dataclass(frozen=True)
class ParsedCvss:
    vector: str
    version: str
    base_score: Decimal


def parse_cvss(vector: str, *, field: str = "cvss_vector") -> ParsedCvss | None:
    """Parse and score a CVSS v3.0/v3.1 or v4.0 vector; blank → None; invalid → ValidationError on `field`."""
    vector = (vector or "").strip()
    if not vector:
        return None
    try:
        if vector.startswith("CVSS:4.0/"):
            v4 = CVSS4(vector)
            return ParsedCvss(vector=v4.clean_vector(), version="4.0", base_score=Decimal(str(v4.base_score)))
        if vector.startswith(("CVSS:3.1/", "CVSS:3.0/")):
            v3 = CVSS3(vector)
            return ParsedCvss(
                vector=v3.clean_vector(), version=vector[5:8], base_score=Decimal(str(v3.base_score))
            )
    except CVSSError as exc:
        raise ValidationError({field: f"This is not a valid CVSS vector: {exc}"}) from exc
    raise ValidationError({field: "A CVSS vector starts with CVSS:3.1/, CVSS:3.0/ or CVSS:4.0/."})


# ---------------------------------------------------------------- test cadence


def cadence_delta(cadence: str) -> relativedelta:
    return relativedelta(months=CADENCE_MONTHS[cadence])


def last_completed_engagement(application: Application) -> Engagement | None:
    return (
        Engagement.objects.filter(application=application, status=EngagementStatus.COMPLETED)
        .order_by("-window_end")
        .first()
    )


@dataclass(frozen=True)
class VaptSchedule:
    last_tested_at: datetime | None  # end of the last completed engagement
    next_due_at: datetime  # last test + cadence; never tested → due now
    overdue: bool


def vapt_schedule(application: Application, *, now: datetime | None = None) -> VaptSchedule:
    now = now or timezone.now()
    last = last_completed_engagement(application)
    return schedule_from(application, last.window_end if last else None, now=now)


def next_scheduled_engagement_start(application: Application, *, after: datetime) -> datetime:
    """When the application is next tested after `after`: the earliest planned engagement, else the date
    its cadence requires (never tested → `after` plus one cadence period)."""
    planned = (
        Engagement.objects.filter(application=application, window_start__gt=after)
        .exclude(status=EngagementStatus.COMPLETED)
        .order_by("window_start")
        .values_list("window_start", flat=True)
        .first()
    )
    if planned is not None:
        return planned
    last = last_completed_engagement(application)
    delta = cadence_delta(application.test_cadence)
    due = (last.window_end + delta) if last is not None else after + delta
    # A cadence already overdue still gives the finding one period from detection.
    return due if due > after else after + delta


# ---------------------------------------------------------------- findings


def effective_status(finding: Finding, *, now: datetime | None = None) -> str:
    """The status as read now: a risk acceptance whose expiry has passed reads as reopened."""
    now = now or timezone.now()
    if (
        finding.status == FindingStatus.RISK_ACCEPTED
        and finding.risk_expires_at is not None
        and now >= finding.risk_expires_at
    ):
        return FindingStatus.REOPENED
    return finding.status


class SlaState:
    WITHIN = "within"
    APPROACHING = "approaching"
    BREACHED = "breached"
    MET = "met"  # fixed (or closed) before the deadline
    NONE = "none"  # no deadline (info), or accepted / false positive

    APPROACHING_FRACTION = 0.25  # the last quarter of the window


def sla_state(finding: Finding, *, now: datetime | None = None) -> str:
    """Where the finding stands against its deadline.

    - open / reopened (incl. an expired risk acceptance): breached when now > due_at; approaching when
      now ≥ target_at or within the last 25 % of the window; otherwise within.
    - fixed awaiting retest / closed: the clock stopped at fixed_at — met if fixed by due_at, else breached.
      A failed retest reopens the finding against its ORIGINAL due_at (the clock is not reset).
    - risk accepted (unexpired), false positive, or no deadline: none.
    """
    now = now or timezone.now()
    status = effective_status(finding, now=now)
    if finding.due_at is None or status in (FindingStatus.RISK_ACCEPTED, FindingStatus.FALSE_POSITIVE):
        return SlaState.NONE
    if status in (FindingStatus.FIXED_AWAITING_RETEST, FindingStatus.CLOSED):
        stopped = finding.fixed_at or finding.closed_at or now
        return SlaState.MET if stopped <= finding.due_at else SlaState.BREACHED
    if now > finding.due_at:
        return SlaState.BREACHED
    if finding.target_at is not None and now >= finding.target_at:
        return SlaState.APPROACHING
    window = finding.due_at - finding.detected_at
    if finding.due_at - now <= window * SlaState.APPROACHING_FRACTION:
        return SlaState.APPROACHING
    return SlaState.WITHIN


# ---------------------------------------------------------------- safe to host

BLOCKING_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)


def blocking_findings(application: Application, *, now: datetime | None = None) -> list[Finding]:
    """Critical and high findings still unresolved now (an expired risk acceptance counts)."""
    return blocking_findings_by_application([application], now=now).get(application.pk, [])


def safe_to_host(application: Application, *, now: datetime | None = None) -> tuple[bool, list[str]]:
    """Safe when the last completed engagement is within the cadence and no critical or high finding is
    open, reopened or awaiting retest. Returns (safe, reasons it is not)."""
    now = now or timezone.now()
    schedule = vapt_schedule(application, now=now)
    return safe_to_host_given(application, schedule, blocking_findings(application, now=now))


def safe_to_host_given(
    application: Application, schedule: VaptSchedule, blocking: list[Finding]
) -> tuple[bool, list[str]]:
    """`safe_to_host` from a schedule and blocking findings already read (lists read them in bulk)."""
    reasons: list[str] = []
    if schedule.last_tested_at is None:
        reasons.append("No completed VAPT engagement is recorded for this application.")
    elif schedule.overdue:
        reasons.append(
            f"The last VAPT ended {schedule.last_tested_at:%Y-%m-%d}; the next was due "
            f"{schedule.next_due_at:%Y-%m-%d} ({application.get_test_cadence_display().lower()})."
        )
    if blocking:
        counts: dict[str, int] = {}
        for f in blocking:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        parts = [f"{counts[s]} {s}" for s in BLOCKING_SEVERITIES if s in counts]
        reasons.append(f"Unresolved findings: {' and '.join(parts)} (open, reopened or awaiting retest).")
    return (not reasons, reasons)


# ---------------------------------------------------------------- in bulk (lists: no query per row)


def schedule_from(
    application: Application, last_tested_at: datetime | None, *, now: datetime
) -> VaptSchedule:
    """The schedule given the end of the last completed engagement (none: never tested, due now)."""
    if last_tested_at is None:
        return VaptSchedule(last_tested_at=None, next_due_at=now, overdue=True)
    next_due = last_tested_at + cadence_delta(application.test_cadence)
    return VaptSchedule(last_tested_at=last_tested_at, next_due_at=next_due, overdue=now > next_due)


def blocking_findings_by_application(
    applications: Iterable[Application], *, now: datetime | None = None
) -> dict[int, list[Finding]]:
    """`blocking_findings` of several applications in one query, by application id."""
    now = now or timezone.now()
    candidates = Finding.objects.filter(
        application__in=[a.pk for a in applications],
        severity__in=BLOCKING_SEVERITIES,
        status__in=[
            FindingStatus.OPEN,
            FindingStatus.REOPENED,
            FindingStatus.FIXED_AWAITING_RETEST,
            FindingStatus.RISK_ACCEPTED,
        ],
    ).order_by("detected_at", "pk")
    by_application: dict[int, list[Finding]] = {}
    for finding in candidates:
        if effective_status(finding, now=now) in (
            FindingStatus.OPEN,
            FindingStatus.REOPENED,
            FindingStatus.FIXED_AWAITING_RETEST,
        ):
            by_application.setdefault(finding.application_id, []).append(finding)
    return by_application
