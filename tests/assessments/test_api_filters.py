"""The SQL filters on computed status and SLA state agree with `state.py` at every instant."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from tests.assessments.helpers import application
from tests.factories import principal_for
from trustroom.assessments import services
from trustroom.assessments.finding_filters import SLA_STATES, with_effective_status, with_sla_state
from trustroom.assessments.models import Finding, FindingStatus
from trustroom.assessments.state import effective_status, sla_state

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _findings(actor: Any) -> None:
    """Findings in every status, severity and clock position (some fixed late, one risk expiring)."""
    app = application(actor)
    with time_machine.travel(T0 - HOUR):  # a target at the deadline: only the last-quarter rule applies
        services.create_sla_policy_version(actor=actor, effective_from=T0, medium_target_hours=14 * 24)
    for severity in ("critical", "high", "medium", "low", "info"):
        for offset in (0, 5, 40):

            def make(title: str, severity: str = severity, offset: int = offset) -> Finding:
                return services.create_finding(
                    actor=actor,
                    application=app,
                    title=f"{severity} {title} {offset}",
                    severity=severity,
                    detected_at=T0 + offset * HOUR,
                )

            make("open")
            services.mark_fixed(actor=actor, finding=make("fixed"), now=T0 + (offset + 3) * HOUR)
            late = services.mark_fixed(actor=actor, finding=make("late"), now=T0 + (offset + 60) * HOUR)
            services.record_retest(actor=actor, finding=late, passed=True, now=T0 + (offset + 70) * HOUR)
            failed = services.mark_fixed(actor=actor, finding=make("failed"), now=T0 + (offset + 1) * HOUR)
            services.record_retest(actor=actor, finding=failed, passed=False, now=T0 + (offset + 2) * HOUR)
            services.mark_false_positive(actor=actor, finding=make("fp"), reason="noise", now=T0)
            accepted = make("risk")
            Finding.objects.filter(pk=accepted.pk).update(
                status=FindingStatus.RISK_ACCEPTED, risk_reason="WAF", risk_expires_at=T0 + 30 * HOUR
            )
    Finding.objects.filter(title="info open 0").update(status=FindingStatus.CLOSED)  # closed, no clock


@pytest.mark.django_db
def test_sql_filters_match_computed_state(scoped: Any, owner_a: Any) -> None:
    actor = principal_for(owner_a, scoped)
    _findings(actor)
    findings = list(Finding.objects.all())
    instants = [
        T0 + hours * HOUR
        for hours in (0, 1, 2.5, 4, 10, 29, 31, 47, 50, 100, 240, 300, 340, 400, 3200, 3500, 5000)
    ]
    seen_states: set[str] = set()
    for now in instants:
        for state in SLA_STATES:
            expected = {f.pk for f in findings if sla_state(f, now=now) == state}
            seen_states |= {state} if expected else set()
            got = set(with_sla_state(Finding.objects.all(), state, now=now).values_list("pk", flat=True))
            assert got == expected, (now, state)
        for status in FindingStatus.values:
            expected = {f.pk for f in findings if effective_status(f, now=now) == status}
            got = set(
                with_effective_status(Finding.objects.all(), status, now=now).values_list("pk", flat=True)
            )
            assert got == expected, (now, status)
    assert seen_states == set(SLA_STATES)  # every state occurred, so every branch was compared
