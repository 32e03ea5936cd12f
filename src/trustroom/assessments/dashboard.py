"""Findings dashboards: every metric is one or two SQL aggregates (SQLite and PostgreSQL), never a
Python loop over findings. All read inside `org_scope`, take `now=` and an optional application.

Definitions (the page and the API say the same):
- unresolved: open, reopened, fixed awaiting retest, and risk acceptances whose expiry has passed
  (as `selectors.unresolved_findings`);
- SLA state now: `state.sla_state` written as Case/When on timestamps;
- SLA adherence per quarter: the findings whose deadline (due_at) fell in the quarter and has passed
  by `now`, judged as `sla_state` judges them now: met when fixed (or closed) by due_at, breached
  otherwise. Risk acceptances still in force and false positives have no SLA and are left out. The
  cohort is by deadline, not by resolution, so a quarter's figure does not move when old work is
  closed late, and a finding still open past its deadline counts as breached;
- time to remediate: detected_at → fixed_at (or closed_at when it was closed without a fix step), for
  findings fixed awaiting retest or closed whose remediation falls in the period;
- burn-down: unresolved at the end of each week, derived backwards from the unresolved count now and
  the week's opened (detected_at) and resolved (closed_at for closed and false positives; the last
  update for a risk acceptance still in force, as acceptance time is not recorded). An expired risk
  acceptance reads as unresolved throughout.
Over 1,000,000 findings on PostgreSQL each query is an index-only scan of one covering index
(migration 0003; see bench/findings_dashboard.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from trustroom.assessments.models import Application, Finding, FindingStatus, Severity
from trustroom.assessments.state import SlaState

SEVERITIES: tuple[str, ...] = tuple(Severity.values)
SEVERITY_LABELS: dict[str, str] = dict(Severity.choices)

# (label, upper bound of the age in days, inclusive; None = no bound)
AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-7 days", 7),
    ("8-30 days", 30),
    ("31-90 days", 90),
    ("Over 90 days", None),
)

DEFAULT_QUARTERS = 4
DEFAULT_WEEKS = 12
DEFAULT_MTTR_DAYS = 90

# When a finding was remediated: fixed, or closed without a fix step (e.g. gone from a new full scan).
REMEDIATED_AT = Coalesce("fixed_at", "closed_at")

_WORKING = [FindingStatus.OPEN, FindingStatus.REOPENED, FindingStatus.FIXED_AWAITING_RETEST]
_STOPPED = [FindingStatus.FIXED_AWAITING_RETEST, FindingStatus.CLOSED]


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class SeverityAgeRow:
    severity: str
    label: str
    counts: list[int]  # one per AGE_BUCKETS entry
    total: int


@dataclass(frozen=True)
class OpenByAge:
    buckets: list[str]
    rows: list[SeverityAgeRow]
    total: int

    def by_severity(self) -> dict[str, int]:
        return {row.severity: row.total for row in self.rows}


@dataclass(frozen=True)
class SlaNow:
    """Unresolved findings by `sla_state` now; `met` = fixed in time, awaiting retest."""

    within: int
    approaching: int
    breached: int
    met: int
    no_deadline: int

    @property
    def total(self) -> int:
        return self.within + self.approaching + self.breached + self.met + self.no_deadline


@dataclass(frozen=True)
class QuarterAdherence:
    label: str
    start: datetime
    end: datetime  # exclusive; the current quarter stops at now
    met: int
    breached: int

    @property
    def total(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.total, 1) if self.total else None


@dataclass(frozen=True)
class SeverityMttr:
    severity: str
    label: str
    remediated: int
    mean: timedelta | None
    median: timedelta | None


@dataclass(frozen=True)
class Mttr:
    start: datetime
    end: datetime
    rows: list[SeverityMttr]

    @property
    def remediated(self) -> int:
        return sum(row.remediated for row in self.rows)

    @property
    def overall_mean(self) -> timedelta | None:
        """The mean over every severity (each severity's mean weighted by its count)."""
        weighted = [row.mean * row.remediated for row in self.rows if row.mean is not None]
        return _whole(sum(weighted, timedelta()) / self.remediated) if self.remediated else None


@dataclass(frozen=True)
class BurnDownWeek:
    start: datetime
    end: datetime  # the point plotted: the week's end, or now for the current week
    unresolved: int
    opened: int
    resolved: int


@dataclass(frozen=True)
class BurnDown:
    start_unresolved: int  # at the start of the first week
    weeks: list[BurnDownWeek]


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    application: Application | None
    open_by_age: OpenByAge
    sla_now: SlaNow
    adherence: list[QuarterAdherence]
    mttr: Mttr
    burndown: BurnDown
    has_findings: bool = field(default=False)


# ---------------------------------------------------------------- building blocks


def _findings(application: Application | None) -> QuerySet[Finding]:
    qs = Finding.objects.order_by()  # no default ordering: it would join the GROUP BY
    return qs.filter(application=application) if application is not None else qs


def unresolved_q(now: datetime) -> Q:
    """The filter of `selectors.unresolved_findings`, as a Q for aggregates.

    Written as one status list narrowed by the expiry, rather than as an OR, so that PostgreSQL can
    answer it from one index range (assessments_finding_unresolved) without reading the table."""
    return Q(status__in=[*_WORKING, FindingStatus.RISK_ACCEPTED]) & (
        ~Q(status=FindingStatus.RISK_ACCEPTED) | Q(risk_expires_at__lte=now)
    )


def _duration(expression: Any) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DurationField())


def sla_state_expression(now: datetime) -> Case:
    """`state.sla_state` as SQL, for findings read at `now`."""
    now_value = Value(now)
    expired_acceptance = Q(status=FindingStatus.RISK_ACCEPTED, risk_expires_at__lte=now)
    to_due = _duration(F("due_at") - now_value)
    window = _duration(F("due_at") - F("detected_at"))
    return Case(
        When(due_at__isnull=True, then=Value(SlaState.NONE)),
        When(
            Q(status__in=[FindingStatus.RISK_ACCEPTED, FindingStatus.FALSE_POSITIVE]) & ~expired_acceptance,
            then=Value(SlaState.NONE),
        ),
        When(
            Q(status__in=_STOPPED) & Q(due_at__gte=Coalesce("fixed_at", "closed_at", now_value)),
            then=Value(SlaState.MET),
        ),
        When(status__in=_STOPPED, then=Value(SlaState.BREACHED)),
        When(due_at__lt=now, then=Value(SlaState.BREACHED)),
        When(target_at__lte=now, then=Value(SlaState.APPROACHING)),
        # the last quarter of the window: due - now <= window / 4, written 4 * (due - now) <= window
        # (sums of intervals only, which both databases add exactly)
        When(
            LessThanOrEqual(_duration(to_due + to_due + to_due + to_due), window),
            then=Value(SlaState.APPROACHING),
        ),
        default=Value(SlaState.WITHIN),
        output_field=CharField(),
    )


FUTURE = -1  # the age "bucket" of a finding detected after `now`: shown as new, left out of the burn-down


def _age_bucket_expression(now: datetime) -> Case:
    whens = [When(detected_at__gt=now, then=Value(FUTURE))]
    whens += [
        When(detected_at__gte=now - timedelta(days=days), then=Value(index))
        for index, (_label, days) in enumerate(AGE_BUCKETS)
        if days is not None
    ]
    return Case(*whens, default=Value(len(AGE_BUCKETS) - 1), output_field=IntegerField())


@dataclass(frozen=True)
class UnresolvedGroup:
    severity: str
    bucket: int  # index in AGE_BUCKETS, or FUTURE
    sla: str
    count: int


def unresolved_groups(*, now: datetime, application: Application | None = None) -> list[UnresolvedGroup]:
    """Unresolved findings counted by severity x age bucket x SLA state: one pass over them serves
    the age chart, the SLA counts and the burn-down's current level (at most 5 x 5 x 5 groups)."""
    grouped = (
        _findings(application)
        .filter(unresolved_q(now))
        .annotate(bucket=_age_bucket_expression(now), sla=sla_state_expression(now))
        .values("severity", "bucket", "sla")
        .annotate(n=Count("*"))
    )
    return [UnresolvedGroup(row["severity"], row["bucket"], row["sla"], row["n"]) for row in grouped]


def _bucket_by(column: str, edges: list[datetime], *, upper_inclusive: bool = False) -> Case:
    """Index i of the range between edges[i] and edges[i + 1] holding `column`: [lo, hi) by default,
    (lo, hi] with `upper_inclusive`. The caller filters out rows outside edges[0]..edges[-1]."""
    lookup = "lte" if upper_inclusive else "lt"
    whens = [When(**{f"{column}__{lookup}": edge}, then=Value(i - 1)) for i, edge in enumerate(edges) if i]
    return Case(*whens, default=Value(len(edges) - 2), output_field=IntegerField())


# ---------------------------------------------------------------- metrics


def open_by_age(
    *, now: datetime, application: Application | None = None, groups: list[UnresolvedGroup] | None = None
) -> OpenByAge:
    if groups is None:
        groups = unresolved_groups(now=now, application=application)
    counts: dict[tuple[str, int], int] = {}
    for group in groups:
        key = (group.severity, max(group.bucket, 0))  # detected after now: the newest bucket
        counts[key] = counts.get(key, 0) + group.count
    rows = []
    for severity in SEVERITIES:
        per_bucket = [counts.get((severity, i), 0) for i in range(len(AGE_BUCKETS))]
        rows.append(SeverityAgeRow(severity, SEVERITY_LABELS[severity], per_bucket, sum(per_bucket)))
    return OpenByAge([label for label, _ in AGE_BUCKETS], rows, sum(row.total for row in rows))


def sla_now(
    *, now: datetime, application: Application | None = None, groups: list[UnresolvedGroup] | None = None
) -> SlaNow:
    if groups is None:
        groups = unresolved_groups(now=now, application=application)
    counts: dict[str, int] = {}
    for group in groups:
        counts[group.sla] = counts.get(group.sla, 0) + group.count
    return SlaNow(
        within=counts.get(SlaState.WITHIN, 0),
        approaching=counts.get(SlaState.APPROACHING, 0),
        breached=counts.get(SlaState.BREACHED, 0),
        met=counts.get(SlaState.MET, 0),
        no_deadline=counts.get(SlaState.NONE, 0),
    )


def quarter_start(moment: datetime) -> datetime:
    return moment.replace(
        month=3 * ((moment.month - 1) // 3) + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def _previous_quarter(start: datetime) -> datetime:
    return (
        start.replace(year=start.year - 1, month=10)
        if start.month == 1
        else start.replace(month=start.month - 3)
    )


def sla_adherence(
    *, now: datetime, application: Application | None = None, quarters: int = DEFAULT_QUARTERS
) -> list[QuarterAdherence]:
    starts = [quarter_start(now)]
    while len(starts) < quarters:
        starts.insert(0, _previous_quarter(starts[0]))
    edges = [*starts, now]
    met = Q(status__in=_STOPPED) & Q(due_at__gte=Coalesce("fixed_at", "closed_at", Value(now)))
    grouped = (
        _findings(application)
        .filter(due_at__gte=starts[0], due_at__lte=now)
        .exclude(status=FindingStatus.FALSE_POSITIVE)
        .exclude(status=FindingStatus.RISK_ACCEPTED, risk_expires_at__gt=now)
        .annotate(quarter=_bucket_by("due_at", edges))
        .values("quarter")
        .annotate(met=Count("due_at", filter=met), total=Count("*"))
    )
    by_quarter = {row["quarter"]: (row["met"], row["total"]) for row in grouped}
    result = []
    for i, start in enumerate(starts):
        n_met, total = by_quarter.get(i, (0, 0))
        label = f"{start.year} Q{(start.month - 1) // 3 + 1}"
        result.append(QuarterAdherence(label, start, edges[i + 1], n_met, total - n_met))
    return result


class _Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5), which also takes intervals."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def mean_time_to_remediate(
    *,
    now: datetime,
    application: Application | None = None,
    start: datetime | None = None,
) -> Mttr:
    """Over the remediations in [start, now] (default: the last 90 days).

    Two branches, each answered from its own index: fixed (by fixed_at), and closed without a fix
    step (by closed_at). The mean combines their sums; the median is read from a branch when the
    other has none of that severity, else from one query over both."""
    start = start or now - timedelta(days=DEFAULT_MTTR_DAYS)
    stopped = _findings(application).filter(status__in=_STOPPED)
    fixed = stopped.filter(fixed_at__gte=start, fixed_at__lte=now).annotate(
        ttr=_duration(F("fixed_at") - F("detected_at"))
    )
    closed = stopped.filter(fixed_at__isnull=True, closed_at__gte=start, closed_at__lte=now).annotate(
        ttr=_duration(F("closed_at") - F("detected_at"))
    )
    postgres = connection.vendor == "postgresql"
    aggregates: dict[str, Any] = {"n": Count("*"), "total": Sum("ttr", output_field=DurationField())}
    if postgres:
        aggregates["median"] = _Median("ttr")
    branches = [
        {row["severity"]: row for row in branch.values("severity").annotate(**aggregates)}
        for branch in (fixed, closed)
    ]
    rows = []
    for severity in SEVERITIES:
        parts = [branch[severity] for branch in branches if severity in branch]
        n = sum(part["n"] for part in parts)
        if not n:
            rows.append(SeverityMttr(severity, SEVERITY_LABELS[severity], 0, None, None))
            continue
        total = sum((_as_duration(part["total"]) for part in parts), timedelta())
        if postgres and len(parts) == 1:
            median = parts[0]["median"]
        else:
            both = (
                stopped.alias(remediated_at=REMEDIATED_AT)
                .filter(remediated_at__gte=start, remediated_at__lte=now, severity=severity)
                .annotate(ttr=_duration(F("remediated_at") - F("detected_at")))
            )
            median = both.aggregate(m=_Median("ttr"))["m"] if postgres else _median_by_offset(both, n)
        rows.append(SeverityMttr(severity, SEVERITY_LABELS[severity], n, _whole(total / n), _whole(median)))
    return Mttr(start, now, rows)


def _as_duration(value: timedelta | float | None) -> timedelta:
    """SQLite sums durations as microseconds."""
    if value is None:
        return timedelta()
    return value if isinstance(value, timedelta) else timedelta(microseconds=float(value))


def _median_by_offset(qs: QuerySet[Any], n: int) -> timedelta | None:
    """Elsewhere (SQLite): the middle one or two values, read in order by the database."""
    if not n:
        return None
    ordered = qs.order_by("ttr").values_list("ttr", flat=True)
    middle = list(ordered[(n - 1) // 2 : n // 2 + 1])
    return sum(middle, timedelta()) / len(middle)


def _whole(value: timedelta | float | None) -> timedelta | None:
    """To whole seconds (SQLite averages microseconds as a float)."""
    if value is None:
        return None
    if not isinstance(value, timedelta):
        value = timedelta(microseconds=float(value))
    return timedelta(seconds=round(value.total_seconds()))


def week_start(moment: datetime) -> datetime:
    day = moment - timedelta(days=moment.weekday())
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def _weekly_counts(qs: QuerySet[Finding], column: str, edges: list[datetime]) -> dict[int, int]:
    rows = (
        qs.filter(**{f"{column}__gt": edges[0], f"{column}__lte": edges[-1]})
        .annotate(week=_bucket_by(column, edges, upper_inclusive=True))
        .values("week")
        .annotate(n=Count("*"))
    )
    return {row["week"]: row["n"] for row in rows}


def burn_down(
    *,
    now: datetime,
    application: Application | None = None,
    weeks: int = DEFAULT_WEEKS,
    groups: list[UnresolvedGroup] | None = None,
) -> BurnDown:
    """Unresolved at each week's end = unresolved now - opened since + resolved since."""
    first = week_start(now) - timedelta(weeks=weeks - 1)
    edges = [first + timedelta(weeks=i) for i in range(weeks)] + [now]
    findings = _findings(application)
    if groups is None:
        groups = unresolved_groups(now=now, application=application)
    unresolved_now = sum(group.count for group in groups if group.bucket != FUTURE)
    opened = _weekly_counts(findings, "detected_at", edges)
    # Resolved: closed and false positives by closed_at; accepted risks still in force by their last
    # update (two queries, so that each reads one index).
    resolved = _weekly_counts(
        findings.filter(status__in=[FindingStatus.CLOSED, FindingStatus.FALSE_POSITIVE]), "closed_at", edges
    )
    accepted = _weekly_counts(
        findings.filter(status=FindingStatus.RISK_ACCEPTED, risk_expires_at__gt=now), "updated_at", edges
    )
    result: list[BurnDownWeek] = []
    level = unresolved_now
    for i in reversed(range(weeks)):
        gone = resolved.get(i, 0) + accepted.get(i, 0)
        result.insert(0, BurnDownWeek(edges[i], edges[i + 1], level, opened.get(i, 0), gone))
        level = level - opened.get(i, 0) + gone
    return BurnDown(start_unresolved=level, weeks=result)


def dashboard(*, now: datetime | None = None, application: Application | None = None) -> Dashboard:
    """Everything the dashboard page and the API show."""
    now = now or timezone.now()
    _without_jit()
    groups = unresolved_groups(now=now, application=application)
    by_age = open_by_age(now=now, groups=groups)
    return Dashboard(
        now=now,
        application=application,
        open_by_age=by_age,
        sla_now=sla_now(now=now, groups=groups),
        adherence=sla_adherence(now=now, application=application),
        mttr=mean_time_to_remediate(now=now, application=application),
        burndown=burn_down(now=now, application=application, groups=groups),
        has_findings=by_age.total > 0 or _findings(application).exists(),
    )


def _without_jit() -> None:
    """PostgreSQL's JIT compiles these short aggregates for longer than they run: off for this
    transaction (the scope's transaction; outside one there is nothing to set)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
