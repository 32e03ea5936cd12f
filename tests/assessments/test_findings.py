"""Findings: deadlines fixed at detection, SLA versions, SLA state at its boundaries, the retest loop,
risk acceptance and its expiry, false positives, CVSS parsing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.assessments.helpers import CVSS31_CRITICAL, CVSS40_CRITICAL, T0, application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Finding, FindingStatus, SlaPolicy
from trustroom.assessments.state import SlaState, effective_status, parse_cvss, sla_state
from trustroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def finding(actor: Any, app: Any, severity: str, at: dt.datetime = T0, **kw: Any) -> Finding:
    return services.create_finding(
        actor=actor, application=app, title=f"{severity} issue", severity=severity, detected_at=at, **kw
    )


@pytest.mark.parametrize(
    ("severity", "due", "target"),
    [("critical", 4 * H, 2 * H), ("high", 48 * H, 24 * H), ("medium", 14 * D, 7 * D)],
)
def test_deadlines_by_severity_fixed_at_detection(
    actor: Any, severity: str, due: dt.timedelta, target: dt.timedelta
) -> None:
    f = finding(actor, application(actor), severity)
    f.refresh_from_db()
    assert f.due_at == T0 + due and f.target_at == T0 + target
    assert f.sla_policy.version == 1
    assert f.due_at.utcoffset() == dt.timedelta(0)


def test_low_is_due_before_the_next_planned_engagement(actor: Any) -> None:
    app = application(actor)
    vendor = services.create_vendor(actor=actor, name="Sumasoft")
    start = T0 + 40 * D
    services.create_engagement(
        actor=actor,
        vendor=vendor,
        application=app,
        name="Next VAPT",
        window_start=start,
        window_end=start + 7 * D,
    )
    f = finding(actor, app, "low")
    assert f.due_at == start and f.target_at == start


def test_low_without_a_planned_engagement_is_due_when_the_cadence_requires(actor: Any) -> None:
    app = application(actor, criticality="high")  # yearly
    completed_engagement(actor, app, end=T0 - 30 * D)
    f = finding(actor, app, "low")
    assert f.due_at == dt.datetime(2027, 1, 31, 9, 0, tzinfo=dt.UTC)


def test_info_has_no_deadline(actor: Any) -> None:
    f = finding(actor, application(actor), "info")
    assert f.due_at is None and sla_state(f, now=T0 + 1000 * D) == SlaState.NONE


def test_a_new_policy_version_applies_only_to_findings_detected_after_it(actor: Any) -> None:
    app = application(actor)
    before = finding(actor, app, "high", at=timezone.now() - H)
    effective = timezone.now() + H
    v2 = services.create_sla_policy_version(
        actor=actor, effective_from=effective, high_due_hours=24, high_target_hours=12
    )
    assert v2.version == 2 and v2.critical_due_hours == 4  # unspecified hours copied from v1
    before.refresh_from_db()
    assert before.due_at == before.detected_at + 48 * H and before.sla_policy.version == 1
    still_v1 = finding(actor, app, "high", at=effective - dt.timedelta(seconds=1))
    after = finding(actor, app, "high", at=effective)
    assert still_v1.sla_policy.version == 1 and still_v1.due_at == still_v1.detected_at + 48 * H
    assert (
        after.sla_policy == v2
        and after.due_at == effective + 24 * H
        and after.target_at == effective + 12 * H
    )


def test_policy_version_validation(actor: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_sla_policy_version(actor=actor, effective_from=T0, high_target_hours=100)
    assert set(exc.value.message_dict) == {"effective_from", "high_target_hours"}
    assert not SlaPolicy.objects.filter(version=2).exists()


def test_sla_state_boundaries_for_a_critical(actor: Any) -> None:
    f = finding(actor, application(actor), "critical")  # due T0+4h, target T0+2h
    assert sla_state(f, now=T0 + H) == SlaState.WITHIN
    assert sla_state(f, now=T0 + 2 * H - dt.timedelta(seconds=1)) == SlaState.WITHIN
    assert sla_state(f, now=T0 + 2 * H) == SlaState.APPROACHING
    assert sla_state(f, now=T0 + 4 * H) == SlaState.APPROACHING
    assert sla_state(f, now=T0 + 4 * H + dt.timedelta(seconds=1)) == SlaState.BREACHED


def test_approaching_within_the_last_quarter_of_the_window(actor: Any) -> None:
    services.create_sla_policy_version(actor=actor, high_due_hours=48, high_target_hours=48)
    at = timezone.now() + H
    f = finding(actor, application(actor), "high", at=at)
    assert sla_state(f, now=at + 36 * H - dt.timedelta(seconds=1)) == SlaState.WITHIN
    assert sla_state(f, now=at + 36 * H) == SlaState.APPROACHING


def test_retest_loop_keeps_the_original_deadline(actor: Any) -> None:
    f = finding(actor, application(actor), "high")  # due T0+48h
    services.mark_fixed(actor=actor, finding=f, now=T0 + 20 * H)
    assert f.status == FindingStatus.FIXED_AWAITING_RETEST and f.retest_due_at == T0 + 20 * H + 30 * D
    # The clock stopped at the fix: no breach while the vendor retests after the deadline.
    assert sla_state(f, now=T0 + 10 * D) == SlaState.MET
    services.record_retest(actor=actor, finding=f, passed=False, notes="still injectable", now=T0 + 5 * D)
    f.refresh_from_db()
    assert f.status == FindingStatus.REOPENED and f.due_at == T0 + 48 * H and f.fixed_at is None
    assert sla_state(f, now=T0 + 5 * D) == SlaState.BREACHED
    services.mark_fixed(actor=actor, finding=f, now=T0 + 6 * D)
    services.record_retest(actor=actor, finding=f, passed=True, now=T0 + 7 * D)
    f.refresh_from_db()
    assert f.status == FindingStatus.CLOSED and f.closed_at == T0 + 7 * D
    assert sla_state(f, now=T0 + 8 * D) == SlaState.BREACHED  # fixed after its deadline
    with pytest.raises(ValidationError):
        services.record_retest(actor=actor, finding=f, passed=True)
    actions = list(
        AuditEvent.objects.filter(target_id=str(f.pk), action__startswith="finding.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["finding.create", "finding.fix", "finding.retest", "finding.fix", "finding.retest"]


def test_fixed_in_time_is_met(actor: Any) -> None:
    f = finding(actor, application(actor), "critical")
    services.mark_fixed(actor=actor, finding=f, now=T0 + 3 * H)
    services.record_retest(actor=actor, finding=f, passed=True, now=T0 + 2 * D)
    assert sla_state(f, now=T0 + 3 * D) == SlaState.MET


def test_risk_acceptance_expiry_reopens(actor: Any) -> None:
    f = finding(actor, application(actor), "high")
    now = T0 + H
    services.accept_risk(actor=actor, finding=f, reason="WAF rule in place", expires_at=now + 10 * D, now=now)
    assert effective_status(f, now=now + 10 * D - dt.timedelta(seconds=1)) == FindingStatus.RISK_ACCEPTED
    assert sla_state(f, now=now + 9 * D) == SlaState.NONE
    assert effective_status(f, now=now + 10 * D) == FindingStatus.REOPENED
    assert sla_state(f, now=now + 10 * D) == SlaState.BREACHED
    assert services.expire_risk_acceptances(actor=actor, now=now + 9 * D) == 0
    assert services.expire_risk_acceptances(actor=actor, now=now + 10 * D) == 1
    assert services.expire_risk_acceptances(actor=actor, now=now + 11 * D) == 0
    f.refresh_from_db()
    assert f.status == FindingStatus.REOPENED and f.risk_expires_at is None
    assert AuditEvent.objects.filter(action="finding.risk_expired").count() == 1


def test_risk_acceptance_needs_reason_and_bounded_expiry(actor: Any) -> None:
    f = finding(actor, application(actor), "high")
    with pytest.raises(ValidationError) as exc:
        services.accept_risk(actor=actor, finding=f, reason="", expires_at=T0 + 366 * D, now=T0)
    assert set(exc.value.message_dict) == {"reason", "expires_at"}
    with pytest.raises(ValidationError) as exc:
        services.accept_risk(actor=actor, finding=f, reason="ok", expires_at=T0 - D, now=T0)
    assert "expires_at" in exc.value.message_dict
    services.accept_risk(actor=actor, finding=f, reason="ok", expires_at=T0 + 365 * D, now=T0)


def test_editor_cannot_accept_risk(actor: Any, scoped: Any) -> None:
    f = finding(actor, application(actor), "high")
    editor = principal_for(member(scoped, "editor"), scoped)
    with pytest.raises(PermissionDenied):
        services.accept_risk(actor=editor, finding=f, reason="mine", expires_at=T0 + D, now=T0)


def test_false_positive_and_reopen(actor: Any) -> None:
    f = finding(actor, application(actor), "critical")
    with pytest.raises(ValidationError) as exc:
        services.mark_false_positive(actor=actor, finding=f, reason=" ")
    assert "reason" in exc.value.message_dict
    services.mark_false_positive(actor=actor, finding=f, reason="Endpoint is a honeypot", now=T0 + H)
    assert sla_state(f, now=T0 + 10 * D) == SlaState.NONE
    services.reopen_finding(actor=actor, finding=f, reason="It was real", now=T0 + 2 * D)
    f.refresh_from_db()
    assert f.status == FindingStatus.REOPENED and f.closed_at is None
    with pytest.raises(ValidationError):
        services.reopen_finding(actor=actor, finding=f)


def test_assign_only_members(actor: Any, scoped: Any, org_b: Any, owner_a: Any) -> None:
    f = finding(actor, application(actor), "medium")
    services.assign_finding(actor=actor, finding=f, assignee=owner_a)
    assert Finding.objects.get(pk=f.pk).assignee == owner_a
    outsider = member(org_b, "owner")
    with pytest.raises(ValidationError) as exc:
        services.assign_finding(actor=actor, finding=f, assignee=outsider)
    assert "assignee" in exc.value.message_dict


def test_fingerprint_unique_per_application(actor: Any) -> None:
    app = application(actor)
    other = application(actor, name="Billing")
    finding(actor, app, "low", fingerprint="abc")
    finding(actor, other, "low", fingerprint="abc")
    finding(actor, app, "low")
    finding(actor, app, "low")  # blank fingerprints never clash
    with pytest.raises(ValidationError) as exc:
        finding(actor, app, "low", fingerprint="abc")
    assert "fingerprint" in exc.value.message_dict


def test_cvss_31_and_40_parse_and_score(actor: Any) -> None:
    v31 = parse_cvss(CVSS31_CRITICAL)
    assert v31 is not None and v31.version == "3.1" and v31.base_score == Decimal("9.8")
    v40 = parse_cvss(CVSS40_CRITICAL)
    assert v40 is not None and v40.version == "4.0" and v40.base_score == Decimal("9.3")
    medium = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")  # reflected XSS
    assert medium is not None and medium.base_score == Decimal("6.1")
    f = finding(actor, application(actor), "critical", cvss_vector=CVSS40_CRITICAL, cwe_id="CWE-89")
    f.refresh_from_db()
    assert (f.cvss_version, f.cvss_score, f.cwe_id) == ("4.0", Decimal("9.3"), 89)


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",  # a mandatory metric missing
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",  # an invalid value
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",  # CVSS v2 is not accepted
        "not a vector",
    ],
)
def test_invalid_cvss_fails_naming_the_field(actor: Any, vector: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_cvss(vector)
    assert list(exc.value.message_dict) == ["cvss_vector"]
    with pytest.raises(ValidationError) as exc:
        finding(actor, application(actor), "high", cvss_vector=vector, cwe_id="XSS")
    assert set(exc.value.message_dict) == {"cvss_vector", "cwe_id"}
    assert not Finding.objects.exists()
