"""SQL forms of the clock-derived finding filters, so a filtered list pages in the database.

They mirror `state.effective_status` and `state.sla_state` for one `now` (the request's clock); a
test compares them with those functions over many findings and instants. Decision: SQL rather than
filtering a page in Python, so counts and pages stay right however many findings there are.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, QuerySet, Value

from trustroom.assessments.models import Finding, FindingStatus
from trustroom.assessments.state import SlaState


def _expired_risk(now: datetime) -> Q:
    return Q(status=FindingStatus.RISK_ACCEPTED, risk_expires_at__isnull=False, risk_expires_at__lte=now)


def _unexpired_risk(now: datetime) -> Q:
    return Q(status=FindingStatus.RISK_ACCEPTED) & (
        Q(risk_expires_at__isnull=True) | Q(risk_expires_at__gt=now)
    )


def with_effective_status(queryset: QuerySet[Finding], status: str, *, now: datetime) -> QuerySet[Finding]:
    """Findings whose status as read at `now` is `status` (an expired risk acceptance reads reopened)."""
    if status == FindingStatus.REOPENED:
        return queryset.filter(Q(status=FindingStatus.REOPENED) | _expired_risk(now))
    if status == FindingStatus.RISK_ACCEPTED:
        return queryset.filter(_unexpired_risk(now))
    return queryset.filter(status=status)


def with_sla_state(queryset: QuerySet[Finding], state: str, *, now: datetime) -> QuerySet[Finding]:
    """Findings whose `sla_state` at `now` is `state`."""
    no_clock = Q(due_at__isnull=True) | Q(status=FindingStatus.FALSE_POSITIVE) | _unexpired_risk(now)
    if state == SlaState.NONE:
        return queryset.filter(no_clock)
    queryset = queryset.exclude(no_clock)
    running = Q(status__in=[FindingStatus.OPEN, FindingStatus.REOPENED]) | _expired_risk(now)
    # Fixed or closed: the clock stopped at fixed_at, else closed_at, else (neither recorded) now.
    stopped_in_time = (
        Q(fixed_at__isnull=False, fixed_at__lte=F("due_at"))
        | Q(fixed_at__isnull=True, closed_at__isnull=False, closed_at__lte=F("due_at"))
        | Q(fixed_at__isnull=True, closed_at__isnull=True, due_at__gte=now)
    )
    stopped = Q(status__in=[FindingStatus.FIXED_AWAITING_RETEST, FindingStatus.CLOSED])
    if state == SlaState.MET:
        return queryset.filter(stopped & stopped_in_time)
    if state == SlaState.BREACHED:
        return queryset.filter((stopped & ~stopped_in_time) | (running & Q(due_at__lt=now)))
    # Approaching: past the target, or in the last quarter of the window, i.e. 4 * (due - now) <= window
    # (integer arithmetic on durations: the same on SQLite and PostgreSQL).
    queryset = queryset.filter(running & Q(due_at__gte=now)).alias(
        window=ExpressionWrapper(F("due_at") - F("detected_at"), DurationField()),
        remaining_x4=ExpressionWrapper(
            (F("due_at") - Value(now, output_field=DateTimeField())) * 4, DurationField()
        ),
    )
    approaching = Q(target_at__isnull=False, target_at__lte=now) | Q(remaining_x4__lte=F("window"))
    if state == SlaState.APPROACHING:
        return queryset.filter(approaching)
    if state == SlaState.WITHIN:
        return queryset.exclude(approaching)
    raise ValueError(f"Unknown SLA state: {state}")


SLA_STATES = (SlaState.WITHIN, SlaState.APPROACHING, SlaState.BREACHED, SlaState.MET, SlaState.NONE)
