"""Editing a finding through `services.update_finding`: the same validation as creation (nothing written
on error), re-triage deadlines from detection under the finding's own SLA version, the audit event's
before/after, the trust center invalidation and the role check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.assessments.helpers import CVSS31_CRITICAL, T0, application
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Finding
from trustroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def recorded(actor: Any, app: Any, severity: str = "medium", **kw: Any) -> Finding:
    values = {"title": "Stored XSS in comments", "asset": "https://portal.example/c"} | kw
    return services.create_finding(actor=actor, application=app, severity=severity, detected_at=T0, **values)


def edit(actor: Any, finding: Finding, **changes: Any) -> Finding:
    """`update_finding` with every field as stored, except `changes`."""
    values = {
        "title": finding.title,
        "description": finding.description,
        "severity": finding.severity,
        "cvss_vector": finding.cvss_vector,
        "cwe_id": finding.cwe_id,
        "asset": finding.asset,
        "evidence": finding.evidence,
        "engagement": finding.engagement,
    } | changes
    return services.update_finding(actor=actor, finding=finding, **values)


def update_events(finding: Finding) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="finding.update", target_id=str(finding.pk)).order_by("seq"))


def test_edit_saves_the_describing_fields_and_scores_the_vector(actor: Any) -> None:
    f = recorded(actor, application(actor))
    edit(
        actor,
        f,
        title="  Stored XSS in profile  ",
        description="Script runs for every visitor.",
        cvss_vector=CVSS31_CRITICAL,
        cwe_id="CWE-79",
        asset="https://portal.example/profile",
        evidence="<script>alert(1)</script>",
    )
    f = Finding.objects.get(pk=f.pk)
    assert (f.title, f.cwe_id, f.cvss_version, str(f.cvss_score)) == (
        "Stored XSS in profile",
        79,
        "3.1",
        "9.8",
    )
    assert (f.asset, f.evidence) == ("https://portal.example/profile", "<script>alert(1)</script>")
    assert (f.due_at, f.target_at) == (T0 + 14 * D, T0 + 7 * D)  # same severity: deadlines untouched


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"severity": "urgent"}, "severity"),
        ({"cvss_vector": "CVSS:3.1/AV:X"}, "cvss_vector"),
        ({"cwe_id": "XSS"}, "cwe_id"),
        ({"cwe_id": "CWE-0"}, "cwe_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    actor: Any, changes: dict[str, Any], field: str
) -> None:
    f = recorded(actor, application(actor))
    before = Finding.objects.filter(pk=f.pk).values().get()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        edit(actor, f, **({"severity": "critical", "description": "changed too"} | changes))
    assert field in refused.value.message_dict
    assert Finding.objects.filter(pk=f.pk).values().get() == before
    assert AuditEvent.objects.count() == events


def test_every_problem_is_reported_at_once(actor: Any) -> None:
    f = recorded(actor, application(actor))
    with pytest.raises(ValidationError) as refused:
        edit(actor, f, title="", cvss_vector="nonsense", cwe_id="abc")
    assert set(refused.value.message_dict) == {"title", "cvss_vector", "cwe_id"}


def test_an_engagement_of_another_application_is_refused(actor: Any) -> None:
    app, other = application(actor), application(actor, "Intranet")
    vendor = services.create_vendor(actor=actor, name="Sumasoft")
    elsewhere = services.create_engagement(
        actor=actor,
        vendor=vendor,
        application=other,
        name="Intranet VAPT",
        window_start=T0,
        window_end=T0 + 7 * D,
    )
    f = recorded(actor, app)
    with pytest.raises(ValidationError) as refused:
        edit(actor, f, engagement=elsewhere)
    assert "engagement" in refused.value.message_dict
    assert Finding.objects.get(pk=f.pk).engagement_id is None


def test_creation_applies_the_same_checks(actor: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_finding(
            actor=actor, application=application(actor), title="", severity="high", cwe_id="abc"
        )
    assert set(refused.value.message_dict) == {"title", "cwe_id"}


@pytest.mark.parametrize(
    ("severity", "due", "target"),
    [("critical", 4 * H, 2 * H), ("high", 48 * H, 24 * H), ("info", None, None)],
)
def test_a_severity_change_recomputes_deadlines_from_detection_under_the_original_version(
    actor: Any, severity: str, due: dt.timedelta | None, target: dt.timedelta | None
) -> None:
    f = recorded(actor, application(actor), "medium")
    v1 = f.sla_policy
    # A newer, stricter version exists by the time of the re-triage: it must not apply.
    v2 = services.create_sla_policy_version(
        actor=actor,
        critical_due_hours=1,
        critical_target_hours=1,
        high_due_hours=8,
        high_target_hours=4,
    )
    assert v2.version == v1.version + 1
    edit(actor, f, severity=severity)
    f = Finding.objects.get(pk=f.pk)
    assert f.severity == severity and f.sla_policy_id == v1.pk and f.detected_at == T0
    assert f.due_at == (T0 + due if due else None)
    assert f.target_at == (T0 + target if target else None)


def test_a_re_triage_to_low_is_due_at_the_next_test_after_detection(actor: Any) -> None:
    app = application(actor)
    vendor = services.create_vendor(actor=actor, name="Sumasoft")
    start = T0 + 40 * D
    services.create_engagement(
        actor=actor, vendor=vendor, application=app, name="Next", window_start=start, window_end=start + 7 * D
    )
    f = recorded(actor, app, "critical")
    edit(actor, f, severity="low")
    f = Finding.objects.get(pk=f.pk)
    assert f.due_at == start and f.target_at == start


def test_the_audit_event_holds_before_and_after_of_changed_fields_only(actor: Any) -> None:
    f = recorded(actor, application(actor), "medium", description="Old text")
    edit(actor, f, severity="high", title="Stored XSS everywhere", cwe_id=79)
    [event] = update_events(f)
    assert event.changes == {
        "title": ["Stored XSS in comments", "Stored XSS everywhere"],
        "severity": ["medium", "high"],
        "cwe_id": [None, 79],
        "due_at": [(T0 + 14 * D).isoformat(), (T0 + 48 * H).isoformat()],
        "target_at": [(T0 + 7 * D).isoformat(), (T0 + 24 * H).isoformat()],
    }
    assert event.actor_user_id == actor.user.pk


def test_a_text_edit_records_no_deadline_and_saving_unchanged_records_nothing(actor: Any) -> None:
    f = recorded(actor, application(actor))
    edit(actor, f, evidence="GET /c?q=<svg onload=alert(1)>")
    edit(actor, Finding.objects.get(pk=f.pk))  # nothing differs
    [event] = update_events(f)
    assert event.changes == {"evidence": ["", "GET /c?q=<svg onload=alert(1)>"]}


def test_an_edit_invalidates_the_trust_center_after_commit(
    actor: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    f = recorded(actor, application(actor))
    invalidated: list[int] = []
    monkeypatch.setattr("trustroom.trustcenter.cache.invalidate_trust_center", invalidated.append)
    with django_capture_on_commit_callbacks(execute=True):
        edit(actor, f, severity="critical")
    assert invalidated == [f.organization_id]


def test_a_viewer_may_not_edit(actor: Any, scoped: Any) -> None:
    f = recorded(actor, application(actor))
    viewer = principal_for(member(scoped, "viewer"), scoped)
    with pytest.raises(PermissionDenied):
        edit(viewer, f, severity="critical", title="Changed")
    stored = Finding.objects.get(pk=f.pk)
    assert (stored.severity, stored.title) == ("medium", "Stored XSS in comments")
    assert update_events(f) == []


def test_an_editor_may_edit(actor: Any, scoped: Any) -> None:
    f = recorded(actor, application(actor))
    editor = principal_for(member(scoped, "editor"), scoped)
    edit(editor, f, title="Renamed by the editor")
    assert Finding.objects.get(pk=f.pk).title == "Renamed by the editor"
