"""The findings API: manual findings, computed status and SLA state, filters, transitions, permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessments.api_support import base, items, logged_in, post, send, token_client
from tests.assessments.helpers import CVSS31_CRITICAL, CVSS40_CRITICAL, application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Application, Finding
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def app_id(org_a: Any, owner_a: Any) -> int:
    with org_scope(org_a):
        return int(application(principal_for(owner_a, org_a)).pk)


def finding_url(org: Any, pk: int, action: str = "") -> str:
    return f"{base(org)}findings/{pk}/" + (f"{action}/" if action else "")


def record(org: Any, owner: Any, app: int, **fields: Any) -> int:
    with org_scope(org):
        actor = principal_for(owner, org)
        values = {"title": "SQL injection", "severity": "high", "detected_at": T0} | fields
        return int(
            services.create_finding(actor=actor, application=Application.objects.get(pk=app), **values).pk
        )


def test_manual_finding_is_scored_and_gets_deadlines(org_a: Any, owner_a: Any, app_id: int) -> None:
    url = base(org_a) + "findings/"
    with time_machine.travel(T0, tick=False):
        client = logged_in(owner_a)
        created = post(
            client,
            url,
            {
                "application": app_id,
                "title": "Remote code execution",
                "severity": "critical",
                "cvss_vector": CVSS31_CRITICAL,
                "cwe_id": "CWE-94",
                "asset": "https://portal.example/upload",
                "assignee": owner_a.pk,
            },
        )
        assert created.status_code == 201, created.content
        finding = created.json()
        assert finding["cvss_score"] == 9.8 and finding["cvss_version"] == "3.1" and finding["cwe_id"] == 94
        assert finding["status"] == "open" and finding["sla_state"] == "within"
        assert finding["detected_at"] == "2026-06-01T09:00:00Z"
        assert finding["due_at"] == "2026-06-01T13:00:00Z" and finding["target_at"] == "2026-06-01T11:00:00Z"
        assert finding["assignee"] == {"id": owner_a.pk, "email": owner_a.email}
        assert finding["sla_policy_version"] == 1 and finding["retest_due_at"] is None
        v4 = post(
            client,
            url,
            {"application": app_id, "title": "v4", "severity": "low", "cvss_vector": CVSS40_CRITICAL},
        )
        assert v4.json()["cvss_version"] == "4.0" and v4.json()["cvss_score"] == 9.3
        assert client.get(finding_url(org_a, finding["id"])).json()["title"] == "Remote code execution"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cvss_vector": "CVSS:3.1/AV:N"}, "cvss_vector"),
        ({"cvss_vector": "AV:N/AC:L"}, "cvss_vector"),
        ({"cwe_id": "CWE-abc"}, "cwe_id"),
        ({"severity": "urgent"}, "severity"),
        ({"title": " "}, "title"),
        ({"application": None}, "application"),
        ({"status": "closed"}, "status"),
        ({"due_at": "2030-01-01T00:00:00Z"}, "due_at"),
    ],
)
def test_bad_finding_input_names_the_field_and_writes_nothing(
    org_a: Any, owner_a: Any, app_id: int, changes: dict[str, Any], field: str
) -> None:
    payload = {"application": app_id, "title": "XSS", "severity": "medium"} | changes
    response = post(logged_in(owner_a), base(org_a) + "findings/", payload)
    assert response.status_code == 400 and list(response.json()) == [field]
    with org_scope(org_a):
        assert not Finding.objects.exists()


def test_finding_refuses_objects_of_another_organization(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, app_id: int
) -> None:
    with org_scope(org_b):
        actor_b = principal_for(owner_b, org_b)
        app_b = application(actor_b, name="Bravo app")
        engagement_b = completed_engagement(actor_b, app_b, end=T0, vendor_name="Bravo vendor")
    with org_scope(org_a):
        other_app = application(principal_for(owner_a, org_a), name="Alpha other")
        engagement_other = completed_engagement(principal_for(owner_a, org_a), other_app, end=T0)
    client, url = logged_in(owner_a), base(org_a) + "findings/"
    cases = [
        ({"application": app_b.pk}, "application"),
        ({"engagement": engagement_b.pk}, "engagement"),
        ({"assignee": owner_b.pk}, "assignee"),
        ({"engagement": engagement_other.pk}, "engagement"),  # one of ours, but another application's
    ]
    for changes, field in cases:
        response = post(client, url, {"application": app_id, "title": "XSS", "severity": "low"} | changes)
        assert response.status_code == 400 and list(response.json()) == [field], changes
        assert "Bravo" not in response.content.decode()
        if changes != {"engagement": engagement_other.pk}:  # another org's id reads as a missing one
            assert "does not exist" in str(response.json()[field]), changes
    with org_scope(org_a):
        assert not Finding.objects.exists()
    pk = record(org_a, owner_a, app_id)
    refused = post(client, finding_url(org_a, pk, "assign"), {"assignee": owner_b.pk})
    assert refused.status_code == 400 and list(refused.json()) == ["assignee"]


def test_lifecycle_fix_retest_reopen(org_a: Any, owner_a: Any, app_id: int) -> None:
    pk = record(org_a, owner_a, app_id, severity="critical")
    engineer = member(org_a, "editor", email="engineer@alpha.test")
    client = logged_in(owner_a)
    assigned = post(client, finding_url(org_a, pk, "assign"), {"assignee": engineer.pk})
    assert assigned.status_code == 200 and assigned.json()["assignee"]["email"] == "engineer@alpha.test"
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        fixed = post(logged_in(engineer), finding_url(org_a, pk, "fix"))
        assert fixed.status_code == 200, fixed.content
        assert fixed.json()["status"] == "fixed_awaiting_retest" and fixed.json()["sla_state"] == "met"
        assert fixed.json()["retest_due_at"] == "2026-07-01T12:00:00Z"
        again = post(logged_in(engineer), finding_url(org_a, pk, "fix"))
        assert again.status_code == 400 and list(again.json()) == ["status"]
    no_verdict = post(client, finding_url(org_a, pk, "retest"), {"notes": "still there"})
    assert no_verdict.status_code == 400 and list(no_verdict.json()) == ["passed"]
    failed = post(client, finding_url(org_a, pk, "retest"), {"passed": False, "notes": "still there"})
    assert failed.json()["status"] == "reopened" and failed.json()["due_at"] == "2026-06-01T13:00:00Z"
    assert failed.json()["sla_state"] == "breached"  # the original deadline still applies
    post(client, finding_url(org_a, pk, "fix"))
    passed = post(client, finding_url(org_a, pk, "retest"), {"passed": True})
    assert passed.json()["status"] == "closed" and passed.json()["closed_at"] is not None
    retest_closed = post(client, finding_url(org_a, pk, "retest"), {"passed": True})
    assert retest_closed.status_code == 400 and list(retest_closed.json()) == ["status"]
    not_open = post(client, finding_url(org_a, pk, "false-positive"), {"reason": "Scanner noise"})
    assert not_open.status_code == 400 and list(not_open.json()) == ["status"]
    reopened = post(client, finding_url(org_a, pk, "reopen"), {"reason": "Regression in 2.4"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    already = post(client, finding_url(org_a, pk, "reopen"))
    assert already.status_code == 400 and list(already.json()) == ["status"]
    no_reason = post(client, finding_url(org_a, pk, "false-positive"), {"reason": ""})
    assert no_reason.status_code == 400 and list(no_reason.json()) == ["reason"]
    false_positive = post(client, finding_url(org_a, pk, "false-positive"), {"reason": "WAF blocks it"})
    assert (
        false_positive.json()["status"] == "false_positive" and false_positive.json()["sla_state"] == "none"
    )


def test_risk_acceptance_managers_only_and_expiry_reads_reopened(
    org_a: Any, owner_a: Any, app_id: int
) -> None:
    pk = record(org_a, owner_a, app_id)
    url = finding_url(org_a, pk, "accept-risk")
    body = {"reason": "Compensating WAF rule", "expires_at": "2026-07-01T09:00:00Z"}
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        assert post(logged_in(member(org_a, "editor")), url, body).status_code == 403
        assert post(token_client(org_a, owner_a, "write"), url, body).status_code == 403
        assert post(token_client(org_a, owner_a, "read"), url, body).status_code == 403
        too_long = post(logged_in(owner_a), url, body | {"expires_at": "2027-12-01T00:00:00Z"})
        assert too_long.status_code == 400 and list(too_long.json()) == ["expires_at"]
        missing = post(logged_in(owner_a), url, {"reason": "x"})
        assert missing.status_code == 400 and list(missing.json()) == ["expires_at"]
        with org_scope(org_a):
            assert Finding.objects.get(pk=pk).status == "open"
        accepted = post(logged_in(owner_a), url, body)
        assert accepted.status_code == 200, accepted.content
        assert accepted.json()["status"] == "risk_accepted" and accepted.json()["sla_state"] == "none"
        assert accepted.json()["risk_accepted_by"] == owner_a.email
    with time_machine.travel(dt.datetime(2026, 7, 2, tzinfo=dt.UTC), tick=False):
        client = logged_in(owner_a)
        expired = client.get(finding_url(org_a, pk)).json()
        assert expired["status"] == "reopened" and expired["stored_status"] == "risk_accepted"
        assert expired["sla_state"] == "breached"
        listed = [f["id"] for f in items(client.get(base(org_a) + "findings/?status=reopened"))]
        assert listed == [pk]
        assert items(client.get(base(org_a) + "findings/?status=risk_accepted")) == []


def test_token_scopes_on_findings(org_a: Any, owner_a: Any, app_id: int) -> None:
    pk = record(org_a, owner_a, app_id)
    url = base(org_a) + "findings/"
    payload = {"application": app_id, "title": "Token finding", "severity": "low"}
    for scope in ("read", "audit"):
        client = token_client(org_a, owner_a, scope)
        assert [f["id"] for f in items(client.get(url))] == [pk]
        assert client.get(finding_url(org_a, pk)).status_code == 200
        assert post(client, url, payload).status_code == 403
        for action, data in (("assign", {"assignee": None}), ("fix", {}), ("reopen", {})):
            assert post(client, finding_url(org_a, pk, action), data).status_code == 403
    writer = token_client(org_a, owner_a, "write")
    assert post(writer, url, payload).status_code == 201
    assert post(writer, finding_url(org_a, pk, "fix")).status_code == 200
    assert post(writer, finding_url(org_a, pk, "retest"), {"passed": True}).status_code == 200
    assert send(writer, "PATCH", finding_url(org_a, pk), {"title": "x"}).status_code == 200  # an edit
    assert send(writer, "DELETE", finding_url(org_a, pk)).status_code == 405  # no service deletes one


def test_filters(org_a: Any, owner_a: Any, app_id: int) -> None:
    engineer = member(org_a, "editor")
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        other = application(actor, name="Intranet", criticality="low")
        engagement = completed_engagement(actor, other, end=T0)
    sqli = record(org_a, owner_a, app_id, cwe_id=89, asset="https://portal.example/login", assignee=engineer)
    xss = record(org_a, owner_a, other.pk, title="Stored XSS", severity="medium", engagement=engagement)
    info = record(org_a, owner_a, app_id, title="Server banner", severity="info")
    url = base(org_a) + "findings/"

    def ids(query: str) -> set[int]:
        return {f["id"] for f in items(client.get(url + query))}

    with time_machine.travel(T0 + dt.timedelta(hours=30), tick=False):
        client = logged_in(owner_a)
        assert ids("") == {sqli, xss, info}
        assert ids(f"?application={app_id}") == {sqli, info}
        assert ids(f"?engagement={engagement.pk}") == {xss}
        assert ids("?severity=medium") == {xss}
        assert ids(f"?assignee={engineer.pk}") == {sqli}
        assert ids("?assignee=none") == {xss, info}
        assert ids("?search=xss") == ids("?search=XSS") == {xss}
        assert ids("?search=CWE-89") == ids("?search=portal.example") == {sqli}
        assert ids("?sla_state=approaching") == {sqli}  # past its 24 h target, before its 48 h deadline
        assert ids("?sla_state=within") == {xss} and ids("?sla_state=none") == {info}
        assert ids("?status=open&severity=high&sla_state=approaching") == {sqli}
        for bad in ("?severity=urgent", "?status=done", "?sla_state=late", "?assignee=me", "?application=x"):
            response = client.get(url + bad)
            assert response.status_code == 400 and list(response.json()) == [bad[1:].split("=")[0]], bad
    with time_machine.travel(T0 + dt.timedelta(hours=49), tick=False):
        client = logged_in(owner_a)
        assert ids("?sla_state=breached") == {sqli}
        detail = client.get(finding_url(org_a, sqli)).json()
        assert detail["sla_state"] == "breached"


def test_finding_list_costs_no_query_per_row(org_a: Any, owner_a: Any, app_id: int) -> None:
    client, url = logged_in(owner_a), base(org_a) + "findings/"

    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert items(client.get(url + query))
        return len(captured)

    record(org_a, owner_a, app_id, assignee=owner_a)
    one, filtered = queries(""), queries("?sla_state=breached")
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        engagement = completed_engagement(actor, Application.objects.get(pk=app_id), end=T0)
    for number in range(5):
        pk = record(
            org_a, owner_a, app_id, title=f"Finding {number}", assignee=owner_a, engagement=engagement
        )
        post(
            client,
            finding_url(org_a, pk, "accept-risk"),
            {"reason": "ok", "expires_at": "2027-01-01T00:00:00Z"},
        )
    assert queries("") == one and queries("?sla_state=breached") == filtered
