"""Incident services: opening (by hand, from alerts), numbering, the state changes and their times,
MTTA/MTTR, the timeline, follow-up actions, and who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from tests.factories import member, principal_for
from tests.monitoring.factories import alerts, incident
from trustroom.audit.models import AuditEvent
from trustroom.monitoring import incident_followup as followup
from trustroom.monitoring import incident_services as services
from trustroom.monitoring.incident_models import EventKind, Incident, IncidentAlert, IncidentStatus
from trustroom.monitoring.models import Alert, AlertStatus
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    with org_scope(org_a):
        yield principal_for(owner_a, org_a)


def kinds(inc: Incident) -> list[str]:
    return list(inc.events.order_by("happened_at", "pk").values_list("kind", flat=True))


def test_numbers_count_up_per_organization(org_a: Any, org_b: Any, owner_a: Any, owner_b: Any) -> None:
    first, second = incident(org_a, owner_a), incident(org_a, owner_a)
    other = incident(org_b, owner_b)
    assert (first.reference, second.reference, other.reference) == ("INC-1", "INC-2", "INC-1")


def test_a_number_taken_meanwhile_is_retried_with_the_next(actor: Any, monkeypatch: Any) -> None:
    """Two openings that read the same maximum: the unique constraint refuses the second insert, which
    takes the next number instead of failing or duplicating."""
    services.open_incident(actor=actor, title="First", severity="sev3")
    real_create = Incident.objects.create
    calls = {"n": 0}

    def create_once_with_a_taken_number(**fields: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            fields["number"] = 1  # what a concurrent opening that committed first already holds
        return real_create(**fields)

    monkeypatch.setattr(Incident.objects, "create", create_once_with_a_taken_number)
    second = services.open_incident(actor=actor, title="Second", severity="sev3")
    assert second.number == 2 and calls["n"] == 2
    monkeypatch.undo()
    with pytest.raises(IntegrityError):
        Incident.objects.create(
            organization=second.organization,
            number=2,
            title="x",
            severity="sev3",
            detected_at=NOW,
            opened_at=NOW,
        )


def test_open_by_hand_with_an_earlier_detection_time(actor: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        inc = services.open_incident(
            actor=actor, title="Checkout down", severity="sev1", detected_at=NOW - dt.timedelta(minutes=20)
        )
    assert inc.status == IncidentStatus.OPEN
    assert inc.detected_at == NOW - dt.timedelta(minutes=20) and inc.opened_at == NOW
    assert kinds(inc) == [EventKind.OPENED]
    assert AuditEvent.objects.filter(action="incident.opened", target_id=str(inc.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "severity": "sev1"}, "title"),
        ({"title": "x", "severity": "sev9"}, "severity"),
        ({"title": "x", "severity": "sev1", "detected_at": NOW + dt.timedelta(hours=1)}, "detected_at"),
        ({"title": "x", "severity": "sev1", "detected_at": NOW - dt.timedelta(days=400)}, "detected_at"),
        ({"title": "x", "severity": "sev1", "detected_at": dt.datetime(2026, 6, 1, 11)}, "detected_at"),  # noqa: DTZ001
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(actor: Any, fields: dict[str, Any], field: str) -> None:
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as caught:
        services.open_incident(actor=actor, **fields)
    assert field in caught.value.message_dict
    assert not Incident.objects.exists()


def test_opening_from_alerts_takes_the_most_severe_and_acknowledges_new_ones(
    org_a: Any, owner_a: Any, actor: Any
) -> None:
    with time_machine.travel(NOW - dt.timedelta(hours=2), tick=False):
        early = alerts(org_a, owner_a, {"title": "Low noise", "severity": "low"})
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        worst = alerts(org_a, owner_a, {"title": "Root login from new country", "severity": "critical"})
    with time_machine.travel(NOW, tick=False):
        inc = services.open_incident_from_alerts(actor=actor, alert_ids=early + worst)
    assert (inc.title, inc.severity) == ("Root login from new country", "sev1")
    assert inc.detected_at == NOW - dt.timedelta(hours=2)  # the earliest alert's first receipt
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.ACKNOWLEDGED}
    assert IncidentAlert.objects.filter(incident=inc).count() == 2
    assert kinds(inc).count(EventKind.ALERT_LINKED) == 2


def test_an_alert_belongs_to_at_most_one_incident(org_a: Any, owner_a: Any, actor: Any) -> None:
    ids = alerts(org_a, owner_a)
    first = services.open_incident_from_alerts(actor=actor, alert_ids=ids)
    with pytest.raises(ValidationError) as caught:
        services.open_incident_from_alerts(actor=actor, alert_ids=ids)
    assert "INC-1" in str(caught.value.message_dict["alert_ids"])
    other = services.open_incident(actor=actor, title="Other", severity="sev3")
    with pytest.raises(ValidationError):
        services.link_alerts(actor=actor, incident=other, alert_ids=ids)
    assert Incident.objects.count() == 2  # the refused opening left nothing behind
    assert IncidentAlert.objects.get().incident == first


def test_link_more_alerts_moves_detection_back_and_unlink(org_a: Any, owner_a: Any, actor: Any) -> None:
    with time_machine.travel(NOW - dt.timedelta(hours=3), tick=False):
        earlier = alerts(org_a, owner_a, {"title": "Earlier sign"})
    with time_machine.travel(NOW, tick=False):
        inc = services.open_incident(actor=actor, title="Slow API", severity="sev3")
        inc = services.link_alerts(actor=actor, incident=inc, alert_ids=earlier)
    assert inc.detected_at == NOW - dt.timedelta(hours=3)
    inc = services.unlink_alert(actor=actor, incident=inc, alert_id=earlier[0])
    assert not IncidentAlert.objects.exists()
    assert kinds(inc)[-1] == EventKind.ALERT_UNLINKED
    with pytest.raises(ValidationError):
        services.unlink_alert(actor=actor, incident=inc, alert_id=earlier[0])


def test_acknowledge_resolve_close_and_mtta_mttr(actor: Any) -> None:
    detected = NOW - dt.timedelta(minutes=90)
    with time_machine.travel(NOW, tick=False):
        inc = services.open_incident(actor=actor, title="DB failover", severity="sev2", detected_at=detected)
        inc = services.acknowledge(actor=actor, incident=inc, at=detected + dt.timedelta(minutes=10))
        inc = services.resolve(actor=actor, incident=inc, at=detected + dt.timedelta(minutes=75))
        inc = services.close(actor=actor, incident=inc)
    assert inc.status == IncidentStatus.CLOSED and inc.closed_at == NOW
    assert inc.time_to_acknowledge == dt.timedelta(minutes=10)
    assert inc.time_to_resolve == dt.timedelta(minutes=75)
    # the timeline is in the order things happened: acknowledged and resolved before it was opened here
    assert kinds(inc) == ["acknowledged", "resolved", "opened", "closed"]


def test_times_must_be_in_order(actor: Any) -> None:
    detected = NOW - dt.timedelta(hours=1)
    with time_machine.travel(NOW, tick=False):
        inc = services.open_incident(actor=actor, title="x", severity="sev3", detected_at=detected)
        with pytest.raises(ValidationError) as before_detection:
            services.acknowledge(actor=actor, incident=inc, at=detected - dt.timedelta(minutes=1))
        with pytest.raises(ValidationError) as future:
            services.acknowledge(actor=actor, incident=inc, at=NOW + dt.timedelta(hours=1))
        inc = services.acknowledge(actor=actor, incident=inc, at=detected + dt.timedelta(minutes=30))
        with pytest.raises(ValidationError) as before_ack:
            services.resolve(actor=actor, incident=inc, at=detected + dt.timedelta(minutes=20))
        with pytest.raises(ValidationError):
            services.acknowledge(actor=actor, incident=inc)  # already acknowledged
    assert "at" in before_detection.value.message_dict
    assert "at" in future.value.message_dict
    assert "at" in before_ack.value.message_dict
    inc.refresh_from_db()
    assert inc.status == IncidentStatus.ACKNOWLEDGED and inc.resolved_at is None


def test_resolving_an_unacknowledged_incident_acknowledges_it_then(actor: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        inc = services.open_incident(
            actor=actor, title="x", severity="sev4", detected_at=NOW - dt.timedelta(hours=1)
        )
        inc = services.resolve(actor=actor, incident=inc)
    assert inc.acknowledged_at == inc.resolved_at == NOW


def test_resolve_can_resolve_its_open_alerts_through_the_alert_service(
    org_a: Any, owner_a: Any, actor: Any
) -> None:
    ids = alerts(org_a, owner_a, {"title": "one"}, {"title": "two"})
    inc = services.open_incident_from_alerts(actor=actor, alert_ids=ids)
    services.resolve(actor=actor, incident=inc, resolve_alerts=True)
    assert set(Alert.objects.values_list("status", flat=True)) == {AlertStatus.RESOLVED}
    assert AuditEvent.objects.filter(action="alert.resolved").count() == 2


def test_close_refuses_open_actions_unless_carried_over(actor: Any) -> None:
    inc = services.open_incident(actor=actor, title="x", severity="sev3")
    action = followup.add_action(actor=actor, incident=inc, title="Add a lag alarm")
    with pytest.raises(ValidationError):
        services.close(actor=actor, incident=inc)  # not resolved yet
    inc = services.resolve(actor=actor, incident=inc)
    with pytest.raises(ValidationError) as refused:
        services.close(actor=actor, incident=inc)
    assert "carry_over_actions" in refused.value.message_dict
    inc = services.close(actor=actor, incident=inc, carry_over_actions=True)
    action.refresh_from_db()
    assert (
        inc.status == IncidentStatus.CLOSED and action.carried_over_at is not None and action.done_at is None
    )


def test_reopen_needs_a_reason_and_clears_resolution(actor: Any) -> None:
    inc = services.open_incident(actor=actor, title="x", severity="sev3")
    with pytest.raises(ValidationError):
        services.reopen(actor=actor, incident=inc, reason="too early")  # still open
    inc = services.resolve(actor=actor, incident=inc)
    with pytest.raises(ValidationError) as no_reason:
        services.reopen(actor=actor, incident=inc, reason=" ")
    assert "reason" in no_reason.value.message_dict
    inc = services.reopen(actor=actor, incident=inc, reason="It came back at 14:00")
    assert inc.status == IncidentStatus.ACKNOWLEDGED and inc.resolved_at is None and inc.closed_at is None
    assert "It came back" in inc.events.get(kind=EventKind.REOPENED).text


def test_notes_may_be_backdated_within_bounds(actor: Any) -> None:
    detected = NOW - dt.timedelta(hours=2)
    with time_machine.travel(NOW, tick=False):
        inc = services.open_incident(actor=actor, title="x", severity="sev3", detected_at=detected)
        note = followup.add_note(
            actor=actor, incident=inc, text="Pager fired", happened_at=detected - dt.timedelta(hours=1)
        )
        assert note.happened_at == detected - dt.timedelta(hours=1) and note.recorded_at == NOW
        for bad in (NOW + dt.timedelta(hours=1), detected - dt.timedelta(days=8)):
            with pytest.raises(ValidationError) as caught:
                followup.add_note(actor=actor, incident=inc, text="x", happened_at=bad)
            assert "happened_at" in caught.value.message_dict
        with pytest.raises(ValidationError):
            followup.add_note(actor=actor, incident=inc, text="  ")
    assert kinds(inc) == ["note", "opened"]  # ordered by when it happened


def test_actions_overdue_from_the_clock_and_completed(org_a: Any, actor: Any) -> None:
    colleague = member(org_a, "editor", email="sre@alpha.test")
    inc = services.open_incident(actor=actor, title="x", severity="sev3")
    with time_machine.travel(NOW, tick=False):
        action = followup.add_action(
            actor=actor,
            incident=inc,
            title="Rotate keys",
            owner_email="SRE@alpha.test",
            due_at=NOW + dt.timedelta(days=1),
        )
        outside = followup.add_action(
            actor=actor, incident=inc, title="Vendor fix", owner_email="ops@vendor.test"
        )
        assert not action.overdue
    assert action.owner == colleague and outside.owner is None and outside.owner_email == "ops@vendor.test"
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        assert action.overdue  # nothing ran: computed from due_at when read
        action = followup.complete_action(actor=actor, action=action)
        assert not action.overdue
    with pytest.raises(ValidationError):
        followup.complete_action(actor=actor, action=action)
    action = followup.reopen_action(actor=actor, action=action)
    assert action.done_at is None
    assert {"action_added", "action_done", "action_reopened"} <= set(kinds(inc))


def test_commander_details_and_review(org_a: Any, org_b: Any, actor: Any) -> None:
    lead = member(org_a, "editor", email="lead@alpha.test")
    stranger = member(org_b, "owner", email="stranger@bravo.test")
    inc = services.open_incident(actor=actor, title="x", severity="sev3")
    inc = followup.set_commander(actor=actor, incident=inc, commander=lead)
    assert inc.commander == lead
    with pytest.raises(ValidationError):
        followup.set_commander(actor=actor, incident=inc, commander=stranger)
    inc = followup.update_details(actor=actor, incident=inc, severity="sev1", title="Payments down")
    inc = followup.update_review(
        actor=actor, incident=inc, root_cause="Expired certificate", lessons="Alert on expiry"
    )
    inc.refresh_from_db()
    assert (inc.severity, inc.title, inc.root_cause) == ("sev1", "Payments down", "Expired certificate")
    assert {"commander_changed", "details_changed", "review_updated"} <= set(kinds(inc))


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_cannot_open_or_change_incidents(org_a: Any, owner_a: Any, role: str) -> None:
    reader = member(org_a, role)
    inc = incident(org_a, owner_a)
    ids = alerts(org_a, owner_a)
    with org_scope(org_a):
        actor = principal_for(reader, org_a)
        for attempt in (
            lambda: services.open_incident(actor=actor, title="x", severity="sev3"),
            lambda: services.open_incident_from_alerts(actor=actor, alert_ids=ids),
            lambda: services.acknowledge(actor=actor, incident=inc),
            lambda: followup.add_note(actor=actor, incident=inc, text="x"),
            lambda: followup.add_action(actor=actor, incident=inc, title="x"),
        ):
            with pytest.raises(PermissionDenied):
                attempt()
        assert Incident.objects.count() == 1 and inc.events.count() == 1


def test_editors_may_and_nobody_deletes(org_a: Any, owner_a: Any) -> None:
    from trustroom.tenancy import policies

    editor = member(org_a, "editor")
    with org_scope(org_a):
        actor = principal_for(editor, org_a)
        inc = services.open_incident(actor=actor, title="x", severity="sev3")
        assert not policies.policy_for(Incident).allows(principal_for(owner_a, org_a), "delete", inc)
