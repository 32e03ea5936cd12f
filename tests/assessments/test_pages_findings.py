"""The findings pages: the filtered register, a manual finding, a finding's page and its transitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.assessments.clients import body, logged_in, refresh
from tests.assessments.helpers import CVSS31_CRITICAL, application
from tests.factories import auditor_of_everything, member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Finding, FindingStatus
from trustroom.assessments.views.findings import FINDINGS_PER_PAGE
from trustroom.tenancy.scope import org_scope

BASE = "/o/alpha-co/assessments/"


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    """Two applications; a breached high (detected 3 days ago), a fresh critical, a fixed medium, an info."""
    actor = principal_for(owner_a, org_a)
    now = dt.datetime.now(dt.UTC)
    engineer = member(org_a, "editor", email="eng@alpha.test")
    with org_scope(org_a):
        portal = application(actor, "GSP portal")
        intranet = application(actor, "Intranet", criticality="low")
        breached = services.create_finding(
            actor=actor,
            application=portal,
            title="SQL injection in login",
            severity="high",
            detected_at=now - dt.timedelta(days=3),
            asset="https://portal.example/login",
        )
        fresh = services.create_finding(
            actor=actor,
            application=portal,
            title="Remote code execution",
            severity="critical",
            cvss_vector=CVSS31_CRITICAL,
            assignee=engineer,
        )
        fixed = services.create_finding(
            actor=actor, application=intranet, title="Verbose errors", severity="medium"
        )
        services.mark_fixed(actor=actor, finding=fixed)
        info = services.create_finding(
            actor=actor, application=intranet, title="Server banner", severity="info"
        )
    return {
        "actor": actor,
        "portal": portal,
        "intranet": intranet,
        "breached": breached,
        "fresh": fresh,
        "fixed": fixed,
        "info": info,
        "engineer": engineer,
    }


@pytest.fixture
def owner(owner_a: Any) -> Client:
    return logged_in(owner_a)


def titles(html: str) -> set[str]:
    known = {"SQL injection in login", "Remote code execution", "Verbose errors", "Server banner"}
    return {title for title in known if f">{title}</a>" in html}


# --- the register -----------------------------------------------------------------------------------------


def test_list_shows_severity_cvss_sla_badge_and_due(owner: Client, world: Any) -> None:
    html = body(owner.get(BASE + "findings/"))
    assert titles(html) == {
        "SQL injection in login",
        "Remote code execution",
        "Verbose errors",
        "Server banner",
    }
    rce = html.split(">Remote code execution</a>")[1].split("</tr>")[0]
    assert "Critical" in rce and "9.8" in rce and "Within SLA" in rce and "eng@alpha.test" in rce
    sqli = html.split(">SQL injection in login</a>")[1].split("</tr>")[0]
    assert "Breached" in sqli and f"{world['breached'].due_at:%Y-%m-%d %H:%M}" in sqli
    assert "Met" in html.split(">Verbose errors</a>")[1].split("</tr>")[0]
    assert "No deadline" in html.split(">Server banner</a>")[1].split("</tr>")[0]
    assert 'hx-get="/o/alpha-co/assessments/findings/"' in html and 'role="search"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("severity=high", {"SQL injection in login"}),
        ("status=fixed_awaiting_retest", {"Verbose errors"}),
        ("sla=breached", {"SQL injection in login"}),
        ("sla=within", {"Remote code execution"}),
        ("sla=met", {"Verbose errors"}),
        ("sla=none", {"Server banner"}),
        ("sla=approaching", set()),
        ("q=portal.example", {"SQL injection in login"}),
        ("q=banner", {"Server banner"}),
    ],
)
def test_filters_narrow_the_register(owner: Client, world: Any, query: str, expected: set[str]) -> None:
    response = owner.get(f"{BASE}findings/?{query}")
    assert response.status_code == 200
    html = body(response)
    assert titles(html) == expected
    if not expected:
        assert "No finding matches these filters." in html


def test_filters_by_application_and_assignee_and_htmx_returns_the_rows_only(
    owner: Client, world: Any
) -> None:
    html = body(owner.get(f"{BASE}findings/?application={world['intranet'].pk}"))
    assert titles(html) == {"Verbose errors", "Server banner"}
    partial = owner.get(f"{BASE}findings/?assignee={world['engineer'].pk}", HTTP_HX_REQUEST="true")
    text = body(partial)
    assert titles(text) == {"Remote code execution"}
    assert "<html" not in text and 'role="search"' not in text


def test_an_unknown_filter_value_is_reported_not_ignored(owner: Client, world: Any) -> None:
    response = owner.get(f"{BASE}findings/?sla=late")
    assert response.status_code == 400
    assert "These filters could not be applied" in body(response)
    partial = owner.get(f"{BASE}findings/?sla=late", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "These filters could not be applied" in body(partial)


def test_the_register_is_paginated_and_keeps_the_filters(org_a: Any, owner: Client, world: Any) -> None:
    with org_scope(org_a):
        for n in range(FINDINGS_PER_PAGE + 2):
            services.create_finding(
                actor=world["actor"], application=world["portal"], title=f"XSS {n}", severity="low"
            )
    first = body(owner.get(f"{BASE}findings/?severity=low"))
    assert f"{FINDINGS_PER_PAGE + 2} findings match" in first and "Page 1 of 2" in first
    assert "severity=low&amp;page=2" in first
    second = body(owner.get(f"{BASE}findings/?severity=low&page=2"))
    assert "Page 2 of 2" in second and second.count("XSS ") == 2


def test_an_empty_register_invites_the_first_finding(org_a: Any, owner: Client) -> None:
    html = body(owner.get(BASE + "findings/"))
    assert "No findings yet." in html and 'role="status"' in html


# --- a manual finding -------------------------------------------------------------------------------------


def test_create_a_finding_with_cvss_errors_on_the_field(org_a: Any, owner: Client, world: Any) -> None:
    form = body(owner.get(f"{BASE}findings/new/?application={world['portal'].pk}"))
    assert "eng@alpha.test" in form and f'value="{world["portal"].pk}" selected' in form
    data = {
        "application": world["portal"].pk,
        "title": "Broken access control",
        "severity": "high",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L",
        "cwe_id": "CWE-285",
        "asset": "/admin",
        "assignee": world["engineer"].pk,
        "evidence": "GET /admin as a customer → 200",
    }
    refused = owner.post(BASE + "findings/new/", data)
    assert refused.status_code == 400
    html = body(refused)
    assert 'id="id_cvss_vector_error"><li>This is not a valid CVSS vector' in html
    with org_scope(org_a):
        assert not Finding.objects.filter(title="Broken access control").exists()
    created = owner.post(BASE + "findings/new/", data | {"cvss_vector": CVSS31_CRITICAL})
    assert created.status_code == 302
    with org_scope(org_a):
        finding = Finding.objects.get(title="Broken access control")
    assert (
        finding.cwe_id == 285 and str(finding.cvss_score) == "9.8" and finding.assignee == world["engineer"]
    )
    assert created["Location"] == f"{BASE}findings/{finding.pk}/"


def test_an_engagement_of_another_application_is_refused_on_its_field(
    org_a: Any, owner: Client, world: Any
) -> None:
    from tests.assessments.helpers import completed_engagement

    with org_scope(org_a):
        engagement = completed_engagement(
            world["actor"], world["intranet"], end=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        )
    refused = owner.post(
        BASE + "findings/new/",
        {"application": world["portal"].pk, "engagement": engagement.pk, "title": "X", "severity": "low"},
    )
    assert refused.status_code == 400
    assert "This engagement tested another application." in body(refused)


# --- a finding's page and its transitions -----------------------------------------------------------------


def test_detail_shows_fields_deadlines_and_history(owner: Client, world: Any) -> None:
    finding = world["fresh"]
    html = body(owner.get(f"{BASE}findings/{finding.pk}/"))
    assert "Remote code execution" in html and "9.8 (CVSS 3.1)" in html and CVSS31_CRITICAL in html
    assert f"{finding.due_at:%Y-%m-%d %H:%M}" in html and f"{finding.target_at:%Y-%m-%d %H:%M}" in html
    assert "SLA: Within SLA" in html and "Status: Open" in html
    assert "finding.create" in html  # the audit history, for owners
    for button in ("Mark fixed", "Assign", "Accept the risk", "Mark false positive"):
        assert f">{button}</button>" in html
    assert ">Record retest</button>" not in html and ">Reopen</button>" not in html


def test_fix_then_passing_retest_closes(org_a: Any, owner: Client, world: Any) -> None:
    finding = world["breached"]
    url = f"{BASE}findings/{finding.pk}/"
    assert owner.post(url + "retest/", {"passed": "yes"}).status_code == 400  # not fixed yet
    assert owner.post(url + "fix/").status_code == 302
    refresh(finding)
    assert finding.status == FindingStatus.FIXED_AWAITING_RETEST and finding.retest_due_at is not None
    html = body(owner.get(url))
    assert (
        "Vendor retest due" in html
        and ">Record retest</button>" in html
        and ">Mark fixed</button>" not in html
    )
    assert owner.post(url + "retest/", {"passed": "yes", "notes": "Vendor confirmed"}).status_code == 302
    refresh(finding)
    assert finding.status == FindingStatus.CLOSED
    html = body(owner.get(url))
    assert "Status: Closed" in html and "finding.retest" in html and "Vendor confirmed" in html
    assert ">Reopen</button>" in html


def test_failing_retest_reopens_and_refusals_show_on_the_page(owner: Client, world: Any) -> None:
    finding = world["fixed"]
    url = f"{BASE}findings/{finding.pk}/"
    missing = owner.post(url + "retest/", {})
    assert missing.status_code == 400 and "Not done" in body(missing)
    assert owner.post(url + "retest/", {"passed": "no"}).status_code == 302
    refresh(finding)
    assert finding.status == FindingStatus.REOPENED
    again = owner.post(url + "reopen/", {"reason": "again"})
    assert again.status_code == 400 and "This finding is already open." in body(again)


def test_assign_accept_risk_false_positive_and_reopen(owner: Client, world: Any) -> None:
    finding = world["fresh"]
    url = f"{BASE}findings/{finding.pk}/"
    assert owner.post(url + "assign/", {"assignee": ""}).status_code == 302
    refresh(finding)
    assert finding.assignee is None

    now = dt.datetime.now(dt.UTC)
    too_long = owner.post(
        url + "accept-risk/",
        {"reason": "Compensating WAF rule", "expires_at": f"{now + dt.timedelta(days=400):%Y-%m-%dT%H:%M}"},
    )
    assert too_long.status_code == 400 and "A risk can be accepted for at most 365 days." in body(too_long)
    expiry = now + dt.timedelta(days=30)
    accepted = owner.post(
        url + "accept-risk/", {"reason": "Compensating WAF rule", "expires_at": f"{expiry:%Y-%m-%dT%H:%M}"}
    )
    assert accepted.status_code == 302
    refresh(finding)
    assert finding.status == FindingStatus.RISK_ACCEPTED
    html = body(owner.get(url))
    assert (
        "Risk accepted until" in html
        and f"{expiry:%Y-%m-%d %H:%M}" in html
        and "Compensating WAF rule" in html
    )
    assert "SLA: No deadline" in html

    assert owner.post(url + "false-positive/", {"reason": ""}).status_code == 400
    assert owner.post(url + "false-positive/", {"reason": "Not reachable"}).status_code == 302
    refresh(finding)
    assert finding.status == FindingStatus.FALSE_POSITIVE
    assert owner.post(url + "reopen/", {"reason": "It is reachable after all"}).status_code == 302
    refresh(finding)
    assert finding.status == FindingStatus.REOPENED


def test_an_expired_risk_acceptance_reads_as_reopened(org_a: Any, owner: Client, world: Any) -> None:
    finding = world["fresh"]
    with org_scope(org_a):
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
        services.accept_risk(
            actor=world["actor"],
            finding=finding,
            reason="Temporary",
            expires_at=past + dt.timedelta(days=30),
            now=past,
        )
    html = body(owner.get(f"{BASE}findings/{finding.pk}/"))
    assert "Status: Reopened" in html and "risk acceptance expired" in html
    assert titles(body(owner.get(BASE + "findings/?status=reopened"))) == {"Remote code execution"}
    assert titles(body(owner.get(BASE + "findings/?status=risk_accepted"))) == set()


def test_only_managers_may_accept_a_risk(org_a: Any, world: Any) -> None:
    editor = logged_in(world["engineer"])
    url = f"{BASE}findings/{world['fresh'].pk}/"
    html = body(editor.get(url))
    assert ">Mark fixed</button>" in html and ">Accept the risk</button>" not in html
    assert "finding.create" not in html  # no audit log for editors
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    refused = editor.post(url + "accept-risk/", {"reason": "x", "expires_at": f"{expiry:%Y-%m-%dT%H:%M}"})
    assert refused.status_code == 403
    refresh(world["fresh"])
    assert world["fresh"].status == FindingStatus.OPEN


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_cannot_write_findings(org_a: Any, world: Any, role: str) -> None:
    reader = (
        auditor_of_everything(org_a, email="auditor@alpha.test")
        if role == "auditor"
        else member(org_a, role, email=f"{role}@alpha.test")
    )
    client = logged_in(reader)
    finding = world["fresh"]
    url = f"{BASE}findings/{finding.pk}/"
    detail = body(client.get(url))
    assert "Remote code execution" in detail and "<button" not in detail.split("<main")[1]
    assert ("finding.create" in detail) == (role == "auditor")  # auditors read the history
    assert "Record a finding" not in body(client.get(BASE + "findings/"))
    assert client.get(BASE + "findings/new/").status_code == 403
    assert (
        client.post(
            BASE + "findings/new/", {"application": world["portal"].pk, "title": "X", "severity": "low"}
        ).status_code
        == 403
    )
    for action, data in [
        ("assign/", {"assignee": ""}),
        ("fix/", {}),
        ("retest/", {"passed": "yes"}),
        ("accept-risk/", {"reason": "x", "expires_at": "2030-01-01T00:00"}),
        ("false-positive/", {"reason": "x"}),
        ("reopen/", {"reason": "x"}),
    ]:
        assert client.post(url + action, data).status_code == 403, action
    refresh(finding)
    assert finding.status == FindingStatus.OPEN and finding.assignee == world["engineer"]


def test_sla_filter_counts_accepted_risks_and_false_positives_as_no_deadline(
    org_a: Any, owner: Client, world: Any
) -> None:
    now = dt.datetime.now(dt.UTC)
    with org_scope(org_a):
        services.accept_risk(
            actor=world["actor"],
            finding=world["fresh"],
            reason="WAF rule",
            expires_at=now + dt.timedelta(days=9),
        )
        services.mark_false_positive(actor=world["actor"], finding=world["breached"], reason="Not reachable")
    assert titles(body(owner.get(BASE + "findings/?sla=none"))) == {
        "Remote code execution",
        "SQL injection in login",
        "Server banner",
    }
    assert titles(body(owner.get(BASE + "findings/?sla=breached"))) == set()
    assert titles(body(owner.get(BASE + "findings/?sla=within"))) == set()
