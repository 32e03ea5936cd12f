"""Vendors, applications (cadence defaults), engagements, next test due and overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.assessments.helpers import T0, application, completed_engagement
from trustroom.assessments import services
from trustroom.assessments.models import Cadence, EngagementStatus
from trustroom.assessments.state import vapt_schedule as schedule_of
from trustroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("criticality", "cadence"),
    [
        ("critical", Cadence.TWICE_A_YEAR),
        ("high", Cadence.YEARLY),
        ("medium", Cadence.YEARLY),
        ("low", Cadence.YEARLY),
    ],
)
def test_cadence_defaults_by_criticality(actor: Any, criticality: str, cadence: str) -> None:
    assert application(actor, criticality=criticality).test_cadence == cadence


def test_quarterly_cadence_is_selectable(actor: Any) -> None:
    app = application(actor, test_cadence="quarterly")
    assert app.test_cadence == Cadence.QUARTERLY
    completed_engagement(actor, app, end=T0)
    assert schedule_of(app, now=T0).next_due_at == dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC)


def test_application_validation_names_fields(actor: Any) -> None:
    application(actor, name="GSP portal")
    with pytest.raises(ValidationError) as exc:
        services.create_application(
            actor=actor, name="gsp PORTAL", criticality="severe", test_cadence="weekly"
        )
    assert set(exc.value.message_dict) == {"name", "criticality", "test_cadence"}


def test_never_tested_application_is_due_now_and_overdue(actor: Any) -> None:
    schedule = schedule_of(application(actor), now=T0)
    assert schedule.last_tested_at is None and schedule.next_due_at == T0 and schedule.overdue


def test_next_test_due_from_last_completed_engagement_and_overdue_boundary(actor: Any) -> None:
    app = application(actor)  # critical: twice a year
    completed_engagement(actor, app, end=T0 - dt.timedelta(days=400))
    completed_engagement(actor, app, end=T0)
    due = dt.datetime(2026, 9, 2, 9, 0, tzinfo=dt.UTC)
    assert schedule_of(app, now=T0).next_due_at == due
    assert not schedule_of(app, now=due).overdue
    assert schedule_of(app, now=due + dt.timedelta(seconds=1)).overdue


def test_planned_engagement_does_not_count_as_tested(actor: Any) -> None:
    app = application(actor)
    vendor = services.create_vendor(actor=actor, name="Sumasoft", accreditation="CERT-In #50")
    services.create_engagement(
        actor=actor,
        vendor=vendor,
        application=app,
        name="Planned",
        window_start=T0,
        window_end=T0 + dt.timedelta(days=7),
    )
    assert schedule_of(app, now=T0).last_tested_at is None


def test_engagement_validation_and_completion(actor: Any) -> None:
    app = application(actor)
    vendor = services.create_vendor(
        actor=actor, name="Sumasoft", accreditation="CERT-In #50", contacts="a@b.test"
    )
    with pytest.raises(ValidationError) as exc:
        services.create_engagement(
            actor=actor,
            vendor=vendor,
            application=app,
            name="",
            window_start=T0,
            window_end=T0 - dt.timedelta(days=1),
            scope_areas=["authentication_session", "telepathy"],
        )
    assert set(exc.value.message_dict) == {"name", "window_end", "scope_areas"}
    engagement = services.create_engagement(
        actor=actor,
        vendor=vendor,
        application=app,
        name="July VAPT",
        window_start=T0,
        window_end=T0 + dt.timedelta(days=7),
        scope_areas=[
            "authentication_session",
            "authorization",
            "injection_sql",
            "injection_xss",
            "platform_configuration",
            "owasp_top_10",
        ],
    )
    assert engagement.status == EngagementStatus.PLANNED
    services.complete_engagement(
        actor=actor, engagement=engagement, window_end=T0 + dt.timedelta(days=8), now=T0
    )
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.COMPLETED
    assert engagement.window_end == T0 + dt.timedelta(days=8)
    with pytest.raises(ValidationError):
        services.complete_engagement(actor=actor, engagement=engagement)
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["application.create", "vendor.create", "engagement.create", "engagement.complete"]


def test_update_vendor_records_changes(actor: Any) -> None:
    vendor = services.create_vendor(actor=actor, name="Sumasoft")
    services.update_vendor(actor=actor, vendor=vendor, name="Sumasoft Pvt Ltd", accreditation="CERT-In #50")
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == "vendor.update"
    assert event.changes["name"] == ["Sumasoft", "Sumasoft Pvt Ltd"]
