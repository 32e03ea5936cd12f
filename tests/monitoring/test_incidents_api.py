"""The incidents API: open by hand and from alerts, the state actions, notes and follow-up actions,
metrics and export; bad input is a 400 naming the field, readers get 403, nothing is deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.factories import auditor_of_everything, member
from tests.monitoring.factories import alerts, incident
from trustroom.monitoring.incident_models import Incident, IncidentAction
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def api(org_a: Any) -> str:
    return f"/api/v1/orgs/{org_a.slug}/"


def results(response: Any) -> list[Any]:
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def test_open_by_hand_then_the_whole_life(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    detected = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat()
    created = client.post(
        api + "incidents/",
        {"title": "API errors", "severity": "sev2", "detected_at": detected, "commander": "owner@alpha.test"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["reference"], body["status"], body["commander"]) == ("INC-1", "open", "owner@alpha.test")
    url = f"{api}incidents/{body['id']}/"

    def post(path: str, data: dict[str, Any] | None = None) -> Any:
        return client.post(url + path, data or {}, content_type="application/json")

    assert post("acknowledge/", {"note": "on it"}).json()["status"] == "acknowledged"
    note = post("notes/", {"text": "Rolled back the deploy"})
    assert note.status_code == 201 and note.json()["kind"] == "note"
    action = client.post(
        api + "incident-actions/",
        {"incident": body["id"], "title": "Add a canary", "owner_email": "someone@vendor.test"},
        content_type="application/json",
    )
    assert action.status_code == 201 and action.json()["owner"] == "someone@vendor.test"
    resolved = post("resolve/").json()
    assert resolved["status"] == "resolved" and resolved["mttr_seconds"] >= 7200
    refused = post("close/")
    assert refused.status_code == 400 and "carry_over_actions" in refused.json()
    done = client.post(f"{api}incident-actions/{action.json()['id']}/complete/")
    assert done.status_code == 200 and done.json()["done_at"]
    closed = post("close/", {"note": "Reviewed"}).json()
    assert closed["status"] == "closed" and len(closed["actions"]) == 1
    reopened = post("reopen/", {"reason": "Errors are back"}).json()
    assert reopened["status"] == "acknowledged" and reopened["resolved_at"] is None
    patched = client.patch(
        url,
        {"severity": "sev1", "root_cause": "Bad config", "commander": ""},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["severity"] == "sev1"
    assert patched.json()["root_cause"] == "Bad config" and patched.json()["commander"] is None
    kinds = [event["kind"] for event in client.get(url).json()["timeline"]]
    assert {"opened", "acknowledged", "note", "action_added", "resolved", "closed", "reopened"} <= set(kinds)
    assert client.delete(url).status_code == 405


def test_open_from_alerts_link_and_unlink(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    ids = alerts(org_a, owner_a, {"title": "Port scan", "severity": "medium"}, {"title": "Brute force"})
    created = client.post(api + "incidents/", {"alert_ids": ids[:1]}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["title"], body["severity"], body["alerts"][0]["status"]) == (
        "Port scan",
        "sev3",
        "acknowledged",
    )
    url = f"{api}incidents/{body['id']}/"
    linked = client.post(url + "link-alerts/", {"alert_ids": ids[1:]}, content_type="application/json")
    assert len(linked.json()["alerts"]) == 2
    again = client.post(api + "incidents/", {"alert_ids": ids[1:]}, content_type="application/json")
    assert again.status_code == 400 and "alert_ids" in again.json()
    unlinked = client.post(url + "unlink-alert/", {"alert_id": ids[0]}, content_type="application/json")
    assert [a["alert"] for a in unlinked.json()["alerts"]] == ids[1:]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "x"}, "severity"),
        ({"title": "", "severity": "sev1"}, "title"),
        ({"title": "x", "severity": "sev7"}, "severity"),
        ({"title": "x", "severity": "sev1", "detected_at": "2999-01-01T00:00:00Z"}, "detected_at"),
        ({"title": "x", "severity": "sev1", "commander": "nobody@else.test"}, "commander"),
        ({"title": "x", "severity": "sev1", "status": "closed"}, "status"),
        ({"alert_ids": [999999]}, "alert_ids"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    org_a: Any, owner_a: Any, api: str, payload: Any, field: str
) -> None:
    response = logged_in(owner_a).post(api + "incidents/", payload, content_type="application/json")
    assert response.status_code == 400 and field in response.json(), response.content
    with org_scope(org_a):
        assert not Incident.objects.exists()


def test_state_action_errors_are_400(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    inc = incident(org_a, owner_a)
    url = f"{api}incidents/{inc.pk}/"
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert "at" in client.post(url + "acknowledge/", {"at": future}, content_type="application/json").json()
    assert client.post(url + "close/", {}, content_type="application/json").status_code == 400
    assert client.post(url + "reopen/", {}, content_type="application/json").status_code == 400
    assert client.post(url + "notes/", {"text": ""}, content_type="application/json").status_code == 400
    assert (
        client.post(url + "unlink-alert/", {"alert_id": 1}, content_type="application/json").status_code
        == 400
    )


def test_list_filters_metrics_and_export(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    incident(org_a, owner_a, title="Critical one", severity="sev1")
    incident(org_a, owner_a, title="Small one", severity="sev4")
    titles = [row["title"] for row in results(client.get(api + "incidents/", {"severity": "sev1"}))]
    assert titles == ["Critical one"]
    assert len(results(client.get(api + "incidents/", {"status": "active"}))) == 2
    metrics = client.get(api + "incidents/metrics/", {"period": "30"}).json()
    assert metrics["total"] == 2 and metrics["mtta"]["count"] == 0 and metrics["period"] == "30"
    exported = client.get(api + "incidents/export/")
    assert exported.status_code == 200 and exported["Content-Disposition"].startswith("attachment;")
    assert exported["X-Content-Type-Options"] == "nosniff" and b"INC-2" in exported.content


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_read_but_writes_are_403(org_a: Any, owner_a: Any, api: str, role: str) -> None:
    client = logged_in(auditor_of_everything(org_a) if role == "auditor" else member(org_a, role))
    inc = incident(org_a, owner_a)
    url = f"{api}incidents/{inc.pk}/"
    assert client.get(url).status_code == 200
    assert (
        client.post(
            api + "incidents/", {"title": "x", "severity": "sev1"}, content_type="application/json"
        ).status_code
        == 403
    )
    for path in ("acknowledge/", "resolve/", "notes/"):
        assert client.post(url + path, {"text": "x"}, content_type="application/json").status_code == 403
    assert client.patch(url, {"title": "y"}, content_type="application/json").status_code == 403
    created = client.post(
        api + "incident-actions/", {"incident": inc.pk, "title": "x"}, content_type="application/json"
    )
    assert created.status_code == 403
    with org_scope(org_a):
        assert inc.events.count() == 1 and not IncidentAction.objects.exists()


def test_follow_up_actions_list_by_incident_and_reopen(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    first, second = incident(org_a, owner_a), incident(org_a, owner_a)
    for inc in (first, second):
        client.post(
            api + "incident-actions/",
            {"incident": inc.pk, "title": f"fix {inc.number}"},
            content_type="application/json",
        )
    listed = results(client.get(api + "incident-actions/", {"incident": second.pk}))
    assert [row["title"] for row in listed] == ["fix 2"]
    url = f"{api}incident-actions/{listed[0]['id']}/"
    assert client.post(url + "reopen/").status_code == 400  # not done
    client.post(url + "complete/")
    reopened = client.post(url + "reopen/")
    assert reopened.status_code == 200 and reopened.json()["done_at"] is None
    missing = client.post(
        api + "incident-actions/", {"incident": 999999, "title": "x"}, content_type="application/json"
    )
    assert missing.status_code == 400 and "incident" in missing.json()


def test_openapi_schema_builds_without_warnings(tmp_path: Any) -> None:
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/v1/orgs/{org_slug}/incidents/{id}/link-alerts/:" in schema
    assert "IncidentStatusEnum:" in schema and "IncidentSeverityEnum:" in schema
