"""Dashboard metrics: exact numbers from findings with known timestamps, and agreement with `state`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
import time_machine

from tests.assessments.helpers import application
from trustroom.assessments import dashboard, services
from trustroom.assessments.models import Finding
from trustroom.assessments.selectors import unresolved_findings
from trustroom.assessments.state import sla_state

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
NOW = dt.datetime(2026, 5, 13, 12, 0, tzinfo=dt.UTC)  # a Wednesday in 2026 Q2


def finding(actor: Any, app: Any, severity: str, detected_at: dt.datetime, title: str = "") -> Finding:
    return services.create_finding(
        actor=actor,
        application=app,
        title=title or f"{severity} at {detected_at:%Y-%m-%d %H:%M}",
        severity=severity,
        detected_at=detected_at,
    )


def fixed(actor: Any, f: Finding, at: dt.datetime, *, closed_at: dt.datetime | None = None) -> Finding:
    f = services.mark_fixed(actor=actor, finding=f, now=at)
    if closed_at is not None:
        f = services.record_retest(actor=actor, finding=f, passed=True, now=closed_at)
    return f


def accepted(actor: Any, f: Finding, at: dt.datetime, expires_at: dt.datetime) -> Finding:
    return services.accept_risk(
        actor=actor, finding=f, reason="compensating WAF rule", expires_at=expires_at, now=at
    )


def test_open_by_severity_and_age(actor: Any) -> None:
    app = application(actor)
    finding(actor, app, "critical", NOW - 1 * D)
    finding(actor, app, "critical", NOW - 7 * D)  # exactly 7 days: still the first bucket
    finding(actor, app, "high", NOW - 7 * D - H)
    finding(actor, app, "high", NOW - 30 * D)
    finding(actor, app, "medium", NOW - 45 * D)
    finding(actor, app, "low", NOW - 200 * D)
    finding(actor, app, "info", NOW - 91 * D)
    fixed(actor, finding(actor, app, "high", NOW - 3 * D), NOW - 2 * D)  # awaiting retest: unresolved
    fixed(actor, finding(actor, app, "critical", NOW - 3 * D), NOW - 2 * D, closed_at=NOW - D)  # closed
    services.mark_false_positive(
        actor=actor, finding=finding(actor, app, "medium", NOW - 2 * D), reason="n/a"
    )
    accepted(actor, finding(actor, app, "high", NOW - 60 * D), NOW - 50 * D, NOW + D)  # in force
    accepted(actor, finding(actor, app, "medium", NOW - 60 * D), NOW - 50 * D, NOW - D)  # expired

    result = dashboard.open_by_age(now=NOW)

    assert result.buckets == ["0-7 days", "8-30 days", "31-90 days", "Over 90 days"]
    assert [(r.severity, r.counts, r.total) for r in result.rows] == [
        ("critical", [2, 0, 0, 0], 2),
        ("high", [1, 2, 0, 0], 3),
        ("medium", [0, 0, 2, 0], 2),
        ("low", [0, 0, 0, 1], 1),
        ("info", [0, 0, 0, 1], 1),
    ]
    assert result.total == 9 == unresolved_findings(now=NOW).count()
    assert result.by_severity()["high"] == 3


def test_sla_state_counts_agree_with_state_sla_state(actor: Any) -> None:
    app = application(actor)
    start = NOW - 20 * D
    made = []
    # A spread of detections every 7 hours over 20 days, each severity, some fixed, some accepted.
    for i in range(60):
        severity = ("critical", "high", "medium", "low", "info")[i % 5]
        f = finding(actor, app, severity, start + i * 7 * H, title=f"finding {i}")
        if i % 7 == 0:
            f = fixed(actor, f, f.detected_at + (i % 5 + 1) * 3 * H)
        elif i % 11 == 0:
            f = accepted(actor, f, f.detected_at + H, f.detected_at + (i % 3 + 1) * 2 * D)
        made.append(f)
    for moment in (start + 30 * H, NOW - 10 * D, NOW - 2 * D + 5 * H, NOW, NOW + 15 * D):
        expected = Counter(sla_state(f, now=moment) for f in unresolved_findings(now=moment))
        counts = dashboard.sla_now(now=moment)
        assert {
            "within": counts.within,
            "approaching": counts.approaching,
            "breached": counts.breached,
            "met": counts.met,
            "none": counts.no_deadline,
        } == {state: expected.get(state, 0) for state in ("within", "approaching", "breached", "met", "none")}
        assert counts.total == unresolved_findings(now=moment).count()
    assert len(made) == 60


def test_sla_state_boundaries(actor: Any) -> None:
    """Target passed → approaching; last quarter of the window → approaching; past due → breached."""
    app = application(actor)
    medium = finding(actor, app, "medium", NOW)  # due +14 d, target +7 d
    counts = dashboard.sla_now
    assert counts(now=NOW + 7 * D - H).within == 1
    assert counts(now=NOW + 7 * D).approaching == 1
    assert counts(now=NOW + 14 * D).approaching == 1
    assert counts(now=NOW + 14 * D + dt.timedelta(microseconds=1)).breached == 1
    low = finding(actor, app, "low", NOW)  # due = target = next test (in 6 months, never tested)
    window = low.due_at - NOW
    quarter_left = low.due_at - window / 4  # target_at == due_at: only the 25 % rule applies
    assert (sla_state(low, now=quarter_left - H), counts(now=quarter_left - H).within) == ("within", 1)
    assert (sla_state(low, now=quarter_left + H), counts(now=quarter_left + H).approaching) == (
        "approaching",
        1,
    )
    services.mark_fixed(actor=actor, finding=medium, now=NOW + 15 * D)
    after = counts(now=NOW + 16 * D)
    assert (after.breached, after.met) == (1, 0)  # fixed late, awaiting retest


def test_sla_adherence_per_quarter(actor: Any) -> None:
    app = application(actor)
    q4 = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)
    q1 = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
    q2 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    fixed(actor, finding(actor, app, "critical", q4), q4 + 3 * H, closed_at=q4 + D)  # met
    services.mark_false_positive(actor=actor, finding=finding(actor, app, "high", q4), reason="scanner noise")
    fixed(actor, finding(actor, app, "critical", q1), q1 + H)  # met (awaiting retest)
    fixed(actor, finding(actor, app, "high", q1), q1 + 50 * H)  # breached (48 h)
    fixed(actor, finding(actor, app, "high", q1 + D), q1 + D + 48 * H)  # met: exactly at the deadline
    finding(actor, app, "medium", q1 + 10 * D)  # still open past due: breached
    finding(actor, app, "medium", q2)  # due 04-15, open: breached (2026 Q2)
    finding(actor, app, "medium", NOW - 5 * D)  # due after now: not counted yet
    finding(actor, app, "info", q2)  # no deadline
    accepted(actor, finding(actor, app, "high", q2), q2 + H, NOW + 30 * D)  # accepted, in force: no SLA
    expired = finding(actor, app, "high", q2 + D)
    accepted(actor, expired, q2 + D + H, q2 + 10 * D)  # expired: reads reopened, past due → breached
    # a failed retest reopens against the original deadline
    retested = fixed(actor, finding(actor, app, "critical", q2 + 2 * D), q2 + 2 * D + H)
    services.record_retest(actor=actor, finding=retested, passed=False, now=q2 + 3 * D)

    result = dashboard.sla_adherence(now=NOW)

    assert [(q.label, q.met, q.breached, q.percent) for q in result] == [
        ("2025 Q3", 0, 0, None),
        ("2025 Q4", 1, 0, 100.0),
        ("2026 Q1", 2, 2, 50.0),
        ("2026 Q2", 0, 3, 0.0),
    ]
    assert result[-1].end == NOW
    assert result[0].start == dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    assert [q.label for q in dashboard.sla_adherence(now=NOW, quarters=6)][:2] == ["2025 Q1", "2025 Q2"]


def test_time_to_remediate_per_severity(actor: Any) -> None:
    app = application(actor)
    base = NOW - 30 * D
    for hours in (1, 3, 8):
        fixed(actor, finding(actor, app, "critical", base), base + hours * H)
    fixed(actor, finding(actor, app, "high", base), base + 10 * H, closed_at=base + 5 * D)
    fixed(actor, finding(actor, app, "high", base), base + 20 * H)
    old = NOW - 200 * D
    fixed(actor, finding(actor, app, "high", old), old + 100 * H)  # before the period
    reopened = fixed(actor, finding(actor, app, "medium", base), base + 2 * H)
    services.record_retest(actor=actor, finding=reopened, passed=False, now=base + D)  # not remediated
    finding(actor, app, "low", base)  # open
    # Closed without a fix step (as a full re-scan closes what disappeared): time to closing counts.
    gone_high = finding(actor, app, "high", base)
    gone_medium = finding(actor, app, "medium", base)
    Finding.objects.filter(pk=gone_high.pk).update(status="closed", closed_at=base + 30 * H)
    Finding.objects.filter(pk=gone_medium.pk).update(status="closed", closed_at=base + 6 * H)

    result = dashboard.mean_time_to_remediate(now=NOW)

    rows = {r.severity: (r.remediated, r.mean, r.median) for r in result.rows}
    assert rows["critical"] == (3, 4 * H, 3 * H)
    assert rows["high"] == (3, 20 * H, 20 * H)  # 10 h and 20 h fixed, 30 h closed
    assert rows["medium"] == (1, 6 * H, 6 * H)
    assert rows["low"] == (0, None, None)
    assert result.start == NOW - 90 * D
    assert (result.remediated, result.overall_mean) == (7, dt.timedelta(seconds=round(78 * 3600 / 7)))
    longer = dashboard.mean_time_to_remediate(now=NOW, start=NOW - 365 * D)
    assert {r.severity: (r.remediated, r.median) for r in longer.rows}["high"] == (4, 25 * H)


def brute_force_unresolved(findings: list[Finding], at: dt.datetime, now: dt.datetime) -> int:
    """The burn-down definition, evaluated finding by finding."""

    def resolved_at(f: Finding) -> dt.datetime | None:
        if f.status in ("closed", "false_positive"):
            return f.closed_at
        if f.status == "risk_accepted" and f.risk_expires_at is not None and f.risk_expires_at > now:
            return f.updated_at
        return None

    return sum(
        1
        for f in findings
        if f.detected_at <= at and (resolved_at(f) is None or resolved_at(f) > at)  # type: ignore[operator]
    )


def test_burn_down(actor: Any) -> None:
    app = application(actor)
    week_zero = dashboard.week_start(NOW) - 11 * dt.timedelta(weeks=1)  # Monday 2026-02-23
    assert week_zero == dt.datetime(2026, 2, 23, tzinfo=dt.UTC)
    finding(actor, app, "high", week_zero - 10 * D)  # open throughout
    closed_early = finding(actor, app, "medium", week_zero - 5 * D)
    fixed(actor, closed_early, week_zero + 2 * D, closed_at=week_zero + 9 * D)  # resolved in week 1
    for week in range(12):
        finding(actor, app, "low", week_zero + week * dt.timedelta(weeks=1) + D)  # one a week
    fp = finding(actor, app, "medium", week_zero + 15 * D)
    services.mark_false_positive(actor=actor, finding=fp, reason="test data", now=week_zero + 16 * D)
    with time_machine.travel(week_zero + 30 * D, tick=False):
        accepted(actor, finding(actor, app, "high", week_zero + 29 * D), week_zero + 30 * D, NOW + 60 * D)
    edge = finding(actor, app, "critical", week_zero + dt.timedelta(weeks=5))  # exactly at a week's start
    fixed(actor, edge, week_zero + dt.timedelta(weeks=5) + H, closed_at=week_zero + dt.timedelta(weeks=6))

    result = dashboard.burn_down(now=NOW)

    assert len(result.weeks) == 12
    assert result.start_unresolved == 2  # `before` and `closed_early`
    assert [w.opened for w in result.weeks] == [1, 1, 2, 1, 3, 1, 1, 1, 1, 1, 1, 1]
    assert [w.resolved for w in result.weeks] == [0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert [w.unresolved for w in result.weeks] == [3, 3, 4, 5, 7, 7, 8, 9, 10, 11, 12, 13]
    assert result.weeks[4].end == week_zero + dt.timedelta(weeks=5)
    assert result.weeks[-1].end == NOW
    everything = list(Finding.objects.all())
    for week in result.weeks:
        assert week.unresolved == brute_force_unresolved(everything, week.end, NOW)
    assert result.weeks[-1].unresolved == unresolved_findings(now=NOW).count()


def test_application_filter_and_summary(actor: Any) -> None:
    portal = application(actor, name="Portal")
    api = application(actor, name="API", criticality="high")
    finding(actor, portal, "critical", NOW - 10 * D)
    finding(actor, api, "high", NOW - 3 * D)
    finding(actor, api, "high", NOW - 4 * D)

    everything = dashboard.dashboard(now=NOW)
    only_api = dashboard.dashboard(now=NOW, application=api)

    assert everything.open_by_age.by_severity() == {
        "critical": 1,
        "high": 2,
        "medium": 0,
        "low": 0,
        "info": 0,
    }
    assert only_api.open_by_age.by_severity()["critical"] == 0
    assert only_api.open_by_age.total == 2
    assert (everything.sla_now.breached, only_api.sla_now.breached) == (3, 2)
    assert only_api.burndown.weeks[-1].unresolved == 2
    assert everything.has_findings and only_api.application == api


def test_empty_organization(actor: Any) -> None:
    summary = dashboard.dashboard(now=NOW)
    assert not summary.has_findings
    assert summary.open_by_age.total == 0
    assert summary.sla_now.total == 0
    assert all(q.percent is None for q in summary.adherence)
    assert all(w.unresolved == 0 for w in summary.burndown.weeks)
