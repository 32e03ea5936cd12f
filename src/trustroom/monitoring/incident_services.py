"""Writes of incidents: opening (by hand or from alerts), linking alerts, and the state changes
open → acknowledged → resolved → closed, with reopen. Follow-up work (commander, review, notes,
actions) is in `incident_followup`.

Every function is keyword-only with `actor` first, atomic, policy-checked and audit-logged, and writes
its own timeline entry. Alerts change only through the alert services (`acknowledge_alert`,
`resolve_alert`), so whatever those do (notifications) follows.

Times: `detected_at` ≤ `acknowledged_at` ≤ `resolved_at` ≤ now (a client clock a little ahead is
allowed, `CLOCK_SKEW`). Resolving an incident nobody acknowledged sets `acknowledged_at` to the
resolution time. Closing needs every follow-up action done, or `carry_over_actions=True` to say on the
record that the open ones are tracked elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.monitoring import services as alert_services
from trustroom.monitoring.incident_models import (
    SEVERITY_FROM_ALERT,
    EventKind,
    Incident,
    IncidentAction,
    IncidentAlert,
    IncidentEvent,
    IncidentSeverity,
    IncidentStatus,
)
from trustroom.monitoring.models import Alert, AlertStatus
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org

MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_REASON = 500
MAX_ALERTS = 100  # per request
NUMBER_ATTEMPTS = 5
CLOCK_SKEW = dt.timedelta(minutes=2)
MAX_BACKDATE = dt.timedelta(days=366)  # how far back a hand-opened incident may say it was detected
ALERT_ORDER = ["critical", "high", "medium", "low", "info"]


def user_of(actor: Principal) -> Any:
    return actor.user if actor.is_member else None


def log(
    *, actor: Principal, incident: Incident, kind: str, text: str, at: dt.datetime | None = None
) -> IncidentEvent:
    """One timeline entry (every service calls this for what it changed)."""
    now = timezone.now()
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        text=text,
        happened_at=at or now,
        recorded_at=now,
        author=user_of(actor),
    )


def audit(*, actor: Principal, action: str, incident: Incident, **changes: object) -> None:
    record_event(
        actor=actor,
        action=f"incident.{action}",
        target=incident,
        changes={"incident": incident.reference, **changes},
    )


def clean_text(value: str | None, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep it to {limit} characters or fewer."})
    return value


def clean_severity(severity: str) -> str:
    if severity not in IncidentSeverity.values:
        raise ValidationError({"severity": f"Severity must be one of: {', '.join(IncidentSeverity.values)}."})
    return severity


def clean_time(value: dt.datetime | None, field: str, *, now: dt.datetime) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        raise ValidationError({field: "Give a time with its time zone (UTC)."})
    if value > now + CLOCK_SKEW:
        raise ValidationError({field: "This time is in the future."})
    return value


def lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _create_numbered(**fields: object) -> Incident:
    """The next INC number of the organization. Two concurrent openings can read the same maximum: the
    unique constraint refuses the second insert, which re-reads and tries the next number."""
    for _attempt in range(NUMBER_ATTEMPTS):
        number = (Incident.objects.aggregate(top=Max("number"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                return Incident.objects.create(number=number, **fields)
        except IntegrityError:
            continue
    raise ValidationError("Could not number the incident (too many at once); try again.")


def _alerts(alert_ids: Sequence[int]) -> list[Alert]:
    ids = list(dict.fromkeys(int(i) for i in alert_ids))
    if not ids:
        raise ValidationError({"alert_ids": "Choose at least one alert."})
    if len(ids) > MAX_ALERTS:
        raise ValidationError({"alert_ids": f"Link at most {MAX_ALERTS} alerts at once."})
    alerts = list(Alert.objects.select_for_update().filter(pk__in=ids))
    if len(alerts) != len(ids):
        raise ValidationError({"alert_ids": "One or more alerts do not exist."})
    taken = IncidentAlert.objects.filter(alert__in=alerts).select_related("incident")
    if taken:
        names = ", ".join(f"alert {link.alert_id} is in {link.incident.reference}" for link in taken)
        raise ValidationError({"alert_ids": f"An alert belongs to at most one incident: {names}."})
    return alerts


def _link(*, actor: Principal, incident: Incident, alerts: list[Alert], now: dt.datetime) -> None:
    for alert in alerts:
        policies.check(actor, "change", alert)
        try:
            with transaction.atomic():
                IncidentAlert.objects.create(
                    incident=incident, alert=alert, linked_at=now, linked_by=user_of(actor)
                )
        except IntegrityError:  # linked elsewhere by a concurrent request since we looked
            raise ValidationError(
                {"alert_ids": f"Alert {alert.pk} was just linked to another incident."}
            ) from None
        if alert.status == AlertStatus.NEW:  # someone is on it now
            alert_services.acknowledge_alert(actor=actor, alert=alert, note=f"Part of {incident.reference}.")
        log(actor=actor, incident=incident, kind=EventKind.ALERT_LINKED, text=f"Alert linked: {alert.title}")


@transaction.atomic
def open_incident(
    *,
    actor: Principal,
    title: str,
    severity: str,
    summary: str = "",
    detected_at: dt.datetime | None = None,
    commander: Any = None,
) -> Incident:
    """An incident opened by hand; `detected_at` (default now) may be earlier than the opening."""
    policies.check(actor, "add", Incident)
    now = timezone.now()
    detected = clean_time(detected_at, "detected_at", now=now) or now
    if detected < now - MAX_BACKDATE:
        raise ValidationError(
            {"detected_at": "Detected more than a year ago: record it as a past incident elsewhere."}
        )
    incident = _create_numbered(
        organization=require_org(),
        title=clean_text(title, "title", MAX_TITLE, required=True),
        summary=clean_text(summary, "summary", MAX_TEXT),
        severity=clean_severity(severity),
        detected_at=min(detected, now),
        opened_at=now,
        opened_by=user_of(actor),
        commander=member_user(commander),
    )
    log(actor=actor, incident=incident, kind=EventKind.OPENED, text=f"Opened by {actor.label}.", at=now)
    audit(actor=actor, action="opened", incident=incident, severity=incident.severity, title=incident.title)
    return incident


@transaction.atomic
def open_incident_from_alerts(
    *,
    actor: Principal,
    alert_ids: Sequence[int],
    title: str = "",
    severity: str = "",
    summary: str = "",
    commander: Any = None,
) -> Incident:
    """An incident for one or several alerts: detected when the earliest of them was first received;
    title and severity default from the most severe one. New alerts are acknowledged."""
    policies.check(actor, "add", Incident)
    alerts = _alerts(alert_ids)
    worst = min(alerts, key=lambda a: (ALERT_ORDER.index(a.severity), a.received_at))
    now = timezone.now()
    incident = _create_numbered(
        organization=require_org(),
        title=clean_text(title, "title", MAX_TITLE) or worst.title[:MAX_TITLE],
        summary=clean_text(summary, "summary", MAX_TEXT),
        severity=clean_severity(severity) if severity else SEVERITY_FROM_ALERT[worst.severity],
        detected_at=min(min(a.received_at for a in alerts), now),
        opened_at=now,
        opened_by=user_of(actor),
        commander=member_user(commander),
    )
    log(
        actor=actor,
        incident=incident,
        kind=EventKind.OPENED,
        text=f"Opened by {actor.label} from {len(alerts)} alert(s).",
        at=now,
    )
    _link(actor=actor, incident=incident, alerts=alerts, now=now)
    audit(
        actor=actor,
        action="opened",
        incident=incident,
        severity=incident.severity,
        alerts=[a.pk for a in alerts],
    )
    return incident


@transaction.atomic
def link_alerts(*, actor: Principal, incident: Incident, alert_ids: Sequence[int]) -> Incident:
    """Attach more alerts; an earlier alert moves `detected_at` back to when it was first received."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError({"alert_ids": "The incident is closed: reopen it first."})
    alerts = _alerts(alert_ids)
    now = timezone.now()
    _link(actor=actor, incident=incident, alerts=alerts, now=now)
    earliest = min(a.received_at for a in alerts)
    if earliest < incident.detected_at:
        log(
            actor=actor,
            incident=incident,
            kind=EventKind.DETAILS_CHANGED,
            text="Detection time moved to the earliest linked alert.",
        )
        incident.detected_at = earliest
        incident.save(update_fields=["detected_at", "updated_at"])
    audit(actor=actor, action="alerts_linked", incident=incident, alerts=[a.pk for a in alerts])
    return incident


@transaction.atomic
def unlink_alert(*, actor: Principal, incident: Incident, alert_id: int) -> Incident:
    """Detach an alert (linked by mistake); the alert keeps its status, detection time stays."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    link = IncidentAlert.objects.filter(incident=incident, alert_id=alert_id).select_related("alert").first()
    if link is None:
        raise ValidationError({"alert_id": "This alert is not linked to the incident."})
    title = link.alert.title
    link.delete()
    log(actor=actor, incident=incident, kind=EventKind.ALERT_UNLINKED, text=f"Alert unlinked: {title}")
    audit(actor=actor, action="alert_unlinked", incident=incident, alert=alert_id)
    return incident


def _set_status(
    *, actor: Principal, incident: Incident, to: str, fields: list[str], text: str, at: dt.datetime
) -> None:
    before = incident.status
    incident.status = to
    incident.save(update_fields=["status", *fields, "updated_at"])
    log(
        actor=actor,
        incident=incident,
        kind=to if to != IncidentStatus.OPEN else EventKind.REOPENED,
        text=text,
        at=at,
    )
    audit(actor=actor, action=to, incident=incident, status=[before, to], at=at.isoformat())


@transaction.atomic
def acknowledge(
    *, actor: Principal, incident: Incident, at: dt.datetime | None = None, note: str = ""
) -> Incident:
    policies.check(actor, "change", incident)
    incident = lock(incident)
    if incident.status != IncidentStatus.OPEN:
        raise ValidationError(
            {
                "status": "Only an open incident can be acknowledged; this one is "
                f"{incident.get_status_display().lower()}."
            }
        )
    now = timezone.now()
    when = clean_time(at, "at", now=now) or now
    if when < incident.detected_at:
        raise ValidationError({"at": "Acknowledged before it was detected: give a later time."})
    note = clean_text(note, "note", MAX_REASON)
    incident.acknowledged_at = when
    _set_status(
        actor=actor,
        incident=incident,
        to=IncidentStatus.ACKNOWLEDGED,
        fields=["acknowledged_at"],
        text=note or f"Acknowledged by {actor.label}.",
        at=when,
    )
    return incident


@transaction.atomic
def resolve(
    *,
    actor: Principal,
    incident: Incident,
    at: dt.datetime | None = None,
    note: str = "",
    resolve_alerts: bool = False,
) -> Incident:
    """Resolved (the problem stopped). Not acknowledged yet: acknowledged at the same time. With
    `resolve_alerts`, its alerts still open are resolved through the alert service."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    if incident.status not in (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED):
        raise ValidationError(
            {"status": f"This incident is {incident.get_status_display().lower()} already."}
        )
    now = timezone.now()
    when = clean_time(at, "at", now=now) or now
    if when < incident.detected_at:
        raise ValidationError({"at": "Resolved before it was detected: give a later time."})
    if incident.acknowledged_at is not None and when < incident.acknowledged_at:
        raise ValidationError({"at": "Resolved before it was acknowledged: give a later time."})
    note = clean_text(note, "note", MAX_REASON)
    fields = ["resolved_at"]
    if incident.acknowledged_at is None:
        incident.acknowledged_at = when
        fields.append("acknowledged_at")
    incident.resolved_at = when
    _set_status(
        actor=actor,
        incident=incident,
        to=IncidentStatus.RESOLVED,
        fields=fields,
        text=note or f"Resolved by {actor.label}.",
        at=when,
    )
    if resolve_alerts:
        still_open = Alert.objects.filter(
            incident_link__incident=incident, status__in=[AlertStatus.NEW, AlertStatus.ACKNOWLEDGED]
        )
        for alert in still_open:
            alert_services.resolve_alert(actor=actor, alert=alert, note=f"{incident.reference} resolved.")
    return incident


@transaction.atomic
def close(
    *, actor: Principal, incident: Incident, carry_over_actions: bool = False, note: str = ""
) -> Incident:
    """Closed after the review. Open follow-up actions refuse the close unless carried over."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    if incident.status != IncidentStatus.RESOLVED:
        raise ValidationError({"status": "Only a resolved incident can be closed."})
    note = clean_text(note, "note", MAX_REASON)
    open_actions = IncidentAction.objects.filter(incident=incident, done_at__isnull=True)
    count = open_actions.count()
    now = timezone.now()
    if count and not carry_over_actions:
        raise ValidationError(
            {
                "carry_over_actions": f"{count} follow-up action(s) are still open: "
                "finish them, or carry them over."
            }
        )
    if count:
        open_actions.filter(carried_over_at__isnull=True).update(carried_over_at=now)
    incident.closed_at = now
    text = note or f"Closed by {actor.label}."
    if count:
        text += f" {count} open action(s) carried over."
    _set_status(
        actor=actor, incident=incident, to=IncidentStatus.CLOSED, fields=["closed_at"], text=text, at=now
    )
    return incident


@transaction.atomic
def reopen(*, actor: Principal, incident: Incident, reason: str) -> Incident:
    """Back to work (it came back, or was closed too soon): the resolution and close times are cleared;
    the timeline and the audit log keep them. Acknowledged stays acknowledged."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    if incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        raise ValidationError({"status": "Only a resolved or closed incident can be reopened."})
    reason = clean_text(reason, "reason", MAX_REASON, required=True)
    previous = incident.resolved_at
    incident.resolved_at = None
    incident.closed_at = None
    to = IncidentStatus.ACKNOWLEDGED if incident.acknowledged_at else IncidentStatus.OPEN
    before = incident.status
    incident.status = to
    incident.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
    resolved = previous.strftime("%Y-%m-%d %H:%M UTC") if previous else "—"
    log(
        actor=actor,
        incident=incident,
        kind=EventKind.REOPENED,
        text=f"Reopened (was resolved {resolved}): {reason}",
    )
    audit(actor=actor, action="reopened", incident=incident, status=[before, to], reason=reason)
    return incident


def member_user(user: Any) -> Any:
    """`user` if it is a member of the current organization (a commander or an owner), else a 400."""
    if user is None:
        return None
    from trustroom.tenancy.selectors import members_of

    if not members_of(require_org()).filter(user=user).exists():
        raise ValidationError({"commander": "Choose a member of the organization."})
    return user
