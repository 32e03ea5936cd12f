"""Reads of incidents: the filtered list, the metrics of the overview (counts, MTTA and MTTR as median
and mean, the monthly trend), and the CSV export of incidents with their times (evidence for audits).

MTTA = acknowledged_at - detected_at and MTTR = resolved_at - detected_at, computed here from the
timestamps each time: nothing is stored that could go stale. A period holds the incidents DETECTED in
it; an incident still unresolved counts in the MTTA (if acknowledged) and not in the MTTR.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.monitoring.incident_models import Incident, IncidentSeverity, IncidentStatus
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.web.exports import Export, safe_cell

MAX_QUERY = 200
PERIODS = {"30": 30, "90": 90, "180": 180, "365": 365}
DEFAULT_PERIOD = "90"
CSV_HEADER = [
    "incident", "title", "severity", "status", "detected at", "opened at", "acknowledged at",
    "resolved at", "closed at", "minutes to acknowledge", "minutes to resolve", "commander", "opened by",
    "alerts", "open actions",
]  # fmt: skip


def filtered_incidents(params: Mapping[str, Any]) -> QuerySet[Incident]:
    """Incidents narrowed by `status`, `severity` and `q` (title, or INC-<n>); unknown values narrow to
    nothing rather than being ignored."""
    incidents = Incident.objects.select_related("commander", "opened_by").annotate(
        alert_count=Count("alert_links", distinct=True),
        open_action_count=Count("actions", filter=Q(actions__done_at__isnull=True), distinct=True),
    )
    status = str(params.get("status") or "").strip()
    if status == "active":
        incidents = incidents.filter(status__in=[IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED])
    elif status:
        incidents = incidents.filter(status=status) if status in IncidentStatus.values else incidents.none()
    severity = str(params.get("severity") or "").strip()
    if severity:
        incidents = (
            incidents.filter(severity=severity) if severity in IncidentSeverity.values else incidents.none()
        )
    text = str(params.get("q") or "").strip()[:MAX_QUERY]
    if text:
        number = text.upper().removeprefix("INC-")
        match = Q(title__icontains=text)
        if number.isdigit():
            match |= Q(number=int(number))
        incidents = incidents.filter(match)
    return incidents.order_by("-number")


def minutes(delta: dt.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 60, 1)


@dataclass(frozen=True)
class Stat:
    count: int
    median: float | None  # minutes
    mean: float | None


def stat(values: Iterable[float | None]) -> Stat:
    numbers = [v for v in values if v is not None]
    if not numbers:
        return Stat(0, None, None)
    return Stat(len(numbers), round(statistics.median(numbers), 1), round(statistics.fmean(numbers), 1))


@dataclass(frozen=True)
class MonthPoint:
    label: str  # YYYY-MM
    incidents: int
    mtta: Stat
    mttr: Stat


@dataclass(frozen=True)
class Metrics:
    period: str
    since: dt.datetime
    total: int
    by_status: list[tuple[str, int]]
    by_severity: list[tuple[str, int]]
    mtta: Stat
    mttr: Stat
    months: list[MonthPoint]


def period_key(value: object) -> str:
    return str(value) if str(value) in PERIODS else DEFAULT_PERIOD


def metrics(period: object = DEFAULT_PERIOD, *, now: dt.datetime | None = None) -> Metrics:
    key = period_key(period)
    now = now or timezone.now()
    since = now - dt.timedelta(days=PERIODS[key])
    rows = list(
        Incident.objects.filter(detected_at__gte=since).only(
            "status", "severity", "detected_at", "acknowledged_at", "resolved_at"
        )
    )
    status_counts = dict.fromkeys(IncidentStatus.values, 0)
    severity_counts = dict.fromkeys(IncidentSeverity.values, 0)
    for row in rows:
        status_counts[row.status] += 1
        severity_counts[row.severity] += 1
    first_month = since.astimezone(dt.UTC).date().replace(day=1)
    months: list[MonthPoint] = []
    month = first_month
    while month <= now.astimezone(dt.UTC).date():
        label = month.strftime("%Y-%m")
        inside = [r for r in rows if r.detected_at.astimezone(dt.UTC).strftime("%Y-%m") == label]
        months.append(
            MonthPoint(
                label=label,
                incidents=len(inside),
                mtta=stat(minutes(r.time_to_acknowledge) for r in inside),
                mttr=stat(minutes(r.time_to_resolve) for r in inside),
            )
        )
        month += relativedelta(months=1)
    return Metrics(
        period=key,
        since=since,
        total=len(rows),
        by_status=[(IncidentStatus(s).label, n) for s, n in status_counts.items()],
        by_severity=[(IncidentSeverity(s).label, n) for s, n in severity_counts.items()],
        mtta=stat(minutes(r.time_to_acknowledge) for r in rows),
        mttr=stat(minutes(r.time_to_resolve) for r in rows),
        months=months,
    )


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else ""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def csv_rows(incidents: Iterable[Incident]) -> list[list[str]]:
    return [
        [
            incident.reference,
            incident.title,
            incident.severity,
            incident.status,
            _when(incident.detected_at),
            _when(incident.opened_at),
            _when(incident.acknowledged_at),
            _when(incident.resolved_at),
            _when(incident.closed_at),
            _number(minutes(incident.time_to_acknowledge)),
            _number(minutes(incident.time_to_resolve)),
            getattr(incident.commander, "email", ""),
            getattr(incident.opened_by, "email", ""),
            str(getattr(incident, "alert_count", "")),
            str(getattr(incident, "open_action_count", "")),
        ]
        for incident in incidents
    ]


@transaction.atomic
def export_incidents(*, actor: Principal, params: Mapping[str, Any]) -> Export:
    """The incidents (with the list's filters) as CSV; cells a spreadsheet would run are made text."""
    policies.check(actor, "view", Incident)
    incidents = filtered_incidents(params)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    rows = csv_rows(incidents)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    record_event(actor=actor, action="incident.exported", changes={"format": "csv", "rows": len(rows)})
    day = timezone.now().astimezone(dt.UTC).strftime("%Y%m%d")
    return Export(buffer.getvalue().encode("utf-8"), f"incidents-{day}.csv", "text/csv; charset=utf-8")
