"""The audit log API: the same filters as the page, read-only, 404 across organizations, chain check."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.audit.helpers import delete_seqs, events_of, frozen_time, record, record_many, set_column
from tests.factories import auditor_of_everything, member

pytestmark = pytest.mark.django_db
TAMPERING = pytest.mark.django_db(transaction=True, databases=["default", "owner"])


def url(name: str, slug: str = "alpha-co", **kwargs: Any) -> str:
    return reverse(f"audit-events-{name}", kwargs={"org_slug": slug, **kwargs})


def api_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def owner_api(owner_a: Any) -> APIClient:
    return api_client(owner_a)


@pytest.fixture
def history(org_a: Any, owner_a: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    auditor = member(org_a, "auditor", email="auditor@alpha.test")
    plan = [
        (datetime(2025, 1, 10, tzinfo=UTC), owner_a, "invitation.created", {"email": "new@alpha.test"}),
        (datetime(2025, 1, 20, tzinfo=UTC), auditor, "evidence.viewed", {"file": "soc2-report.pdf"}),
        (datetime(2025, 2, 5, tzinfo=UTC), owner_a, "invitation.revoked", {"email": "new@alpha.test"}),
    ]
    for moment, user, action, changes in plan:
        with frozen_time(monkeypatch, moment):
            record(org_a, user, action, target=org_a, changes=changes)


def actions(response: Any) -> list[str]:
    return [event["action"] for event in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["invitation.revoked", "evidence.viewed", "invitation.created"]),
        ({"action": "invitation"}, ["invitation.revoked", "invitation.created"]),
        ({"action": "evid*"}, ["evidence.viewed"]),
        ({"actor": "auditor@"}, ["evidence.viewed"]),
        ({"target_type": "tenancy.organization"}, ["invitation.revoked", "evidence.viewed", "invitation.created"]),
        ({"target_type": "tenancy.membership"}, []),
        ({"occurred_from": "2025-01-15", "occurred_to": "2025-01-31"}, ["evidence.viewed"]),
        ({"q": "soc2"}, ["evidence.viewed"]),
    ],
)  # fmt: skip
def test_list_filters_like_the_page(
    owner_api: APIClient, history: None, query: dict[str, str], expected: list[str]
) -> None:
    response = owner_api.get(url("list"), query)
    assert response.status_code == 200
    assert actions(response) == expected
    assert response.json()["count"] == len(expected)


def test_list_returns_every_recorded_field(owner_api: APIClient, history: None, org_a: Any) -> None:
    newest = owner_api.get(url("list"), {"limit": 1}).json()["results"][0]
    event = events_of(org_a)[-1]
    assert newest == {
        "id": event.pk,
        "seq": 3,
        "occurred_at": "2025-02-05T00:00:00Z",
        "actor_user": event.actor_user_id,
        "actor_token_id": None,
        "actor_label": "owner@alpha.test",
        "action": "invitation.revoked",
        "target_type": "tenancy.organization",
        "target_id": str(org_a.pk),
        "target_label": "Alpha Co",
        "changes": {"email": "new@alpha.test"},
        "ip": None,
        "user_agent": "",
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def test_limit_offset_pagination(owner_api: APIClient, org_a: Any, owner_a: Any) -> None:
    record_many(org_a, owner_a, 7)
    page = owner_api.get(url("list"), {"limit": 3, "offset": 3}).json()
    assert page["count"] == 7
    assert [event["seq"] for event in page["results"]] == [4, 3, 2]
    assert "limit=3" in page["next"] and "offset=6" in page["next"]
    assert "limit=3" in page["previous"] and "offset" not in page["previous"]  # back to the first page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"occurred_from": "2025-02-30"}, "occurred_from", "Enter a valid date."),
        (
            {"occurred_from": "2025-03-01", "occurred_to": "2025-01-01"},
            "occurred_to",
            "on or after the start",
        ),
        ({"target_type": "organization"}, "target_type", "Use a record type such as"),
        ({"action": "a b"}, "action", "Use an action such as"),
    ],
)
def test_bad_filters_answer_400_with_the_field_and_reason(
    owner_api: APIClient, history: None, query: dict[str, str], field: str, message: str
) -> None:
    response = owner_api.get(url("list"), query)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]


def test_retrieve_own_event(owner_api: APIClient, history: None, org_a: Any) -> None:
    event = events_of(org_a)[0]
    body = owner_api.get(url("detail", pk=event.pk)).json()
    assert (body["seq"], body["action"], body["hash"]) == (1, "invitation.created", event.hash)


def test_another_organizations_event_answers_404(
    owner_api: APIClient, history: None, org_b: Any, owner_b: Any
) -> None:
    foreign = record(org_b, owner_b, "bravo.secret")
    response = owner_api.get(url("detail", pk=foreign.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    missing = owner_api.get(url("detail", pk=foreign.pk + 1000))
    assert (missing.status_code, missing.json()) == (404, response.json())
    # ... and the list never shows it.
    assert "bravo.secret" not in actions(owner_api.get(url("list")))
    # A member of the other organization asking for this one's log: the organization does not exist.
    assert api_client(owner_b).get(url("list")).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("admin", 200), ("auditor", 200), ("editor", 403), ("viewer", 403)])  # fmt: skip
def test_only_owners_admins_and_auditors_may_read(org_a: Any, history: None, role: str, status: int) -> None:
    client = api_client(auditor_of_everything(org_a) if role == "auditor" else member(org_a, role))
    event_id = events_of(org_a)[0].pk
    for endpoint in (url("list"), url("detail", pk=event_id), url("verify")):
        response = client.get(endpoint)
        assert response.status_code == status, endpoint
        if status == 403:
            assert "hash" not in response.content.decode()


def test_the_log_cannot_be_written_through_the_api(owner_api: APIClient, history: None, org_a: Any) -> None:
    event = events_of(org_a)[0]
    attempts = [
        owner_api.post(url("list"), {"action": "forged"}, format="json"),
        owner_api.put(url("detail", pk=event.pk), {"action": "forged"}, format="json"),
        owner_api.patch(url("detail", pk=event.pk), {"action": "forged"}, format="json"),
        owner_api.delete(url("detail", pk=event.pk)),
    ]
    assert all(response.status_code in (403, 405) for response in attempts)
    assert [e.action for e in events_of(org_a)] == [
        "invitation.created",
        "evidence.viewed",
        "invitation.revoked",
    ]


def test_unauthenticated_requests_are_refused(history: None) -> None:
    assert APIClient().get(url("list")).status_code in (401, 403)


def test_verify_reports_an_intact_chain(owner_api: APIClient, history: None, org_a: Any) -> None:
    response = owner_api.get(url("verify"))
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "events_checked": 3,
        "head_seq": 3,
        "head_hash": events_of(org_a)[-1].hash,
        "broken_seq": None,
        "broken_event_id": None,
        "reason": "",
    }


@TAMPERING
def test_verify_reports_a_broken_chain(org_a: Any, owner_a: Any) -> None:
    record_many(org_a, owner_a, 4)
    set_column(org_a, 3, "action", "forged")
    third = events_of(org_a)[2]
    body = api_client(owner_a).get(url("verify")).json()
    assert body["ok"] is False
    assert (body["broken_seq"], body["broken_event_id"], body["events_checked"]) == (3, third.pk, 2)
    assert body["reason"] == "event #3 was altered after it was recorded"


@TAMPERING
def test_verify_reports_a_cut_off_tail(org_a: Any, owner_a: Any) -> None:
    record_many(org_a, owner_a, 4)
    delete_seqs(org_a, 4)
    body = api_client(owner_a).get(url("verify")).json()
    assert (body["ok"], body["broken_seq"], body["broken_event_id"], body["head_seq"]) == (False, 4, None, 4)


def test_schema_documents_the_filters_and_the_verify_endpoint(owner_api: APIClient) -> None:
    schema = owner_api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    list_path = paths["/api/v1/orgs/{org_slug}/audit-events/"]
    assert set(list_path) == {"get"}  # read-only
    names = {parameter["name"] for parameter in list_path["get"]["parameters"]}
    assert {"action", "actor", "target_type", "occurred_from", "occurred_to", "q", "limit", "offset"} <= names
    verify_get = paths["/api/v1/orgs/{org_slug}/audit-events/verify/"]["get"]
    report_schema = verify_get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][report_schema.rsplit("/", 1)[-1]]
    assert {"ok", "broken_seq", "broken_event_id", "reason"} <= set(component["properties"])
    assert set(paths["/api/v1/orgs/{org_slug}/audit-events/{id}/"]) == {"get"}
