"""Demo Co's incident: resolved with MTTA/MTTR, a timeline, one open follow-up action; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from trustroom.monitoring.incident_models import EventKind, Incident, IncidentAction
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def test_demo_incident_with_times_timeline_and_an_open_action() -> None:
    org = load_demo().organization
    load_demo()  # a second run adds nothing
    with org_scope(org):
        incident = Incident.objects.get()
        actions = list(IncidentAction.objects.all())
        kinds = set(incident.events.values_list("kind", flat=True))
    assert incident.status == "resolved" and incident.reference == "INC-1"
    assert incident.time_to_acknowledge == dt.timedelta(minutes=6)
    assert incident.time_to_resolve == dt.timedelta(minutes=48)
    assert {EventKind.NOTE, EventKind.ACKNOWLEDGED, EventKind.RESOLVED, EventKind.REVIEW_UPDATED} <= kinds
    assert len(actions) == 1 and actions[0].done_at is None and not actions[0].overdue
