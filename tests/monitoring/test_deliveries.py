"""Durable deliveries against the local PagerDuty / Slack stand-in: made with the intake, sent after
commit, retried on 429/5xx with growing backoff, given up at once on 400, followed by acknowledge and
resolve events with the same dedup_key, and never sent twice."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from tests.factories import principal_for
from tests.monitoring.factories import alert_source, deliver
from tests.monitoring.routing_factories import (
    OTHER_PD_KEY,
    PD_KEY,
    alert,
    deliveries,
    email,
    generic_alert,
    generic_source,
    intake,
    pagerduty,
    rule,
    slack,
)
from tests.monitoring.standin import SLACK_PATH, Scripted, StandIn
from trustroom.audit.models import AuditEvent
from trustroom.monitoring import deliveries as delivery_service
from trustroom.monitoring import notifiers, payloads, services
from trustroom.monitoring.parsers import parse
from trustroom.monitoring.routing_models import Delivery, DeliveryStatus
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(org_a: Any, owner_a: Any) -> Any:
    return generic_source(org_a, owner_a)


@pytest.fixture
def paged(org_a: Any, owner_a: Any, standin: StandIn) -> Any:
    """A PagerDuty notifier with a rule that routes every alert to it."""
    notifier = pagerduty(org_a, owner_a)
    rule(org_a, owner_a, notifier)
    return notifier


def make_due(org: Any) -> None:
    with org_scope(org):
        Delivery.objects.filter(status=DeliveryStatus.PENDING).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )


def send_due(org: Any) -> delivery_service.DueRun:
    make_due(org)
    return delivery_service.send_due(organization=org)


def test_a_new_alert_is_delivered_to_pagerduty_after_commit(
    org_a: Any,
    owner_a: Any,
    source: Any,
    paged: Any,
    standin: StandIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = intake(org_a, owner_a, source, generic_alert(tags={"env": "prod"}))
    # The delivery exists with the alert, before anything is sent.
    [pending] = deliveries(org_a)
    assert (pending.alert_id, pending.status, pending.attempts) == (result.new[0], DeliveryStatus.PENDING, 0)
    assert not standin.received
    for callback in callbacks:
        callback()
    [sent] = standin.pagerduty
    body = sent.json
    assert body["routing_key"] == PD_KEY
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == f"trustroom:{org_a.pk}:{alert(org_a, result.new[0]).dedup_key}"
    assert body["payload"]["severity"] == "error"  # high -> error
    assert body["payload"]["source"] == "web-1"
    assert body["payload"]["class"] == "net/egress-spike"
    assert body["payload"]["custom_details"]["tags"] == {"env": "prod"}
    assert body["client"] == "Trustroom"
    assert body["client_url"].endswith(f"/o/{org_a.slug}/monitoring/alerts/{result.new[0]}/")
    [delivered] = deliveries(org_a)
    assert (delivered.status, delivered.attempts, delivered.last_status_code) == (
        DeliveryStatus.DELIVERED,
        1,
        202,
    )
    assert delivered.delivered_at is not None


def test_a_refused_intake_leaves_no_delivery(org_a: Any, owner_a: Any, paged: Any) -> None:
    new = alert_source(org_a, owner_a, kind="generic", name="Signed")
    assert deliver(new, generic_alert()).status_code == 200
    assert len(deliveries(org_a)) == 1
    refused = deliver(new, {**generic_alert(type="other/type"), "severity": "apocalyptic"})
    assert refused.status_code == 400
    assert len(deliveries(org_a)) == 1


def test_deliveries_are_written_in_the_intake_transaction(
    org_a: Any, owner_a: Any, source: Any, paged: Any
) -> None:
    with org_scope(org_a):
        try:
            with transaction.atomic():
                services.ingest_alerts(
                    actor=principal_for(owner_a, org_a),
                    source=source,
                    signature="f" * 64,
                    alerts=parse("generic", generic_alert()),
                )
                assert Delivery.objects.count() == 1
                raise RuntimeError("the request fails after the intake")
        except RuntimeError:
            pass
        assert Delivery.objects.count() == 0


def test_a_repeat_does_not_notify_again_but_a_reopened_alert_does(
    org_a: Any, owner_a: Any, source: Any, paged: Any
) -> None:
    first = intake(org_a, owner_a, source, generic_alert())
    intake(org_a, owner_a, source, generic_alert())  # the same condition again, still open
    assert len(deliveries(org_a)) == 1
    with org_scope(org_a):
        services.acknowledge_alert(actor=principal_for(owner_a, org_a), alert=alert(org_a, first.new[0]))
    intake(org_a, owner_a, source, generic_alert())  # acknowledged: still the same incident
    assert len(deliveries(org_a, event="trigger")) == 1
    with org_scope(org_a):
        services.resolve_alert(actor=principal_for(owner_a, org_a), alert=alert(org_a, first.new[0]))
    intake(org_a, owner_a, source, generic_alert())  # resolved, then it fires again: re-opened
    triggers = deliveries(org_a, event="trigger")
    assert len(triggers) == 2
    assert triggers[0].dedup_key == triggers[1].dedup_key


def test_429_and_5xx_are_retried_with_growing_backoff_then_delivered(
    org_a: Any,
    owner_a: Any,
    source: Any,
    paged: Any,
    standin: StandIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    standin.answer(Scripted(429, {"Retry-After": "120"}), Scripted(500), Scripted(503))
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        intake(org_a, owner_a, source, generic_alert())
    [delivery] = deliveries(org_a)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 429)
    assert delivery.last_error == "HTTP 429 from 127.0.0.1"
    assert delivery.next_attempt_at >= started + timedelta(seconds=120)  # Retry-After honoured
    # Not due yet: the periodic job leaves it alone.
    assert delivery_service.send_due(organization=org_a).pending == 0
    assert len(standin.pagerduty) == 1
    waits = []
    for expected_code in (500, 503):
        before = timezone.now()
        send_due(org_a)
        [delivery] = deliveries(org_a)
        assert (delivery.status, delivery.last_status_code) == ("pending", expected_code)
        waits.append(delivery.next_attempt_at - before)
    assert waits[1] > waits[0] > timedelta(seconds=30)  # exponential: ~60 s, then ~120 s (±20 %)
    send_due(org_a)
    [delivery] = deliveries(org_a)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 4, 202)
    assert len(standin.pagerduty) == 4
    assert len({one.raw for one in standin.pagerduty}) == 1  # the same event each time


def test_400_fails_at_once_and_is_never_retried_by_the_job(
    org_a: Any,
    owner_a: Any,
    source: Any,
    paged: Any,
    standin: StandIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    standin.answer(Scripted(400, body=b'{"status":"invalid event"}'))
    with django_capture_on_commit_callbacks(execute=True):
        intake(org_a, owner_a, source, generic_alert())
    [delivery] = deliveries(org_a)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 400)
    assert "not retried" in delivery.last_error
    with org_scope(org_a):  # even when its time has long come
        Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(days=1))
    assert delivery_service.send_due(organization=org_a).delivered == 0
    assert len(standin.pagerduty) == 1
    with org_scope(org_a):
        give_up = AuditEvent.objects.get(action="alert_delivery.failed")
    assert give_up.changes["attempts"] == 1


def test_retry_now_sends_a_failed_delivery_again(
    org_a: Any,
    owner_a: Any,
    source: Any,
    paged: Any,
    standin: StandIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    standin.answer(Scripted(400))
    with django_capture_on_commit_callbacks(execute=True):
        intake(org_a, owner_a, source, generic_alert())
    [failed] = deliveries(org_a)
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        delivery_service.retry_delivery(actor=principal_for(owner_a, org_a), delivery=failed)
    [delivery] = deliveries(org_a)
    assert (delivery.status, delivery.last_status_code) == ("delivered", 202)
    assert len(standin.pagerduty) == 2
    with org_scope(org_a), pytest.raises(Exception, match="Only a failed delivery"):
        delivery_service.retry_delivery(actor=principal_for(owner_a, org_a), delivery=delivery)


def test_attempts_are_capped_then_the_delivery_fails(
    org_a: Any, owner_a: Any, source: Any, paged: Any, standin: StandIn
) -> None:
    standin.answer(*[Scripted(502)] * delivery_service.MAX_ATTEMPTS)
    intake(org_a, owner_a, source, generic_alert())
    for _ in range(delivery_service.MAX_ATTEMPTS):
        send_due(org_a)
    [delivery] = deliveries(org_a)
    assert (delivery.status, delivery.attempts) == ("failed", delivery_service.MAX_ATTEMPTS)
    assert f"gave up after {delivery_service.MAX_ATTEMPTS} attempts" in delivery.last_error


def test_connection_errors_are_retried(
    org_a: Any, owner_a: Any, source: Any, paged: Any, settings: Any
) -> None:
    settings.TRUSTROOM_PAGERDUTY_EVENTS_URL = "http://127.0.0.1:9/v2/enqueue"  # nothing listens there
    intake(org_a, owner_a, source, generic_alert())
    send_due(org_a)
    [delivery] = deliveries(org_a)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error.startswith("could not connect")


def test_acknowledge_and_resolve_follow_with_the_same_routing_key_and_dedup_key(
    org_a: Any, owner_a: Any, source: Any, standin: StandIn, django_capture_on_commit_callbacks: Any
) -> None:
    on_call = pagerduty(org_a, owner_a)
    rule(org_a, owner_a, on_call, name="Prod to the prod service", routing_key=OTHER_PD_KEY)
    channel = slack(org_a, owner_a, standin.slack_url)
    rule(org_a, owner_a, channel, name="Channel")
    audit = email(org_a, owner_a, ["sec@alpha.test"])
    rule(org_a, owner_a, audit, name="Mail")
    with django_capture_on_commit_callbacks(execute=True):
        result = intake(org_a, owner_a, source, generic_alert())
    the_alert = alert(org_a, result.new[0])
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        services.acknowledge_alert(actor=principal_for(owner_a, org_a), alert=the_alert, note="on it")
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        services.resolve_alert(actor=principal_for(owner_a, org_a), alert=the_alert)
    trigger, acknowledge, resolve = (one.json for one in standin.pagerduty)
    assert [trigger["event_action"], acknowledge["event_action"], resolve["event_action"]] == [
        "trigger",
        "acknowledge",
        "resolve",
    ]
    assert trigger["routing_key"] == acknowledge["routing_key"] == resolve["routing_key"] == OTHER_PD_KEY
    assert trigger["dedup_key"] == acknowledge["dedup_key"] == resolve["dedup_key"]
    assert set(acknowledge) == {"routing_key", "event_action", "dedup_key"}
    slack_texts = [one.json["text"] for one in standin.slack]
    assert len(slack_texts) == 3
    assert slack_texts[1].startswith("Alert acknowledged by owner@alpha.test")
    assert slack_texts[2].startswith("Alert resolved by owner@alpha.test")
    assert len(mail.outbox) == 1  # e-mail gets the alert, not the follow-ups
    assert {one.status for one in deliveries(org_a)} == {"delivered"}


def test_an_acknowledgement_waits_for_its_pending_trigger(
    org_a: Any,
    owner_a: Any,
    source: Any,
    paged: Any,
    standin: StandIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    standin.answer(Scripted(500))
    with django_capture_on_commit_callbacks(execute=True):
        result = intake(org_a, owner_a, source, generic_alert())
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        services.acknowledge_alert(actor=principal_for(owner_a, org_a), alert=alert(org_a, result.new[0]))
    assert [one.json["event_action"] for one in standin.pagerduty] == ["trigger"]  # the ack waited
    send_due(org_a)  # the trigger goes first
    send_due(org_a)
    assert [one.json["event_action"] for one in standin.pagerduty] == ["trigger", "trigger", "acknowledge"]


def test_two_concurrent_sends_of_one_delivery_send_once(
    org_a: Any, owner_a: Any, source: Any, paged: Any, standin: StandIn
) -> None:
    intake(org_a, owner_a, source, generic_alert())
    [delivery] = deliveries(org_a)
    now = timezone.now()
    with org_scope(org_a):
        # Two workers read the delivery at the same moment: both see it pending and due...
        assert (
            Delivery.objects.filter(pk=delivery.pk, status="pending", next_attempt_at__lte=now).count() == 1
        )
        # ...and both try to claim it: only one claim matches.
        assert delivery_service._take(delivery.pk, now) is True
        assert delivery_service._take(delivery.pk, now) is False
    assert delivery_service.attempt_delivery(organization=org_a, delivery_id=delivery.pk) == "skipped"
    assert not standin.pagerduty
    # Once delivered, running the task again sends nothing more.
    make_due(org_a)
    assert delivery_service.attempt_delivery(organization=org_a, delivery_id=delivery.pk) == "delivered"
    assert delivery_service.attempt_delivery(organization=org_a, delivery_id=delivery.pk) == "skipped"
    assert len(standin.pagerduty) == 1


def test_redirects_are_not_followed(standin: StandIn) -> None:
    standin.answer(Scripted(302, {"Location": standin.pagerduty_url}))
    outcome = notifiers.send_slack(standin.slack_url, {"text": "hi"})
    assert (outcome.delivered, outcome.retry, outcome.status_code) == (False, False, 302)
    assert [one.path for one in standin.received] == [standin.slack[0].path]


def test_a_long_summary_is_cut_to_1024_characters_and_accepted(standin: StandIn) -> None:
    # Stored alerts keep titles to 500 characters, so a summary that long comes only from a message made
    # here; the cut is what PagerDuty's 1,024-character limit needs whatever the caller gives.
    message = payloads.AlertMessage(title="y" * 1500, severity="critical", type="t", resource_id="r" * 300)
    body = payloads.pagerduty_trigger(routing_key=PD_KEY, dedup_key="k", message=message)
    outcome = notifiers.send_pagerduty(body)
    assert (outcome.delivered, outcome.status_code) == (True, 202)
    summary = standin.pagerduty[0].json["payload"]["summary"]
    assert len(summary) == 1024
    assert summary.startswith("[CRITICAL] yyy")
    assert summary.endswith("…")


def test_slack_and_email_messages(
    org_a: Any, owner_a: Any, source: Any, standin: StandIn, django_capture_on_commit_callbacks: Any
) -> None:
    rule(org_a, owner_a, slack(org_a, owner_a, standin.slack_url))
    rule(org_a, owner_a, email(org_a, owner_a, "a@alpha.test, b@alpha.test"), name="Mail")
    with django_capture_on_commit_callbacks(execute=True):
        intake(org_a, owner_a, source, generic_alert(title="<script>&alert</script> on <!channel>"))
    [posted] = standin.slack
    assert posted.headers["Content-Type"] == "application/json"
    body = posted.json
    assert body["text"] == "HIGH security alert: &lt;script&gt;&amp;alert&lt;/script&gt; on &lt;!channel&gt;"
    assert "<!channel>" not in body["blocks"][0]["text"]["text"]
    [message] = mail.outbox
    assert message.to == ["a@alpha.test", "b@alpha.test"]
    assert "<script>&alert</script> on <!channel>" in message.subject
    assert {one.status for one in deliveries(org_a)} == {"delivered"}


def test_a_test_event_is_a_real_delivery(
    org_a: Any, owner_a: Any, standin: StandIn, django_capture_on_commit_callbacks: Any
) -> None:
    notifier = pagerduty(org_a, owner_a)
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        delivery_service.send_test_event(actor=principal_for(owner_a, org_a), notifier=notifier)
    [sent] = standin.pagerduty
    assert sent.json["payload"]["summary"].startswith("[INFO] Test event from Trustroom")
    [delivery] = deliveries(org_a)
    assert (delivery.is_test, delivery.alert_id, delivery.status) == (True, None, "delivered")


def test_a_changed_routing_key_is_used_at_once(
    org_a: Any, owner_a: Any, standin: StandIn, django_capture_on_commit_callbacks: Any
) -> None:
    from trustroom.monitoring import routing_services

    notifier = pagerduty(org_a, owner_a)
    actor = principal_for(owner_a, org_a)
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        delivery_service.send_test_event(actor=actor, notifier=notifier)  # the opened key is kept
    with org_scope(org_a):
        notifier = routing_services.update_notifier(actor=actor, notifier=notifier, routing_key=OTHER_PD_KEY)
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        delivery_service.send_test_event(actor=actor, notifier=notifier)
    assert [sent.json["routing_key"] for sent in standin.pagerduty] == [PD_KEY, OTHER_PD_KEY]


def test_a_disabled_notifier_does_not_route_and_pending_deliveries_fail(
    org_a: Any, owner_a: Any, source: Any, paged: Any, standin: StandIn
) -> None:
    from trustroom.monitoring import routing_services

    intake(org_a, owner_a, source, generic_alert())
    with org_scope(org_a):
        routing_services.update_notifier(actor=principal_for(owner_a, org_a), notifier=paged, enabled=False)
    intake(org_a, owner_a, source, generic_alert(type="other/type"))
    [delivery] = deliveries(org_a)  # the second alert was not routed
    send_due(org_a)
    [delivery] = deliveries(org_a)
    assert (delivery.status, delivery.last_error) == ("failed", "the notifier is disabled")
    assert not standin.received


def test_errors_never_carry_the_webhook_url(
    org_a: Any, owner_a: Any, source: Any, standin: StandIn, settings: Any
) -> None:
    secret_path = "/services/T9/B9/do-not-leak-this-token"
    rule(org_a, owner_a, slack(org_a, owner_a, f"http://127.0.0.1:9{secret_path}"))  # nothing listens on 9
    intake(org_a, owner_a, source, generic_alert())
    send_due(org_a)
    [delivery] = deliveries(org_a)
    assert delivery.last_error.startswith("could not connect")
    assert "do-not-leak" not in delivery.last_error
    settings.TRUSTROOM_NOTIFIER_ALLOWED_HOSTS = ["hooks.slack.com"]  # now refused before sending
    send_due(org_a)
    [delivery] = deliveries(org_a)
    assert delivery.status == "failed"
    assert "do-not-leak" not in delivery.last_error
    with org_scope(org_a):
        audit = " ".join(str(event.changes) for event in AuditEvent.objects.all())
    assert "do-not-leak" not in audit


def test_suppressing_an_alert_resolves_its_page_and_says_so_in_slack(
    org_a: Any, owner_a: Any, source: Any, standin: StandIn, django_capture_on_commit_callbacks: Any
) -> None:
    on_call = pagerduty(org_a, owner_a)
    rule(org_a, owner_a, on_call, name="Page")
    channel = slack(org_a, owner_a, standin.slack_url)
    rule(org_a, owner_a, channel, name="Channel")
    with django_capture_on_commit_callbacks(execute=True):
        result = intake(org_a, owner_a, source, generic_alert())
    the_alert = alert(org_a, result.new[0])
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        services.suppress_alert(actor=principal_for(owner_a, org_a), alert=the_alert, note="scanner noise")
    trigger, resolve = (one.json for one in standin.pagerduty)
    assert (trigger["event_action"], resolve["event_action"]) == ("trigger", "resolve")
    assert trigger["dedup_key"] == resolve["dedup_key"]
    assert [one.json["text"].split(" by ")[0] for one in standin.slack][1] == "Alert suppressed"
    assert {one.status for one in deliveries(org_a)} == {"delivered"}


def test_a_refusal_keeps_what_the_receiver_said(
    org_a: Any, owner_a: Any, source: Any, paged: Any, standin: StandIn
) -> None:
    said = {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": ["'payload.summary' is missing or blank"],
    }
    standin.answer(Scripted(400, body=json.dumps(said).encode()))
    intake(org_a, owner_a, source, generic_alert())
    send_due(org_a)
    [delivery] = deliveries(org_a)
    assert delivery.status == "failed"
    assert delivery.last_error == (
        "HTTP 400 from 127.0.0.1 (not retried): invalid event; Event object is invalid; "
        "'payload.summary' is missing or blank"
    )


def test_a_slack_refusal_is_kept_without_the_webhook_secret(
    org_a: Any, owner_a: Any, source: Any, standin: StandIn
) -> None:
    rule(org_a, owner_a, slack(org_a, owner_a, standin.slack_url))
    standin.answer(Scripted(404, body=f"no_service\r\n(for {SLACK_PATH})".encode()))
    intake(org_a, owner_a, source, generic_alert())
    send_due(org_a)
    [delivery] = deliveries(org_a)
    assert delivery.last_error == "HTTP 404 from 127.0.0.1 (not retried): no_service (for …)"
    assert "slack-secret-path" not in delivery.last_error


def test_a_long_answer_is_read_and_kept_only_in_part(
    org_a: Any, owner_a: Any, source: Any, paged: Any, standin: StandIn
) -> None:
    standin.answer(Scripted(503, body=b"x" * 100_000))
    intake(org_a, owner_a, source, generic_alert())
    send_due(org_a)
    [delivery] = deliveries(org_a)
    assert delivery.status == "pending"  # 503 is retried
    assert delivery.last_error.startswith("HTTP 503 from 127.0.0.1: xxx")
    assert len(delivery.last_error) <= 300


def test_consecutive_deliveries_reuse_one_connection(
    org_a: Any, owner_a: Any, source: Any, paged: Any, standin: StandIn
) -> None:
    for index in range(3):
        intake(org_a, owner_a, source, generic_alert(type=f"reuse/{index}"))
    send_due(org_a)
    assert [one.status for one in standin.pagerduty] == [202, 202, 202]
    assert len({one.client_port for one in standin.pagerduty}) == 1


def test_receiver_said_is_one_bounded_line() -> None:
    assert notifiers.receiver_said(b"bad\x00\x1b[31m\nthing") == "bad [31m thing"
    assert notifiers.receiver_said(b'{"errors": []}') == '{"errors": []}'
    assert len(notifiers.receiver_said(b"y" * 5000)) == notifiers.MAX_ANSWER_SHOWN
    assert notifiers.receiver_said(b"\xff\xfe oops") == "�� oops"
