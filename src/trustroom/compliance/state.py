"""State of a certification, computed from its dates when read. Nothing here is stored.

Rules (in this order; `today` is the UTC date of `now`):
1. superseded      — a newer certification of the series replaced it;
2. expired         — today is after `valid_until` (the last valid day); renewal in progress does not
                     save an expired certificate: it is never shown as valid;
3. not yet valid   — today is before `valid_from`;
4. renewal in progress — renewal started, still within validity;
5. expiring soon   — at most EXPIRING_SOON_DAYS days left (the expiry day itself included);
6. valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from dateutil.rrule import MONTHLY, rrule
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone

EXPIRING_SOON_DAYS = 90


class CertificationState(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRING_SOON = "expiring_soon", "Expiring soon"
    EXPIRED = "expired", "Expired"
    RENEWAL_IN_PROGRESS = "renewal_in_progress", "Renewal in progress"
    SUPERSEDED = "superseded", "Superseded"
    NOT_YET_VALID = "not_yet_valid", "Not yet valid"


# States in which the certification may be presented as currently valid.
CURRENTLY_VALID = frozenset(
    {CertificationState.VALID, CertificationState.EXPIRING_SOON, CertificationState.RENEWAL_IN_PROGRESS}
)


class _Dated(Protocol):
    valid_from: dt.date
    valid_until: dt.date
    renewal_started_at: dt.datetime | None
    superseded_by_id: int | None


def utc_today(now: dt.datetime | None = None) -> dt.date:
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("`now` must be an aware datetime")
    return now.astimezone(dt.UTC).date()


def certification_state(cert: _Dated, now: dt.datetime | None = None) -> CertificationState:
    """The certification's state at `now` (default: the current time)."""
    today = utc_today(now)
    if cert.superseded_by_id is not None:
        return CertificationState.SUPERSEDED
    if today > cert.valid_until:
        return CertificationState.EXPIRED
    if today < cert.valid_from:
        return CertificationState.NOT_YET_VALID
    if cert.renewal_started_at is not None:
        return CertificationState.RENEWAL_IN_PROGRESS
    if (cert.valid_until - today).days <= EXPIRING_SOON_DAYS:
        return CertificationState.EXPIRING_SOON
    return CertificationState.VALID


def state_expression(now: dt.datetime | None = None) -> Case:
    """The same rules as a database expression, for filtering and ordering by state."""
    today = utc_today(now)
    soon = today + dt.timedelta(days=EXPIRING_SOON_DAYS)
    return Case(
        When(superseded_by__isnull=False, then=Value(CertificationState.SUPERSEDED.value)),
        When(valid_until__lt=today, then=Value(CertificationState.EXPIRED.value)),
        When(valid_from__gt=today, then=Value(CertificationState.NOT_YET_VALID.value)),
        When(renewal_started_at__isnull=False, then=Value(CertificationState.RENEWAL_IN_PROGRESS.value)),
        When(Q(valid_until__lte=soon), then=Value(CertificationState.EXPIRING_SOON.value)),
        default=Value(CertificationState.VALID.value),
        output_field=models.CharField(),
    )


# --- Surveillance audits ---------------------------------------------------------------------------


def surveillance_dates(
    *, valid_from: dt.date, valid_until: dt.date, interval_months: int | None
) -> list[dt.date]:
    """Surveillance audits between certification and expiry: every `interval_months` from `valid_from`.

    An RFC 5545 rule (`FREQ=MONTHLY;INTERVAL=M;BYMONTHDAY=d,-1;BYSETPOS=1`): the same day of the month
    as the certificate's start, or the month's last day when it is shorter (a 31 January start gives
    28/29 February). The start (the certification audit) and the expiry (the recertification) are not
    surveillance audits.
    """
    if not interval_months or interval_months <= 0:
        return []
    start = dt.datetime.combine(valid_from, dt.time.min)
    until = dt.datetime.combine(valid_until, dt.time.min)
    rule = rrule(
        MONTHLY,
        interval=interval_months,
        dtstart=start,
        bymonthday=(valid_from.day, -1),
        bysetpos=1,
        until=until,
    )
    return [moment.date() for moment in rule if valid_from < moment.date() < valid_until]


def next_surveillance_date(cert: Any, now: dt.datetime | None = None) -> dt.date | None:
    today = utc_today(now)
    for date in surveillance_dates(
        valid_from=cert.valid_from,
        valid_until=cert.valid_until,
        interval_months=cert.surveillance_interval_months,
    ):
        if date >= today:
            return date
    return None


# --- Gaps between consecutive audit periods ----------------------------------------------------------


@dataclass(frozen=True)
class AuditPeriodGap:
    series: str
    before_id: int  # the earlier certification
    after_id: int  # the next one of the series
    gap_start: dt.date  # first uncovered day
    gap_end: dt.date  # last uncovered day

    @property
    def days(self) -> int:
        return (self.gap_end - self.gap_start).days + 1


def audit_period_gaps(certs: list[Any]) -> list[AuditPeriodGap]:
    """Uncovered days between consecutive audit periods of each series (periods that touch or overlap
    are consecutive). Certifications without an audit period are ignored."""
    by_series: dict[str, list[Any]] = {}
    for cert in certs:
        if cert.audit_period_start is not None and cert.audit_period_end is not None:
            by_series.setdefault(cert.series, []).append(cert)
    gaps: list[AuditPeriodGap] = []
    for series, items in sorted(by_series.items()):
        items.sort(key=lambda c: (c.audit_period_start, c.audit_period_end, c.pk))
        covered_until = items[0].audit_period_end
        previous = items[0]
        for cert in items[1:]:
            if cert.audit_period_start > covered_until + dt.timedelta(days=1):
                gaps.append(
                    AuditPeriodGap(
                        series=series,
                        before_id=previous.pk,
                        after_id=cert.pk,
                        gap_start=covered_until + dt.timedelta(days=1),
                        gap_end=cert.audit_period_start - dt.timedelta(days=1),
                    )
                )
            if cert.audit_period_end >= covered_until:
                covered_until = cert.audit_period_end
                previous = cert
    return gaps
