"""The resilience pages: overview with chart and badges, forms with named errors, filters, empty states."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.factories import member
from tests.resilience.factories import make_drill, make_exercise, make_item, make_plan
from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
BASE = "/o/alpha-co/resilience/"


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_empty_states_and_navigation(org_a: Any, owner_a: Any) -> None:
    client = logged_in(owner_a)
    page = client.get(BASE).content.decode()
    assert "No DR plans yet" in page and "No open action items" in page
    assert f'href="{BASE}" aria-current="page">Resilience</a>' in page
    assert "No tabletop exercise recorded yet" in client.get(BASE + "exercises/").content.decode()
    assert "No action items yet" in client.get(BASE + "action-items/").content.decode()


def test_overview_shows_state_badges_and_an_accessible_chart(org_a: Any, owner_a: Any, actor: Any) -> None:
    with time_machine.travel(dt.datetime(2025, 12, 1, tzinfo=dt.UTC), tick=False):
        plan = make_plan(actor)
        make_plan(actor, service="Dashboard", rto_minutes=240, rpo_minutes=60)
    make_drill(actor, plan, started_at=dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC), measured_rto_minutes=45)
    make_drill(actor, plan, started_at=dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC), measured_rto_minutes=75)
    make_item(actor, title="Tune the failover script", due_on=dt.date(2026, 3, 20))
    with time_machine.travel(dt.datetime(2026, 4, 1, tzinfo=dt.UTC), tick=False):
        page = logged_in(owner_a).get(BASE).content.decode()
    assert "Targets missed" in page and "No drill yet" in page
    assert page.count('class="badge expired">Overdue') == 2  # Dashboard's first drill, and the item
    assert 'role="img"' in page and "Measured recovery time of Core API per failover drill" in page
    assert "<caption>Measured RTO per drill: Core API</caption>" in page
    assert 'data-value="75"' in page and "Target 60 min" in page


def test_plan_and_drill_forms(org_a: Any, owner_a: Any) -> None:
    client = logged_in(owner_a)
    bad = client.post(
        BASE + "plans/new/",
        {"service": "Core API", "rto_minutes": 60, "rpo_minutes": 5, "drill_rule": "nope"},
    )
    assert bad.status_code == 400 and "Not a valid RFC 5545 rule" in bad.content.decode()
    created = client.post(
        BASE + "plans/new/",
        {"service": "Core API", "rto_minutes": 60, "rpo_minutes": 5, "drill_rule": "FREQ=MONTHLY;INTERVAL=2"},
    )
    with org_scope(org_a):
        plan = DrPlan.objects.get()
    assert created.status_code == 302 and created["Location"] == f"{BASE}plans/{plan.pk}/"
    drill_url = f"{BASE}plans/{plan.pk}/drills/new/"
    assert 'type="datetime-local"' in client.get(drill_url).content.decode()
    wrong = client.post(
        drill_url,
        {
            "started_at": "2026-01-05T10:00",
            "ended_at": "2026-01-05T09:00",
            "measured_rpo_minutes": 1,
            "outcome": "passed",
        },
    )
    assert wrong.status_code == 400 and "The drill must end after it started." in wrong.content.decode()
    ok = client.post(
        drill_url,
        {
            "started_at": "2026-01-05T10:00",
            "ended_at": "2026-01-05T10:40",
            "measured_rpo_minutes": 1,
            "outcome": "passed",
        },
    )
    assert ok.status_code == 302
    with org_scope(org_a):
        drill = FailoverDrill.objects.get()
    assert drill.measured_rto_minutes == 40 and drill.started_at == dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
    detail = client.get(f"{BASE}plans/{plan.pk}/").content.decode()
    assert "2026-01-05 10:00" in detail and "40 min" in detail and "Targets met" in detail
    edit = client.post(
        f"{BASE}plans/{plan.pk}/edit/",
        {"service": "Core API", "rto_minutes": 30, "rpo_minutes": 5, "drill_rule": "FREQ=MONTHLY;INTERVAL=2"},
    )
    assert edit.status_code == 302
    assert "Targets missed" in client.get(f"{BASE}plans/{plan.pk}/").content.decode()


def test_exercise_open_points_become_action_items_from_the_page(org_a: Any, owner_a: Any) -> None:
    client = logged_in(owner_a)
    bad = client.post(
        BASE + "exercises/new/",
        {"title": "Region outage", "scenario": "Region down", "held_at": "2026-02-01T09:30",
         "participants": "Engineering Asha"},
    )  # fmt: skip
    assert (
        bad.status_code == 400
        and "Line 1: write the function, a colon, then the name." in bad.content.decode()
    )
    created = client.post(
        BASE + "exercises/new/",
        {"title": "Region outage", "scenario": "Region down", "held_at": "2026-02-01T09:30",
         "participants": "Engineering: Asha\nLegal: Dev", "open_points": "Status page wording\nWho decides"},
    )  # fmt: skip
    assert created.status_code == 302
    with org_scope(org_a):
        exercise = BcpExercise.objects.get()
    assert exercise.participants == [
        {"function": "Engineering", "name": "Asha"},
        {"function": "Legal", "name": "Dev"},
    ]
    detail = client.get(f"{BASE}exercises/{exercise.pk}/").content.decode()
    assert "<legend>Turn the 2 remaining open points into action items</legend>" in detail
    assert '<th scope="row">Legal</th><td>Dev</td>' in detail
    done = client.post(
        f"{BASE}exercises/{exercise.pk}/action-items/", {"owner": owner_a.pk, "due_on": "2026-03-01"}
    )
    assert done.status_code == 302
    with org_scope(org_a):
        assert sorted(ActionItem.objects.values_list("title", flat=True)) == [
            "Status page wording",
            "Who decides",
        ]
    assert "remaining open point" not in client.get(f"{BASE}exercises/{exercise.pk}/").content.decode()


def test_action_items_filters_and_edit(org_a: Any, owner_a: Any, actor: Any) -> None:
    other = member(org_a, "editor", email="other@alpha.test")
    late = make_item(actor, title="Late item", due_on=dt.date(2026, 2, 1), owner=owner_a)
    make_item(actor, title="Future item", due_on=dt.date(2026, 6, 1), owner=other)
    make_exercise(actor)
    client = logged_in(owner_a)
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        overdue = client.get(BASE + "action-items/?overdue=yes").content.decode()
        assert "Late item" in overdue and "Future item" not in overdue
        mine = client.get(f"{BASE}action-items/?owner={other.pk}").content.decode()
        assert "Future item" in mine and "Late item" not in mine
        none = client.get(BASE + "action-items/?status=cancelled").content.decode()
        assert "No action item matches these filters" in none
        assert client.get(BASE + "action-items/?status=bogus").status_code == 400
    edit = client.post(f"{BASE}action-items/{late.pk}/edit/", {"title": "Late item", "status": "done"})
    assert edit.status_code == 302
    with org_scope(org_a):
        late.refresh_from_db()
    assert late.status == "done" and late.completed_at is not None


def test_viewers_see_pages_but_not_forms(org_a: Any, actor: Any) -> None:
    plan = make_plan(actor)
    viewer = logged_in(member(org_a, "viewer", email="viewer@alpha.test"))
    assert viewer.get(f"{BASE}plans/{plan.pk}/").status_code == 200
    assert "Record a failover drill" not in viewer.get(f"{BASE}plans/{plan.pk}/").content.decode()
    assert viewer.get(f"{BASE}plans/{plan.pk}/drills/new/").status_code == 403
    assert viewer.post(BASE + "action-items/new/", {"title": "X", "status": "open"}).status_code == 403
