"""Reminders 90, 30 and 7 days before expiry and surveillance audits: each sent once (e-mail + in-app)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from tests.factories import member, principal_for
from trustroom.audit.models import AuditEvent
from trustroom.compliance import services
from trustroom.compliance.reminders import due_reminders, send_certification_reminders
from trustroom.compliance.tasks import send_certification_reminders as reminder_task
from trustroom.notifications.models import Notification
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """`with committed():` runs the block's on-commit callbacks (the e-mails) as if it had committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def remind(committed: Any) -> Any:
    def run(*, now: dt.datetime) -> Any:
        with committed():
            return send_certification_reminders(now=now)

    return run


EXPIRY = dt.date(2026, 9, 30)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 6, 0, tzinfo=dt.UTC)


def before(days: int) -> dt.datetime:
    return at(EXPIRY - dt.timedelta(days=days))


@pytest.fixture
def setup(org_a: Any, owner_a: Any) -> dict[str, Any]:
    admin = member(org_a, "admin", email="admin@alpha.test")
    cert_owner = member(org_a, "editor", email="certowner@alpha.test")
    member(org_a, "viewer", email="viewer@alpha.test")
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        cert = services.create_certification(
            actor=actor,
            kind="safe_to_host",
            title="Safe to host certificate",
            valid_from=EXPIRY - dt.timedelta(days=364),
            valid_until=EXPIRY,
            owner=cert_owner,
            surveillance_interval_months=None,
        )
    return {"cert": cert, "org": org_a, "admin": admin}


def keys(org: Any) -> list[str]:
    with org_scope(org):
        return sorted(set(Notification.objects.values_list("key", flat=True)))


def test_each_threshold_is_sent_once_to_owners_admins_and_the_certification_owner(
    setup: dict[str, Any], remind: Any
) -> None:
    org, cert = setup["org"], setup["cert"]
    remind(now=before(91))
    assert keys(org) == [] and mail.outbox == []

    run = remind(now=before(90))
    assert run.notifications_sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@alpha.test",
        "certowner@alpha.test",
        "owner@alpha.test",
    ]
    assert "expires in 90 days (2026-09-30)" in mail.outbox[0].subject
    assert f"/o/{org.slug}/compliance/certifications/{cert.pk}/" in mail.outbox[0].body

    # The same day again, and every day until the next threshold: nothing new.
    for days in (90, 89, 50, 31):
        assert remind(now=before(days)).notifications_sent == 0
    assert len(mail.outbox) == 3

    remind(now=before(30))
    remind(now=before(30))
    remind(now=before(7))
    remind(now=before(0))
    remind(now=before(-1))
    assert keys(org) == [f"certification:{cert.pk}:expiry:2026-09-30:{t}d" for t in (30, 7, 90)]
    assert len(mail.outbox) == 9
    with org_scope(org):
        assert Notification.objects.count() == 9
        assert AuditEvent.objects.filter(action="notification.sent").count() == 3


def test_a_missed_stretch_sends_only_the_most_recent_threshold(setup: dict[str, Any], committed: Any) -> None:
    org, cert = setup["org"], setup["cert"]
    # The job did not run for months: 25 days before expiry, only the 30-day reminder goes out.
    with time_machine.travel(before(25), tick=False), committed():
        call_command("compliance", "send-reminders")
        reminder_task.delay()
    assert keys(org) == [f"certification:{cert.pk}:expiry:2026-09-30:30d"]
    assert len(mail.outbox) == 3
    # A jump over the 7-day mark: the 7-day one, once.
    with time_machine.travel(before(2), tick=False), committed():
        reminder_task.delay()
        reminder_task.delay()
    assert keys(org)[-1] == f"certification:{cert.pk}:expiry:2026-09-30:7d"
    assert len(mail.outbox) == 6


def test_surveillance_audits_are_reminded_and_superseded_certificates_are_not(
    org_a: Any, owner_a: Any, remind: Any
) -> None:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        cert = services.create_certification(
            actor=actor,
            kind="certificate",
            title="ISO 27001:2022",
            series="iso",
            valid_from=dt.date(2025, 3, 15),
            valid_until=dt.date(2028, 3, 14),
            validity_years=3,
        )
    due = due_reminders(cert, dt.date(2026, 3, 10))
    assert [(r.event, r.event_date, r.threshold) for r in due] == [("surveillance", dt.date(2026, 3, 15), 7)]
    remind(now=at(dt.date(2026, 2, 20)))
    assert keys(org_a) == [f"certification:{cert.pk}:surveillance:2026-03-15:30d"]
    assert "Surveillance audit of ISO 27001:2022 in 23 days" in mail.outbox[0].subject
    with org_scope(org_a):
        newer = services.create_certification(
            actor=actor,
            kind="certificate",
            title="ISO 27001:2022 (new)",
            series="iso",
            valid_from=dt.date(2026, 3, 1),
            valid_until=dt.date(2029, 2, 28),
        )
        services.supersede_certification(actor=actor, certification=cert, superseded_by=newer)
    assert due_reminders(cert, dt.date(2026, 3, 10)) == []
    remind(now=at(dt.date(2026, 3, 10)))
    assert keys(org_a) == [f"certification:{cert.pk}:surveillance:2026-03-15:30d"]


def test_the_beat_schedule_runs_the_task_daily(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["compliance-certification-reminders"]
    assert entry["task"] == reminder_task.name
    assert entry["schedule"] == 24 * 60 * 60


def test_the_command_acts_on_a_given_day_and_refuses_bad_arguments(
    setup: dict[str, Any], committed: Any
) -> None:
    out = StringIO()
    with committed():
        call_command(
            "compliance", "send-reminders", "--org", setup["org"].slug, "--date", "2026-09-25", stdout=out
        )
    assert "1 due, 3 notifications sent across 1 organization(s)" in out.getvalue()
    with pytest.raises(CommandError, match="No organization"):
        call_command("compliance", "send-reminders", "--org", "nope")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("compliance", "send-reminders", "--date", "25/09/2026")
