"""Alert routing pages and API: everything the UI does the API does, secrets write-only, roles enforced."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import member
from tests.monitoring.routing_factories import (
    PD_KEY,
    deliveries,
    generic_alert,
    generic_source,
    intake,
    pagerduty,
    rule,
)
from tests.monitoring.standin import Scripted, StandIn
from trustroom.audit.models import AuditEvent
from trustroom.monitoring.routing_models import Delivery, Notifier, RoutingRule
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
SLACK_URL = "https://hooks.slack.com/services/T0001/B0002/abcdefSECRETtoken1234"


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def api(org_a: Any) -> str:
    return f"/api/v1/orgs/{org_a.slug}/"


def test_notifier_api_round_trip_never_returns_secrets(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    made = post_json(
        client, f"{api}alert-notifiers/", {"name": "#sec", "kind": "slack", "webhook_url": SLACK_URL}
    )
    assert made.status_code == 201, made.content
    assert made.json()["secret_configured"] is True
    assert made.json()["secret_hint"] == "1234"
    pd = post_json(
        client, f"{api}alert-notifiers/", {"name": "On-call", "kind": "pagerduty", "routing_key": PD_KEY}
    )
    assert pd.status_code == 201
    listed = client.get(f"{api}alert-notifiers/")
    changed = post_json(
        client,
        f"{api}alert-notifiers/{pd.json()['id']}/",
        {"enabled": False, "routing_key": "K" * 32},
        "patch",
    )
    assert changed.status_code == 200
    assert changed.json()["enabled"] is False
    text = listed.content.decode() + made.content.decode() + changed.content.decode()
    with org_scope(org_a):
        text += " ".join(str(event.changes) for event in AuditEvent.objects.all())
    for secret in (SLACK_URL, "SECRETtoken", PD_KEY, "K" * 32):
        assert secret not in text


def test_bad_notifier_input_is_a_400_naming_the_field(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    cases = [
        ({"name": "x", "kind": "slack", "webhook_url": "https://attacker.example/hook"}, "webhook_url"),
        ({"name": "x", "kind": "slack", "webhook_url": "http://hooks.slack.com/x"}, "webhook_url"),
        ({"name": "x", "kind": "pagerduty", "routing_key": "short"}, "routing_key"),
        ({"name": "x", "kind": "pagerduty"}, "routing_key"),
        ({"name": "x", "kind": "email", "recipients": ["not-an-address"]}, "recipients"),
        ({"name": "x", "kind": "sms"}, "kind"),
        ({"name": "x", "kind": "email", "recipients": ["a@b.test"], "extra": 1}, "extra"),
    ]
    for body, field in cases:
        response = post_json(client, f"{api}alert-notifiers/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    with org_scope(org_a):
        assert not Notifier.objects.exists()


def test_rule_api_create_move_update_delete(org_a: Any, owner_a: Any, api: str) -> None:
    notifier = pagerduty(org_a, owner_a)
    client = logged_in(owner_a)
    first = post_json(
        client,
        f"{api}alert-routing-rules/",
        {
            "name": "Prod critical",
            "notifier": notifier.pk,
            "min_severity": "critical",
            "type_pattern": "UnauthorizedAccess:*",
            "tag_conditions": {"env": "prod"},
            "source_kinds": ["guardduty"],
            "routing_key": "Q" * 32,
            "stop": True,
        },
    )
    assert first.status_code == 201, first.content
    assert first.json()["routing_key_configured"] is True
    assert "Q" * 32 not in first.content.decode()
    second = post_json(client, f"{api}alert-routing-rules/", {"name": "Rest", "notifier": notifier.pk})
    moved = post_json(client, f"{api}alert-routing-rules/{second.json()['id']}/move/", {"direction": "up"})
    assert moved.status_code == 200
    names = [one["name"] for one in client.get(f"{api}alert-routing-rules/").json()["results"]]
    assert names == ["Rest", "Prod critical"]
    changed = post_json(
        client, f"{api}alert-routing-rules/{first.json()['id']}/", {"routing_key": ""}, "patch"
    )
    assert changed.json()["routing_key_configured"] is False
    bad = post_json(
        client, f"{api}alert-routing-rules/", {"name": "x", "notifier": notifier.pk, "min_severity": "x"}
    )
    assert bad.status_code == 400
    assert "min_severity" in bad.json()
    assert client.delete(f"{api}alert-routing-rules/{second.json()['id']}/").status_code == 204
    in_use = client.delete(f"{api}alert-notifiers/{notifier.pk}/")
    assert in_use.status_code == 400


def test_a_rule_cannot_name_another_organizations_notifier(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, api: str
) -> None:
    theirs = pagerduty(org_b, owner_b)
    response = post_json(
        logged_in(owner_a), f"{api}alert-routing-rules/", {"name": "x", "notifier": theirs.pk}
    )
    assert response.status_code == 400
    assert "notifier" in response.json()


@pytest.mark.parametrize("role", ["auditor", "viewer", "editor"])
def test_members_below_admin_read_but_do_not_change_routing(
    org_a: Any, owner_a: Any, api: str, role: str
) -> None:
    notifier = pagerduty(org_a, owner_a)
    made = rule(org_a, owner_a, notifier)
    client = logged_in(member(org_a, role))
    listed = [client.get(f"{api}{path}/") for path in ("alert-notifiers", "alert-routing-rules")]
    assert [response.status_code for response in listed] == [200, 200]
    # Routing settings are no audit period's records: an auditor reads none (and so changes none: 404).
    assert [response.json()["count"] for response in listed] == ([0, 0] if role == "auditor" else [1, 1])
    assert client.get(f"{api}alert-deliveries/").status_code == 200
    refused = {403, 404} if role == "auditor" else {403}
    for response in (
        post_json(
            client, f"{api}alert-notifiers/", {"name": "x", "kind": "pagerduty", "routing_key": PD_KEY}
        ),
        post_json(client, f"{api}alert-notifiers/{notifier.pk}/", {"enabled": False}, "patch"),
        post_json(client, f"{api}alert-notifiers/{notifier.pk}/test/", {}),
        post_json(client, f"{api}alert-routing-rules/", {"name": "x", "notifier": notifier.pk}),
        post_json(client, f"{api}alert-routing-rules/{made.pk}/", {"enabled": False}, "patch"),
        post_json(client, f"{api}alert-routing-rules/{made.pk}/move/", {"direction": "down"}),
        client.delete(f"{api}alert-routing-rules/{made.pk}/"),
        client.post(f"/o/{org_a.slug}/monitoring/rules/", {"action": "delete", "rule": made.pk}),
        client.post(f"/o/{org_a.slug}/monitoring/notifiers/", {"action": "disable", "notifier": notifier.pk}),
    ):
        assert response.status_code in refused, response.content
    with org_scope(org_a):
        assert RoutingRule.objects.get().enabled
        assert Notifier.objects.get().enabled


def test_deliveries_api_filters_and_retry(
    org_a: Any, owner_a: Any, api: str, standin: StandIn, django_capture_on_commit_callbacks: Any
) -> None:
    rule(org_a, owner_a, pagerduty(org_a, owner_a))
    source = generic_source(org_a, owner_a)
    standin.answer(Scripted(400))
    with django_capture_on_commit_callbacks(execute=True):
        intake(org_a, owner_a, source, generic_alert())
    [failed] = deliveries(org_a)
    editor = logged_in(member(org_a, "editor"))
    listed = editor.get(f"{api}alert-deliveries/", {"status": "failed"}).json()["results"]
    assert [one["id"] for one in listed] == [failed.pk]
    assert listed[0]["last_error"] == "HTTP 400 from 127.0.0.1 (not retried)"
    assert editor.get(f"{api}alert-deliveries/", {"status": "bogus"}).json()["results"] == []
    viewer = logged_in(member(org_a, "viewer"))
    assert viewer.post(f"{api}alert-deliveries/{failed.pk}/retry/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        retried = editor.post(f"{api}alert-deliveries/{failed.pk}/retry/")
    assert retried.status_code == 200, retried.content
    assert deliveries(org_a)[0].status == "delivered"
    again = editor.post(f"{api}alert-deliveries/{failed.pk}/retry/")
    assert again.status_code == 400


def test_pages_show_routing_and_deliveries(
    org_a: Any, owner_a: Any, standin: StandIn, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner_a)
    base = f"/o/{org_a.slug}/monitoring/"
    assert "No notifiers yet" in client.get(f"{base}notifiers/").content.decode()
    assert "Nothing has been sent yet" in client.get(f"{base}deliveries/").content.decode()
    created = client.post(
        f"{base}notifiers/",
        {
            "action": "create",
            "name": "On-call",
            "kind": "pagerduty",
            "routing_key": PD_KEY,
            "webhook_url": "ignored",
        },
    )
    assert created.status_code == 302
    with org_scope(org_a):
        notifier = Notifier.objects.get()
    refused = client.post(
        f"{base}notifiers/",
        {"action": "create", "name": "x", "kind": "slack", "webhook_url": "https://x.test/"},
    )
    assert refused.status_code == 400
    assert "only posts to these hosts" in refused.content.decode()
    made = client.post(
        f"{base}rules/",
        {
            "action": "create",
            "name": "All prod",
            "notifier": notifier.pk,
            "tag_conditions": "env=prod",
            "min_severity": "high",
        },
    )
    assert made.status_code == 302
    page = client.get(f"{base}rules/").content.decode()
    assert "All prod" in page
    assert "env=prod" in page
    notifiers_page = client.get(f"{base}notifiers/").content.decode()
    assert "configured (…" in notifiers_page
    assert PD_KEY not in notifiers_page
    standin.answer(Scripted(400))
    source = generic_source(org_a, owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        result = intake(org_a, owner_a, source, generic_alert(tags={"env": "prod"}))
    failed_page = client.get(f"{base}deliveries/", {"status": "failed"}).content.decode()
    assert 'class="failed"' in failed_page
    assert "HTTP 400 from 127.0.0.1 (not retried)" in failed_page
    assert "Retry now" in failed_page
    detail = client.get(f"{base}alerts/{result.new[0]}/").content.decode()
    assert "Notifications sent for this alert" in detail
    assert "env=prod" in detail
    with org_scope(org_a):
        delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(
            f"{base}deliveries/",
            {"action": "retry", "delivery": delivery.pk, "next": f"{base}alerts/{result.new[0]}/"},
        )
    assert retried.status_code == 302
    assert retried["Location"] == f"{base}alerts/{result.new[0]}/"
    assert deliveries(org_a)[0].status == "delivered"
    with django_capture_on_commit_callbacks(execute=True):
        tested = client.post(f"{base}notifiers/", {"action": "test", "notifier": notifier.pk})
    assert tested.status_code == 302
    assert len(standin.pagerduty) == 3
