"""Triage flows: validity and duplicates, status, finding link with its SLA, rewards by the policy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from tests.assessments.helpers import application
from tests.disclosure.helpers import org_with_owner, publish_policy, verified_report
from tests.factories import member, principal_for
from trustroom.assessments.services.findings import deadlines
from trustroom.disclosure import services
from trustroom.disclosure.models import DisclosureReport, ReportStatus, RewardEntry, RewardStatus
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    org, owner, actor = org_with_owner()
    publish_policy(org, actor)
    report, _status = verified_report(org)
    return org, owner, actor, report


def test_triage_valid_high_links_a_finding_whose_sla_applies(world) -> None:  # type: ignore[no-untyped-def]
    org, _owner, actor, report = world
    with org_scope(org):
        app = application(actor)
        report = services.triage_report(actor=actor, report=report, validity="valid", severity="high")
        assert report.status == ReportStatus.TRIAGED
        finding = services.link_finding(actor=actor, report=report, application=app)
        report.refresh_from_db()
        assert report.finding == finding
        assert report.status == ReportStatus.IN_PROGRESS
        assert finding.severity == "high"
        assert finding.detected_at == report.email_verified_at
        due_at, _target = deadlines(
            application=app, severity="high", detected_at=finding.detected_at, policy=finding.sla_policy
        )
        assert finding.due_at == due_at is not None


def test_only_valid_reports_become_findings_and_duplicates_name_the_original(world) -> None:  # type: ignore[no-untyped-def]
    org, _owner, actor, report = world
    second, _ = verified_report(org, email="other@research.test", title="Same XSS")
    with org_scope(org):
        app = application(actor)
        with pytest.raises(ValidationError) as caught, transaction.atomic():
            services.triage_report(actor=actor, report=second, validity="duplicate")
        assert "duplicate_of" in caught.value.message_dict
        services.triage_report(actor=actor, report=second, validity="duplicate", duplicate_of=report)
        assert DisclosureReport.objects.get(pk=second.pk).duplicate_of == report
        with pytest.raises(ValidationError) as caught, transaction.atomic():
            services.link_finding(actor=actor, report=second, application=app)
        assert "finding" in caught.value.message_dict


def test_viewers_cannot_triage(world) -> None:  # type: ignore[no-untyped-def]
    org, _owner, _actor, report = world
    viewer = member(org, role="viewer")
    client = Client()
    client.force_login(viewer)
    response = client.post(
        f"/o/acme/disclosure/reports/{report.pk}/", {"action": "triage", "validity": "invalid"}
    )
    assert response.status_code == 403
    with org_scope(org):
        assert DisclosureReport.objects.get(pk=report.pk).validity == ""


def test_triage_page_flow(world) -> None:  # type: ignore[no-untyped-def]
    org, owner, _actor, report = world
    client = Client()
    client.force_login(owner)
    url = f"/o/acme/disclosure/reports/{report.pk}/"
    assert (
        client.post(url, {"action": "triage", "validity": "valid", "severity": "critical"}).status_code == 302
    )
    assert client.post(url, {"action": "status", "status": "fixed"}).status_code == 302
    bad = client.post(url, {"action": "triage", "validity": "valid", "severity": ""})
    assert bad.status_code == 400 and "severity" in bad.content.decode()
    assert "critical" in client.get("/o/acme/disclosure/?severity=critical").content.decode().lower()
    assert client.get("/o/acme/disclosure/?severity=bogus").status_code == 400
    with org_scope(org):
        stored = DisclosureReport.objects.get(pk=report.pk)
    assert (stored.validity, stored.severity, stored.status) == ("valid", "critical", "fixed")


def test_rewards_follow_the_policy_table(world) -> None:  # type: ignore[no-untyped-def]
    org, _owner, actor, report = world
    low, _ = verified_report(org, email="low@research.test")
    with org_scope(org):
        services.triage_report(actor=actor, report=low, validity="valid", severity="low")
        with pytest.raises(ValidationError) as caught, transaction.atomic():
            services.propose_reward(actor=actor, report=low)  # low: not eligible in the table
        assert "amount" in caught.value.message_dict
        services.triage_report(actor=actor, report=report, validity="valid", severity="high")
        entry = services.propose_reward(actor=actor, report=report)
        assert (entry.amount, entry.currency, entry.status) == (
            Decimal("1000.00"),
            "USD",
            RewardStatus.PROPOSED,
        )
        editor = member(org, role="editor")
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied), transaction.atomic():
            services.set_reward_status(actor=principal_for(editor, org), entry=entry, status="approved")
        with pytest.raises(ValidationError), transaction.atomic():
            services.set_reward_status(actor=actor, entry=entry, status="paid")  # must be approved first
        services.set_reward_status(actor=actor, entry=entry, status="approved")
        services.set_reward_status(actor=actor, entry=entry, status="paid")
        assert RewardEntry.objects.get().status == RewardStatus.PAID
        from trustroom.audit.models import AuditEvent

        actions = list(
            AuditEvent.objects.filter(action__startswith="disclosure.reward").values_list("action", flat=True)
        )
    assert actions.count("disclosure.reward_status") == 2 and "disclosure.reward_proposed" in actions


def test_api_triage_and_rewards(world) -> None:  # type: ignore[no-untyped-def]
    from tests.identity.factories import api_token, bearer

    org, owner, _actor, report = world
    _token, raw = api_token(org, owner, scope="write")
    client = bearer(raw)
    base = "/api/v1/orgs/acme/"
    assert client.get(base + "disclosure-policy/").json()["contacts"][0] == "mailto:security@acme.test"
    listed = client.get(base + "disclosure-reports/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [report.pk]
    response = client.post(
        base + f"disclosure-reports/{report.pk}/triage/",
        {"validity": "valid", "severity": "medium"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    reward = client.post(
        base + f"disclosure-reports/{report.pk}/rewards/", {}, content_type="application/json"
    )
    assert reward.status_code == 201 and reward.json()["amount"] == "250.00"
    session = Client()
    session.force_login(owner)  # approving is for owners and admins (a write token acts as an editor)
    approved = session.post(
        base + f"disclosure-rewards/{reward.json()['id']}/status/",
        {"status": "approved"},
        content_type="application/json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    bad = client.post(
        base + f"disclosure-reports/{report.pk}/triage/",
        {"validity": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "validity" in bad.json().__str__()
