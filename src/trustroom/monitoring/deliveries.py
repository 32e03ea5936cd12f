"""Durable deliveries: made in the transaction of the change that needs them, sent after commit, retried
by the worker until delivered or given up, and never sent twice at the same time.

- `route_alerts` (in the intake's transaction): a delivery per matching rule for new and re-opened alerts.
- `follow_up` (in the acknowledge/resolve transaction): PagerDuty acknowledge/resolve events with the
  trigger's routing key and dedup_key, and a short Slack message, for every notifier that was paged.
- `attempt_delivery`: claim (a conditional UPDATE that moves `next_attempt_at` ahead: a second worker
  finds the delivery not due and leaves it), send outside any transaction, record the outcome.
- `send_due`: every pending delivery whose time has come (retries after backoff, and lost tasks).
- `retry_delivery`: a person asks for one more try of a failed delivery.
"""

from __future__ import annotations

import logging
import secrets as pysecrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.monitoring import notifier_secrets, notifiers, payloads
from trustroom.monitoring.models import Alert, AlertStatus
from trustroom.monitoring.routing import AlertFacts, RuleSpec, matching_rules
from trustroom.monitoring.routing_models import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Notifier,
    NotifierKind,
    RoutingRule,
)
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope, require_org
from trustroom.vault.crypto import DecryptionError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # with the backoff below: about 20 hours from the first try to giving up
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)
CLAIM = timedelta(minutes=2)  # longer than a send can take (connect + read timeouts)
DUE_BATCH = 500
_random = pysecrets.SystemRandom()


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Wait before the next try after `attempts` tries: 30 s doubling up to 6 h, with ±20 % jitter so
    retries of many deliveries spread out; never less than the receiver's Retry-After."""
    exponential = min(BASE_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)
    wait = exponential * _random.uniform(0.8, 1.2)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=min(retry_after, MAX_BACKOFF.total_seconds())))
    return wait


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    organization_id = require_org().pk

    def enqueue() -> None:
        from trustroom.monitoring.tasks import deliver

        for delivery_id in delivery_ids:
            deliver.delay(delivery_id, organization_id)

    transaction.on_commit(enqueue, robust=True)


def _new_delivery(
    *, notifier: Notifier, rule: RoutingRule | None, now: datetime, **fields: object
) -> Delivery:
    return Delivery(
        organization=require_org(),
        notifier=notifier,
        rule=rule,
        notifier_name=notifier.name,
        notifier_kind=notifier.kind,
        next_attempt_at=now,
        created_at=now,
        **fields,
    )


# --- Deciding what to send ------------------------------------------------------------------------------


def route_alerts(*, actor: Principal, alert_ids: list[int]) -> list[int]:
    """Deliveries of the matching rules for these (new or re-opened) alerts, in the caller's transaction;
    sent once it commits. Rules whose notifier is disabled do not route."""
    rules = list(
        RoutingRule.objects.filter(enabled=True, notifier__enabled=True)
        .select_related("notifier")
        .order_by("position", "pk")
    )
    if not rules or not alert_ids:
        return []
    by_id = {rule.pk: rule for rule in rules}
    specs = [
        RuleSpec(
            id=rule.pk,
            source_ids=frozenset(rule.source_ids),
            source_kinds=frozenset(rule.source_kinds),
            min_severity=rule.min_severity,
            type_pattern=rule.type_pattern,
            tag_conditions=rule.tag_conditions,
            stop=rule.stop,
        )
        for rule in rules
    ]
    organization_id = actor.organization.pk
    now = timezone.now()
    made: list[Delivery] = []
    fields = ("pk", "source_id", "source_kind", "severity", "type", "resource_tags", "dedup_key")
    for alert in Alert.objects.filter(pk__in=alert_ids).only(*fields):
        facts = AlertFacts(
            source_id=alert.source_id,
            source_kind=alert.source_kind,
            severity=alert.severity,
            type=alert.type,
            resource_tags=alert.resource_tags or {},
        )
        dedup_key = payloads.pagerduty_dedup_key(organization_id, alert.dedup_key)
        targets: set[tuple[int, str]] = set()
        for spec in matching_rules(specs, facts):
            rule = by_id[spec.id]
            target = (rule.notifier_id, rule.routing_key_sealed)  # one message per notifier and key
            if target in targets:
                continue
            targets.add(target)
            made.append(
                _new_delivery(notifier=rule.notifier, rule=rule, now=now, alert=alert, dedup_key=dedup_key)
            )
    created = Delivery.objects.bulk_create(made)
    ids = [delivery.pk for delivery in created]
    _enqueue_on_commit(ids)
    return ids


def follow_up(*, actor: Principal, alert: Alert, event: str) -> list[int]:
    """After an acknowledgement or resolution: the same event to every PagerDuty notifier paged for this
    alert (same routing key through the same rule, same dedup_key), a line to each Slack channel."""
    triggers = (
        Delivery.objects.filter(
            alert=alert,
            event=DeliveryEvent.TRIGGER,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.DELIVERED],
            notifier__isnull=False,
            notifier_kind__in=[NotifierKind.PAGERDUTY, NotifierKind.SLACK],
        )
        .select_related("notifier", "rule")
        .order_by("pk")
    )
    now = timezone.now()
    seen: set[tuple[int | None, ...]] = set()
    made = []
    for trigger in triggers:
        if trigger.notifier is None:  # pragma: no cover - filtered above
            continue
        is_pagerduty = trigger.notifier_kind == NotifierKind.PAGERDUTY
        key = (trigger.notifier_id, trigger.rule_id) if is_pagerduty else (trigger.notifier_id,)
        if key in seen:
            continue
        seen.add(key)
        made.append(
            _new_delivery(
                notifier=trigger.notifier,
                rule=trigger.rule,
                now=now,
                alert=alert,
                event=event,
                dedup_key=trigger.dedup_key,
                by=actor.label[:200],
            )
        )
    ids = [delivery.pk for delivery in Delivery.objects.bulk_create(made)]
    _enqueue_on_commit(ids)
    return ids


@transaction.atomic
def send_test_event(*, actor: Principal, notifier: Notifier) -> Delivery:
    """A real delivery of a test trigger through this notifier (shown with the other deliveries)."""
    policies.check(actor, "change", notifier)
    now = timezone.now()
    test_key = f"trustroom:{actor.organization.pk}:test:{pysecrets.token_hex(8)}"
    delivery = _new_delivery(
        notifier=notifier, rule=None, now=now, is_test=True, dedup_key=test_key, by=actor.label[:200]
    )
    delivery.save()
    record_event(actor=actor, action="notifier.test_sent", target=notifier, changes={"name": notifier.name})
    _enqueue_on_commit([delivery.pk])
    return delivery


@transaction.atomic
def retry_delivery(*, actor: Principal, delivery: Delivery) -> Delivery:
    """One more series of tries for a failed delivery, starting now."""
    policies.check(actor, "change", delivery)
    updated = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"status": "Only a failed delivery can be retried."})
    record_event(
        actor=actor,
        action="alert_delivery.retried",
        target=delivery,
        changes={
            "notifier": delivery.notifier_name,
            "event": delivery.event,
            "last_error": delivery.last_error,
        },
    )
    _enqueue_on_commit([delivery.pk])
    return Delivery.objects.get(pk=delivery.pk)


# --- Sending --------------------------------------------------------------------------------------------


@dataclass
class _Send:
    """A claimed delivery, ready to go: everything read (and opened) inside the organization's scope."""

    delivery_id: int
    attempts: int
    send: Callable[[], notifiers.Outcome] | None = None
    refused: str = ""  # why it cannot be sent at all (a permanent failure)
    audit: dict[str, object] = field(default_factory=dict)


def _alert_url(alert: Alert) -> str:
    path = reverse("monitoring:alert-detail", kwargs={"org_slug": alert.organization.slug, "pk": alert.pk})
    return f"{settings.TRUSTROOM_BASE_URL.rstrip('/')}{path}"


def _message(delivery: Delivery) -> payloads.AlertMessage:
    alert = delivery.alert
    if alert is None:
        return payloads.AlertMessage(
            title=f"Test event from Trustroom (notifier {delivery.notifier_name}, sent by {delivery.by})",
            severity="info",
            type="trustroom/test",
            source="Trustroom",
            last_seen=delivery.created_at,
        )
    return payloads.AlertMessage(
        title=alert.title,
        severity=alert.severity,
        type=alert.type,
        source=alert.source.name if alert.source is not None else alert.get_source_kind_display(),
        resource_type=alert.resource_type,
        resource_id=alert.resource_id,
        account=alert.account,
        region=alert.region,
        first_seen=alert.first_seen,
        last_seen=alert.last_seen,
        occurrences=alert.occurrences,
        url=_alert_url(alert),
        alert_id=alert.pk,
        tags=alert.resource_tags or {},
    )


def _prepare(delivery: Delivery, notifier: Notifier) -> Callable[[], notifiers.Outcome]:
    if notifier.kind == NotifierKind.PAGERDUTY:
        rule = delivery.rule
        if rule is not None and rule.routing_key_sealed:
            routing_key = notifier_secrets.rule_routing_key(rule)
        else:
            routing_key = notifier_secrets.notifier_secret(notifier)
        if delivery.event == DeliveryEvent.TRIGGER:
            body = payloads.pagerduty_trigger(
                routing_key=routing_key, dedup_key=delivery.dedup_key, message=_message(delivery)
            )
        else:
            body = payloads.pagerduty_follow_up(
                routing_key=routing_key, event_action=delivery.event, dedup_key=delivery.dedup_key
            )
        return lambda: notifiers.send_pagerduty(body)
    if notifier.kind == NotifierKind.SLACK:
        url = notifier_secrets.notifier_secret(notifier)
        if delivery.event == DeliveryEvent.TRIGGER:
            slack = payloads.slack_trigger(_message(delivery))
        else:
            title = delivery.alert.title if delivery.alert is not None else ""
            suppressed = delivery.alert is not None and delivery.alert.status == AlertStatus.SUPPRESSED
            slack = payloads.slack_follow_up(
                event_action=delivery.event, title=title, by=delivery.by, suppressed=suppressed
            )
        return lambda: notifiers.send_slack(url, slack)
    subject, text = payloads.email_trigger(_message(delivery))
    recipients = list(notifier.recipients)
    return lambda: notifiers.send_email_message(recipients, subject, text)


def _take(delivery_id: int, now: datetime) -> bool:
    """The claim: a conditional UPDATE that only one worker's call matches (the row must still be pending
    and due); it moves the next attempt ahead, so every other worker finds the delivery not due."""
    due = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    return bool(due.update(next_attempt_at=now + CLAIM, attempts=F("attempts") + 1, last_attempt_at=now))


def _claim(delivery_id: int, now: datetime) -> _Send | None:
    due = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    delivery = due.select_related("notifier").first()
    if delivery is None:
        return None  # delivered, given up, not due, or being sent by another worker
    if delivery.event != DeliveryEvent.TRIGGER:
        # An acknowledge or resolve waits for the trigger it follows, or PagerDuty would get them reversed.
        waiting = (
            Delivery.objects.filter(
                notifier=delivery.notifier,
                dedup_key=delivery.dedup_key,
                event=DeliveryEvent.TRIGGER,
                status=DeliveryStatus.PENDING,
                pk__lt=delivery.pk,
            )
            .order_by("-next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if waiting is not None:
            due.update(next_attempt_at=max(waiting, now) + timedelta(seconds=1))
            return None
    if not _take(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related(
        "alert__source", "alert__organization", "rule", "notifier"
    ).get(pk=delivery_id)
    job = _Send(delivery_id=delivery.pk, attempts=delivery.attempts)
    job.audit = {"notifier": delivery.notifier_name, "event": delivery.event, "alert": delivery.alert_id}
    if delivery.notifier is None:
        job.refused = "the notifier was deleted"
    elif not delivery.notifier.enabled:
        job.refused = "the notifier is disabled"
    else:
        try:
            job.send = _prepare(delivery, delivery.notifier)
        except DecryptionError:
            logger.exception("Delivery %s: the notifier's secret does not open", delivery.pk)
            job.refused = "the notifier's secret does not open (set it again)"
    return job


def _record(actor: Principal, job: _Send, outcome: notifiers.Outcome, now: datetime) -> str:
    claimed = Delivery.objects.filter(pk=job.delivery_id, status=DeliveryStatus.PENDING)
    common = {"last_status_code": outcome.status_code, "last_error": outcome.error[:300]}
    if outcome.delivered:
        claimed.update(status=DeliveryStatus.DELIVERED, delivered_at=now, **common)
        return DeliveryStatus.DELIVERED
    if outcome.retry and job.attempts < MAX_ATTEMPTS:
        claimed.update(next_attempt_at=now + backoff(job.attempts, outcome.retry_after), **common)
        return DeliveryStatus.PENDING
    if outcome.retry:
        common["last_error"] = f"{outcome.error} (gave up after {job.attempts} attempts)"[:300]
    if claimed.update(status=DeliveryStatus.FAILED, **common):
        delivery = Delivery.objects.get(pk=job.delivery_id)
        record_event(
            actor=actor,
            action="alert_delivery.failed",
            target=delivery,
            changes={**job.audit, "attempts": job.attempts, "error": common["last_error"]},
        )
    return DeliveryStatus.FAILED


def attempt_delivery(*, organization: Organization, delivery_id: int) -> str:
    """Send one delivery if it is pending and due; its status afterwards ("skipped" if left alone).

    Not one transaction on purpose: the claim commits before the network call (so a second worker sees
    it), the call runs outside any transaction, and the outcome is written after it.
    """
    actor = system_principal(organization)
    with org_scope(organization):
        job = _claim(delivery_id, timezone.now())
    if job is None:
        return "skipped"
    if job.send is not None:
        outcome = job.send()
    else:
        outcome = notifiers.Outcome(delivered=False, retry=False, error=job.refused)
    with org_scope(organization):
        return _record(actor, job, outcome, timezone.now())


@dataclass
class DueRun:
    delivered: int = 0
    pending: int = 0
    failed: int = 0


def send_due(*, organization: Organization | None = None) -> DueRun:
    """Send every pending delivery whose next attempt is due, in every organization (or one)."""
    run = DueRun()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for one in organizations:
        while True:
            with org_scope(one):
                due = list(
                    Delivery.objects.filter(
                        status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
                    )
                    .order_by("next_attempt_at", "pk")
                    .values_list("pk", flat=True)[:DUE_BATCH]
                )
            for delivery_id in due:
                result = attempt_delivery(organization=one, delivery_id=delivery_id)
                if result != "skipped":
                    setattr(run, result, getattr(run, result) + 1)
            if len(due) < DUE_BATCH:
                break
    return run
