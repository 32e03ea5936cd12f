"""Writes of the monitoring app: alert sources (owners, admins), intake of alerts, and triage.

Every function is keyword-only with `actor` first, atomic, and audit-logged. The intake
(`ingest_alerts`) is the one writer of `Alert` rows; a repeat of a dedup key is an atomic `F()` update
of the existing row (count up, move last_seen), never a second row, also under concurrent deliveries.
"""

from __future__ import annotations

import hashlib
import secrets as pysecrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.monitoring import deliveries, secrets
from trustroom.monitoring.models import (
    Alert,
    AlertSource,
    AlertStatus,
    IntakeReceipt,
    IntakeRoute,
    SourceKind,
)
from trustroom.monitoring.parsers import NormalizedAlert
from trustroom.monitoring.routing_models import DeliveryEvent
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.webhooks.signatures import WINDOW_SECONDS

MAX_NAME = 100
RECEIPT_PRUNE_EVERY = 50  # prune old receipts on about one intake request in this many
# A source's "last received" is written at most this often: every request of a busy source would
# otherwise update (and lock) the same row, one after another.
LAST_RECEIVED_RESOLUTION = timedelta(seconds=60)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def intake_path(token: str) -> str:
    from django.urls import reverse

    return reverse("alert-intake", kwargs={"token": token})


@dataclass(frozen=True)
class NewSource:
    """A created (or re-keyed) source with its one-time plaintexts: shown once, never stored."""

    source: AlertSource
    token: str
    secret: str

    @property
    def path(self) -> str:
        return intake_path(self.token)


def _clean_name(name: str, kind: str) -> str:
    name = (name or "").strip() or SourceKind(kind).label
    if len(name) > MAX_NAME:
        raise ValidationError({"name": f"Keep the name to {MAX_NAME} characters or fewer."})
    if AlertSource.objects.filter(name=name).exists():
        raise ValidationError({"name": f"A source named {name!r} exists already; choose another name."})
    return name


@transaction.atomic
def create_source(*, actor: Principal, kind: str, name: str = "") -> NewSource:
    """A new enabled source; returns its token (in the URL) and signing secret, both shown once."""
    policies.check(actor, "add", AlertSource)
    if kind not in SourceKind.values:
        raise ValidationError({"kind": f"Kind must be one of: {', '.join(SourceKind.values)}."})
    name = _clean_name(name, kind)
    token = pysecrets.token_urlsafe(32)
    secret = pysecrets.token_urlsafe(32)
    uid = uuid.uuid4()
    source = AlertSource.objects.create(
        organization=require_org(),
        uid=uid,
        name=name,
        kind=kind,
        token_prefix=token[:6],
        secret_sealed=secrets.seal_secret(secret, actor=actor, source_uid=str(uid)),
        created_by=actor.user if actor.is_member else None,
    )
    IntakeRoute.objects.create(
        token_digest=token_digest(token), organization=source.organization, source=source
    )
    record_event(
        actor=actor, action="alert_source.created", target=source, changes={"name": name, "kind": kind}
    )
    return NewSource(source=source, token=token, secret=secret)


@transaction.atomic
def rotate_source_secret(*, actor: Principal, source: AlertSource) -> str:
    """A new signing secret (returned once); the old one stops verifying at once."""
    policies.check(actor, "change", source)
    secret = pysecrets.token_urlsafe(32)
    source.secret_sealed = secrets.seal_secret(secret, actor=actor, source_uid=str(source.uid))
    source.secret_rotated_at = timezone.now()
    source.save(update_fields=["secret_sealed", "secret_rotated_at"])
    record_event(
        actor=actor, action="alert_source.secret_rotated", target=source, changes={"name": source.name}
    )
    return secret


@transaction.atomic
def set_source_enabled(*, actor: Principal, source: AlertSource, enabled: bool) -> AlertSource:
    """Disable (the endpoint answers 404 like an unknown one) or enable again."""
    policies.check(actor, "change", source)
    if source.enabled == enabled:
        return source
    source.enabled = enabled
    source.save(update_fields=["enabled"])
    action = "alert_source.enabled" if enabled else "alert_source.disabled"
    record_event(actor=actor, action=action, target=source, changes={"name": source.name})
    return source


@transaction.atomic
def delete_source(*, actor: Principal, source: AlertSource) -> None:
    """Remove a source and its intake route; its alerts stay (their source becomes empty)."""
    policies.check(actor, "delete", source)
    record_event(
        actor=actor,
        action="alert_source.deleted",
        target=source,
        changes={"name": source.name, "kind": source.kind},
    )
    source.delete()


# --- Intake ------------------------------------------------------------------------------------------


class Replayed(Exception):
    """This source accepted the same signature before (inside the window)."""


@dataclass(frozen=True)
class IntakeResult:
    new: list[int]
    repeated: list[int]


def _alert_fields(alert: NormalizedAlert) -> dict[str, object]:
    return {
        "source_kind": alert.source,
        "type": alert.type,
        "severity": alert.severity,
        "title": alert.title,
        "resource_type": alert.resource_type,
        "resource_id": alert.resource_id,
        "account": alert.account,
        "region": alert.region,
        "raw": alert.raw,
        "raw_truncated": alert.raw_truncated,
        "resource_tags": alert.resource_tags,
    }


def _count_repeat(alert: NormalizedAlert, now: object) -> tuple[int, bool] | None:
    """Count one more occurrence on the existing row, if any: (its id, whether it was re-opened). A
    resolved alert that fires again is open again (new); acknowledged and suppressed ones keep their
    status."""
    # Locked until the delivery commits, so a concurrent triage or repeat waits rather than interleaves.
    found = (
        Alert.objects.select_for_update()
        .filter(dedup_key=alert.dedup_key)
        .values_list("pk", "status")
        .first()
    )
    if found is None:
        return None
    pk, status = found
    reopened = status == AlertStatus.RESOLVED
    Alert.objects.filter(pk=pk).update(
        occurrences=F("occurrences") + 1,
        last_seen=Greatest(F("last_seen"), Value(alert.last_seen)),
        last_received_at=now,
        severity=alert.severity,
        title=alert.title,
        **({"status": AlertStatus.NEW} if reopened else {}),
    )
    return pk, reopened


@transaction.atomic
def ingest_alerts(
    *, actor: Principal, source: AlertSource, signature: str, alerts: list[NormalizedAlert]
) -> IntakeResult:
    """Store one verified delivery: its receipt (refusing a replayed signature), then each alert as a
    new row or one more occurrence of the row with its dedup key. All or nothing."""
    if source.organization_id != actor.organization.pk or not source.enabled:
        raise PermissionDenied("This source does not take alerts.")
    now = timezone.now()
    try:
        with transaction.atomic():
            IntakeReceipt.objects.create(source=source, signature=signature, received_at=now)
    except IntegrityError:
        raise Replayed from None
    if pysecrets.randbelow(RECEIPT_PRUNE_EVERY) == 0:
        IntakeReceipt.objects.filter(received_at__lt=now - timedelta(seconds=2 * WINDOW_SECONDS)).delete()
    new: list[int] = []
    repeated: list[int] = []
    reopened: list[int] = []
    for alert in alerts:
        existing = _count_repeat(alert, now)
        if existing is not None:
            repeated.append(existing[0])
            if existing[1]:
                reopened.append(existing[0])
            continue
        try:
            with transaction.atomic():
                row = Alert.objects.create(
                    organization_id=source.organization_id,
                    source=source,
                    dedup_key=alert.dedup_key,
                    first_seen=alert.first_seen,
                    last_seen=alert.last_seen,
                    received_at=now,
                    last_received_at=now,
                    **_alert_fields(alert),
                )
        except IntegrityError:  # a concurrent delivery created it first: count this one on it
            existing = _count_repeat(alert, now)
            if existing is None:  # pragma: no cover - the row that collided was deleted meanwhile
                raise
            repeated.append(existing[0])
            continue
        new.append(row.pk)
        record_event(
            actor=actor,
            action="alert.received",
            target=row,
            changes={
                "source": source.name,
                "severity": alert.severity,
                "type": alert.type,
                "dedup_key": alert.dedup_key,
            },
        )
    last = source.last_received_at
    if last is None or now - last >= LAST_RECEIVED_RESOLUTION:
        AlertSource.objects.filter(pk=source.pk).update(last_received_at=now)
    if new or reopened:  # repeats of an open alert do not notify again
        deliveries.route_alerts(actor=actor, alert_ids=new + reopened)
    return IntakeResult(new=new, repeated=repeated)


# --- Triage ------------------------------------------------------------------------------------------

MAX_NOTE = 500
_TRANSITIONS = {
    AlertStatus.ACKNOWLEDGED: {AlertStatus.NEW},
    AlertStatus.RESOLVED: {AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.SUPPRESSED},
    AlertStatus.SUPPRESSED: {AlertStatus.NEW, AlertStatus.ACKNOWLEDGED},
}


def _transition(*, actor: Principal, alert: Alert, to: AlertStatus, note: str) -> Alert:
    policies.check(actor, "change", alert)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": f"Keep the note to {MAX_NOTE} characters or fewer."})
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status not in _TRANSITIONS[to]:
        raise ValidationError(
            {"status": f"A {alert.get_status_display().lower()} alert cannot be marked {to.label.lower()}."}
        )
    before = alert.status
    alert.status = to
    alert.status_changed_at = timezone.now()
    alert.status_changed_by = actor.user if actor.is_member else None
    alert.status_note = note
    alert.save(update_fields=["status", "status_changed_at", "status_changed_by", "status_note"])
    record_event(
        actor=actor,
        action=f"alert.{to.value}",
        target=alert,
        changes={"status": [before, to.value], "note": note},
    )
    # On-call follows the triage. Suppressed means "noise, stop paging": PagerDuty gets a resolve too.
    if to != AlertStatus.NEW:
        event = DeliveryEvent.ACKNOWLEDGE if to == AlertStatus.ACKNOWLEDGED else DeliveryEvent.RESOLVE
        deliveries.follow_up(actor=actor, alert=alert, event=event)
    return alert


@transaction.atomic
def acknowledge_alert(*, actor: Principal, alert: Alert, note: str = "") -> Alert:
    return _transition(actor=actor, alert=alert, to=AlertStatus.ACKNOWLEDGED, note=note)


@transaction.atomic
def resolve_alert(*, actor: Principal, alert: Alert, note: str = "") -> Alert:
    return _transition(actor=actor, alert=alert, to=AlertStatus.RESOLVED, note=note)


@transaction.atomic
def suppress_alert(*, actor: Principal, alert: Alert, note: str = "") -> Alert:
    return _transition(actor=actor, alert=alert, to=AlertStatus.SUPPRESSED, note=note)
