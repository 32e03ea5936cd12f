"""Selectors: findings by computed SLA state, application overview."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.assessments.helpers import T0, application, completed_engagement
from trustroom.assessments import services
from trustroom.assessments.selectors import application_states, findings_in_sla_state, unresolved_findings
from trustroom.assessments.state import SlaState

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_findings_by_sla_state(actor: Any) -> None:
    app = application(actor)
    crit = services.create_finding(
        actor=actor, application=app, title="RCE", severity="critical", detected_at=T0
    )
    high = services.create_finding(
        actor=actor, application=app, title="IDOR", severity="high", detected_at=T0
    )
    fixed = services.create_finding(
        actor=actor, application=app, title="SQLi", severity="critical", detected_at=T0
    )
    services.mark_fixed(actor=actor, finding=fixed, now=T0 + H)
    accepted = services.create_finding(
        actor=actor, application=app, title="TLS", severity="high", detected_at=T0
    )
    services.accept_risk(actor=actor, finding=accepted, reason="legacy", expires_at=T0 + 2 * H, now=T0 + H)
    now = T0 + 3 * H
    assert [s.finding for s in findings_in_sla_state(SlaState.APPROACHING, now=now)] == [crit]
    assert [s.finding for s in findings_in_sla_state(SlaState.WITHIN, now=now)] == [high, accepted]
    assert findings_in_sla_state(SlaState.BREACHED, now=now) == []
    later = T0 + 49 * H
    breached = findings_in_sla_state(SlaState.BREACHED, now=later)
    assert [s.finding for s in breached] == [crit, high, accepted]  # the expired acceptance counts
    assert breached[2].status == "reopened"
    assert set(unresolved_findings(now=T0 + H)) == {crit, high, fixed}


def test_application_states(actor: Any) -> None:
    tested = application(actor, name="A tested")
    completed_engagement(actor, tested, end=T0)
    application(actor, name="B untested", criticality="low")
    states = application_states(now=T0 + H)
    assert [(s.application.name, s.safe_to_host, s.schedule.overdue) for s in states] == [
        ("A tested", True, False),
        ("B untested", False, True),
    ]
