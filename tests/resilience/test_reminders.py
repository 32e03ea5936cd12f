"""Reminders: drill due in 7 days, drill overdue, action item overdue — each sent once."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from tests.factories import member
from tests.resilience.factories import make_drill, make_item, make_plan
from trustroom.notifications.models import Notification
from trustroom.resilience.reminders import send_reminders
from trustroom.resilience.tasks import send_resilience_reminders
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
LAST_DRILL = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def remind(django_capture_on_commit_callbacks: Any) -> Any:
    def run(**kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return send_reminders(**kwargs)

    return run


@pytest.fixture
def setup(org_a: Any, owner_a: Any, actor: Any) -> dict[str, Any]:
    admin = member(org_a, "admin", email="admin@alpha.test")
    plan_owner = member(org_a, "editor", email="planowner@alpha.test")
    member(org_a, "viewer", email="viewer@alpha.test")
    with time_machine.travel(LAST_DRILL - dt.timedelta(days=30), tick=False):
        plan = make_plan(actor, owner=plan_owner)
    make_drill(actor, plan, started_at=LAST_DRILL)
    return {"plan": plan, "org": org_a, "admin": admin, "plan_owner": plan_owner}


def notes(org: Any) -> list[tuple[str, str]]:
    with org_scope(org):
        return sorted(Notification.objects.values_list("key", "recipient__email"))


def test_drill_due_then_overdue_each_once_to_owners_admins_and_plan_owner(
    setup: dict[str, Any], remind: Any
) -> None:
    org, plan = setup["org"], setup["plan"]
    remind(now=DUE - dt.timedelta(days=8))
    assert notes(org) == [] and mail.outbox == []
    remind(now=DUE - dt.timedelta(days=7))
    due_key = f"resilience:plan:{plan.pk}:drill-due:2026-03-15T10:00:00+00:00"
    assert notes(org) == [
        (due_key, "admin@alpha.test"), (due_key, "owner@alpha.test"), (due_key, "planowner@alpha.test"),
    ]  # fmt: skip
    assert len(mail.outbox) == 3 and "Core API" in mail.outbox[0].subject
    run = remind(now=DUE - dt.timedelta(days=2))  # a second run on a later day: nothing new
    assert run.notifications_sent == 0 and len(mail.outbox) == 3
    first = remind(now=DUE + dt.timedelta(hours=1))
    again = remind(now=DUE + dt.timedelta(days=3))
    assert first.notifications_sent == 3 and again.notifications_sent == 0
    overdue_key = f"resilience:plan:{plan.pk}:drill-overdue:2026-03-15T10:00:00+00:00"
    assert [k for k, _ in notes(org)].count(overdue_key) == 3
    assert "overdue" in mail.outbox[-1].subject


def test_action_item_overdue_once_to_its_owner_and_managers(
    setup: dict[str, Any], actor: Any, remind: Any
) -> None:
    org = setup["org"]
    item_owner = member(org, "editor", email="itemowner@alpha.test")
    with org_scope(org):
        item = make_item(actor, owner=item_owner, due_on=dt.date(2026, 2, 10))
        make_item(actor, title="Done", due_on=dt.date(2026, 2, 1), status="done")
    remind(now=dt.datetime(2026, 2, 10, 23, 0, tzinfo=dt.UTC))
    assert notes(org) == []
    first = remind(now=dt.datetime(2026, 2, 11, 6, 0, tzinfo=dt.UTC))
    key = f"resilience:action-item:{item.pk}:overdue:2026-02-10"
    assert first.keys == [key]
    assert sorted(e for k, e in notes(org) if k == key) == [
        "admin@alpha.test", "itemowner@alpha.test", "owner@alpha.test",
    ]  # fmt: skip
    assert remind(now=dt.datetime(2026, 2, 12, 6, 0, tzinfo=dt.UTC)).notifications_sent == 0


def test_command_and_task(setup: dict[str, Any]) -> None:
    out = StringIO()
    call_command(
        "resilience", "send-reminders", "--org", "alpha-co", "--at", "2026-03-16T00:00:00Z", stdout=out
    )
    assert "3 notifications sent across 1 organization(s)" in out.getvalue()
    call_command("resilience", "send-reminders", "--at", "2026-03-16", stdout=out)
    assert "0 notifications sent" in out.getvalue()
    with pytest.raises(CommandError, match="slug"):
        call_command("resilience", "send-reminders", "--org", "nope")
    with pytest.raises(CommandError, match="time zone"):
        call_command("resilience", "send-reminders", "--at", "2026-03-16T00:00:00")
    with time_machine.travel(DUE + dt.timedelta(days=5), tick=False):
        assert send_resilience_reminders() == {"notifications_sent": 0, "reminders_due": 1}
