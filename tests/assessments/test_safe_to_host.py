"""Safe to host (computed), the role policies, and tenant isolation of the ORM scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.assessments.helpers import T0, application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Application, Finding
from trustroom.assessments.state import safe_to_host
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
D = dt.timedelta(days=1)


def test_never_tested_is_not_safe(actor: Any) -> None:
    safe, reasons = safe_to_host(application(actor), now=T0)
    assert not safe and reasons == ["No completed VAPT engagement is recorded for this application."]


def test_recent_clean_engagement_is_safe_then_expires_with_the_cadence(actor: Any) -> None:
    app = application(actor)  # twice a year
    completed_engagement(actor, app, end=T0)
    assert safe_to_host(app, now=T0 + D) == (True, [])
    safe, reasons = safe_to_host(app, now=T0 + 200 * D)
    assert not safe and len(reasons) == 1 and "next was due 2026-09-02 (twice a year)" in reasons[0]


def test_open_critical_or_high_blocks_until_retest_passes(actor: Any) -> None:
    app = application(actor)
    completed_engagement(actor, app, end=T0)
    services.create_finding(
        actor=actor, application=app, title="Info leak", severity="medium", detected_at=T0
    )
    services.create_finding(actor=actor, application=app, title="Low", severity="low", detected_at=T0)
    assert safe_to_host(app, now=T0 + D)[0]  # medium and low do not block
    crit = services.create_finding(
        actor=actor, application=app, title="RCE", severity="critical", detected_at=T0
    )
    high = services.create_finding(
        actor=actor, application=app, title="IDOR", severity="high", detected_at=T0
    )
    safe, reasons = safe_to_host(app, now=T0 + D)
    assert not safe and reasons == [
        "Unresolved findings: 1 critical and 1 high (open, reopened or awaiting retest)."
    ]
    services.mark_fixed(actor=actor, finding=crit, now=T0 + D)
    assert not safe_to_host(app, now=T0 + 2 * D)[0]  # awaiting retest still blocks
    services.record_retest(actor=actor, finding=crit, passed=True, now=T0 + 2 * D)
    services.accept_risk(
        actor=actor, finding=high, reason="Mitigated by WAF", expires_at=T0 + 30 * D, now=T0 + 2 * D
    )
    assert safe_to_host(app, now=T0 + 3 * D) == (True, [])
    # The acceptance expires: the high finding reads as reopened and blocks again.
    safe, reasons = safe_to_host(app, now=T0 + 30 * D)
    assert not safe and reasons == ["Unresolved findings: 1 high (open, reopened or awaiting retest)."]


def test_other_applications_findings_do_not_count(actor: Any) -> None:
    app = application(actor)
    other = application(actor, name="Billing")
    completed_engagement(actor, app, end=T0)
    services.create_finding(actor=actor, application=other, title="RCE", severity="critical", detected_at=T0)
    assert safe_to_host(app, now=T0 + D)[0]


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_cannot_write(actor: Any, scoped: Any, role: str) -> None:
    app = application(actor)
    f = services.create_finding(
        actor=actor, application=app, title="RCE", severity="critical", detected_at=T0
    )
    reader = principal_for(member(scoped, role), scoped)
    attempts = [
        lambda: services.create_vendor(actor=reader, name="X"),
        lambda: services.create_application(actor=reader, name="X", criticality="low"),
        lambda: services.create_finding(actor=reader, application=app, title="X", severity="low"),
        lambda: services.mark_fixed(actor=reader, finding=f),
        lambda: services.create_sla_policy_version(actor=reader),
        lambda: services.expire_risk_acceptances(actor=reader),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert Finding.objects.count() == 1


def test_editor_writes_findings_but_not_the_sla_policy(actor: Any, scoped: Any) -> None:
    editor = principal_for(member(scoped, "editor"), scoped)
    app = services.create_application(actor=editor, name="Portal", criticality="high")
    services.create_finding(actor=editor, application=app, title="XSS", severity="medium")
    with pytest.raises(PermissionDenied):
        services.create_sla_policy_version(actor=editor)


def test_another_organizations_records_are_invisible_and_unusable(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any
) -> None:
    with org_scope(org_b):
        theirs = services.create_application(
            actor=principal_for(owner_b, org_b), name="Bravo portal", criticality="high"
        )
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        mine = application(actor)
        assert list(Application.objects.values_list("name", flat=True)) == [mine.name]
        with pytest.raises(ValidationError) as exc:
            services.create_finding(actor=actor, application=theirs, title="X", severity="low")
        assert list(exc.value.message_dict) == ["application"]
        assert not Finding.objects.exists()
