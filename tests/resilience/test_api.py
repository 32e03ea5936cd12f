"""The resilience API: CRUD as the UI, computed state read-only, bad input named, roles, filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.factories import member
from tests.resilience.factories import make_exercise, make_item
from trustroom.resilience.models import ActionItem, DrPlan
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def results(response: Any) -> list[Any]:
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


@pytest.fixture
def api(org_a: Any) -> str:
    return f"/api/v1/orgs/{org_a.slug}/"


def test_plan_and_drill_round_trip_with_computed_state(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    with time_machine.travel(NOW - dt.timedelta(days=90), tick=False):
        created = client.post(
            api + "dr-plans/",
            {"service": "Core API", "rto_minutes": 60, "rpo_minutes": 5, "owner": owner_a.pk,
             "topology": "multi-zone; two-node PostgreSQL cluster"},
            content_type="application/json",
        )  # fmt: skip
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["drill_rule"] == "FREQ=MONTHLY;INTERVAL=2" and plan["owner"] == owner_a.email
    assert plan["last_drill"] is None and plan["met_targets"] is None
    with time_machine.travel(NOW, tick=False):
        assert client.get(f"{api}dr-plans/{plan['id']}/").json()["drill_overdue"] is True
        drill = client.post(
            api + "failover-drills/",
            {"plan": plan["id"], "started_at": "2026-02-27T10:00:00Z", "ended_at": "2026-02-27T10:42:00Z",
             "measured_rpo_minutes": 3, "outcome": "passed"},
            content_type="application/json",
        )  # fmt: skip
        assert drill.status_code == 201, drill.content
        assert drill.json()["measured_rto_minutes"] == 42 and drill.json()["met_targets"] is True
        assert drill.json()["recorded_by"] == owner_a.email
        [listed] = results(client.get(api + "dr-plans/"))
    assert listed["drill_overdue"] is False and listed["met_targets"] is True
    assert listed["last_drill"]["id"] == drill.json()["id"]
    assert listed["next_drill_due"] == "2026-04-27T10:00:00Z"
    # Computed fields cannot be written.
    refused = client.patch(
        f"{api}dr-plans/{plan['id']}/", {"drill_overdue": False}, content_type="application/json"
    )
    assert refused.status_code == 400 and "drill_overdue" in refused.json()
    changed = client.patch(
        f"{api}failover-drills/{drill.json()['id']}/",
        {"measured_rto_minutes": 70},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["met_targets"] is False
    assert [d["id"] for d in results(client.get(f"{api}failover-drills/?plan={plan['id']}"))] == [
        drill.json()["id"]
    ]


@pytest.mark.parametrize(
    ("path", "body", "field", "reason"),
    [
        ("dr-plans/", {"service": "X", "rto_minutes": 60, "rpo_minutes": 5, "drill_rule": "FREQ=SOMETIMES"},
         "drill_rule", "RFC 5545"),
        ("dr-plans/", {"service": "", "rto_minutes": 60, "rpo_minutes": 5}, "service", ""),
        ("dr-plans/", {"service": "X", "rpo_minutes": 5}, "rto_minutes", "required"),
        ("bcp-exercises/", {"title": "T", "scenario": "S", "held_at": "2026-02-01T10:00:00Z",
                            "participants": [{"function": "Legal"}]}, "participants", "person's name"),
        ("action-items/", {"title": "T", "status": "blocked"}, "status", ""),
        ("action-items/", {"title": "T", "drill": 999999}, "drill", ""),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(
    org_a: Any, owner_a: Any, api: str, path: str, body: dict[str, Any], field: str, reason: str
) -> None:
    response = logged_in(owner_a).post(api + path, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json() and reason in str(response.json()[field])


def test_drill_times_must_be_ordered(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    plan = client.post(
        api + "dr-plans/",
        {"service": "Core API", "rto_minutes": 60, "rpo_minutes": 5},
        content_type="application/json",
    ).json()
    response = client.post(
        api + "failover-drills/",
        {"plan": plan["id"], "started_at": "2026-02-27T10:00:00Z", "ended_at": "2026-02-27T09:00:00Z",
         "measured_rpo_minutes": 3, "outcome": "passed"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400 and "end after it started" in str(response.json()["ended_at"])


def test_exercise_open_points_to_action_items_and_filters(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    editor = member(org_a, "editor", email="editor@alpha.test")
    created = client.post(
        api + "bcp-exercises/",
        {"title": "Primary cloud region outage", "scenario": "Region down for six hours",
         "held_at": "2026-02-01T10:00:00Z",
         "participants": [{"function": "Engineering", "name": "Asha"}, {"function": "Legal", "name": "Dev"}],
         "open_points": ["Status page wording", "Customer notice template"]},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    exercise = created.json()
    assert exercise["participants"][1] == {"function": "Legal", "name": "Dev"}
    items = client.post(
        f"{api}bcp-exercises/{exercise['id']}/action-items/",
        {"owner": editor.pk, "due_on": "2026-02-20"},
        content_type="application/json",
    )
    assert items.status_code == 201 and [i["title"] for i in items.json()] == [
        "Status page wording",
        "Customer notice template",
    ]
    again = client.post(
        f"{api}bcp-exercises/{exercise['id']}/action-items/", {}, content_type="application/json"
    )
    assert again.status_code == 201 and again.json() == []
    standalone = client.post(api + "action-items/", {"title": "Rotate keys"}, content_type="application/json")
    assert standalone.status_code == 201
    with time_machine.travel(NOW, tick=False):
        overdue = results(client.get(api + "action-items/?overdue=true"))
        assert {i["title"] for i in overdue} == {"Status page wording", "Customer notice template"}
        assert all(i["overdue"] for i in overdue)
        mine = results(client.get(f"{api}action-items/?owner={editor.pk}&status=open&source=exercise"))
        assert len(mine) == 2
        assert [i["title"] for i in results(client.get(api + "action-items/?source=standalone"))] == [
            "Rotate keys"
        ]
        assert client.get(api + "action-items/?overdue=maybe").status_code == 400
        done = client.patch(
            f"{api}action-items/{overdue[0]['id']}/", {"status": "done"}, content_type="application/json"
        )
        assert done.status_code == 200 and done.json()["completed_at"] == "2026-03-01T09:00:00Z"
        assert done.json()["overdue"] is False
    moved = client.patch(
        f"{api}action-items/{overdue[0]['id']}/", {"exercise": None}, content_type="application/json"
    )
    assert moved.status_code == 400 and "source" in str(moved.json()["exercise"])


def test_viewers_read_only_and_managers_delete(org_a: Any, owner_a: Any, api: str) -> None:
    viewer = logged_in(member(org_a, "viewer", email="viewer@alpha.test"))
    editor = logged_in(member(org_a, "editor", email="editor@alpha.test"))
    body = {"service": "Core API", "rto_minutes": 60, "rpo_minutes": 5}
    assert viewer.post(api + "dr-plans/", body, content_type="application/json").status_code == 403
    plan = editor.post(api + "dr-plans/", body, content_type="application/json").json()
    assert viewer.get(api + "dr-plans/").status_code == 200
    assert editor.delete(f"{api}dr-plans/{plan['id']}/").status_code == 403
    assert logged_in(owner_a).delete(f"{api}dr-plans/{plan['id']}/").status_code == 204
    with org_scope(org_a):
        assert DrPlan.objects.count() == 0


def test_exercise_and_item_delete(org_a: Any, owner_a: Any, api: str) -> None:
    from tests.factories import principal_for

    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        exercise = make_exercise(actor)
        item = make_item(actor, exercise=exercise)
    client = logged_in(owner_a)
    assert client.get(f"{api}bcp-exercises/{exercise.pk}/").json()["action_items"] == [item.pk]
    assert client.delete(f"{api}action-items/{item.pk}/").status_code == 204
    assert client.delete(f"{api}bcp-exercises/{exercise.pk}/").status_code == 204
    with org_scope(org_a):
        assert ActionItem.objects.count() == 0
