"""Demo Co's VAPT programme: the expected applications and states, every finding status and SLA state,
the published attestation in the trust center, and idempotence."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from trustroom.assessments.models import Application, Engagement, Finding, FindingStatus, Vendor
from trustroom.assessments.selectors import application_states, finding_states
from trustroom.assessments.state import SlaState
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.models import SafeToHostPublication
from trustroom.vault.models import Document

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Vendor.objects.count(),
        Application.objects.count(),
        Engagement.objects.count(),
        Finding.objects.count(),
        SafeToHostPublication.objects.count(),
        Document.objects.count(),
    )


def test_the_demo_programme_has_the_expected_states_and_loads_once() -> None:
    org = load_demo().organization
    with org_scope(org):
        first = counts()
        states = {s.application.name: s for s in application_states()}
        findings = finding_states(Finding.objects.all())
        statuses = Counter(s.finding.status for s in findings)
        effective = Counter(s.status for s in findings)
        sla = Counter(s.sla for s in findings)
        empanelled = Vendor.objects.get(name="Kestrel Security Labs")
        portal_report = Engagement.objects.get(name="Customer Portal VAPT H2").report_documents.count()
        published = list(SafeToHostPublication.objects.values_list("application__name", flat=True))
        mass_assignment = Finding.objects.get(title="Mass assignment on profile update")
    assert first[:4] == (2, 3, 8, 32)
    assert "CERT-In" in empanelled.accreditation and "empanelment no." in empanelled.accreditation
    assert portal_report == 1 and published == ["Customer Portal"]

    portal, partner, mobile = states["Customer Portal"], states["Partner API"], states["Mobile Backend"]
    assert portal.safe_to_host and portal.application.test_cadence == "twice_a_year"
    assert not partner.safe_to_host and partner.schedule.overdue
    assert partner.application.test_cadence == "quarterly"
    assert len(partner.reasons) == 1 and "the next was due" in partner.reasons[0]
    assert not mobile.safe_to_host and not mobile.schedule.overdue
    assert mobile.reasons == ["Unresolved findings: 3 high (open, reopened or awaiting retest)."]

    assert set(statuses) == set(FindingStatus.values)  # every stored status
    assert statuses[FindingStatus.CLOSED] >= 10 and statuses[FindingStatus.RISK_ACCEPTED] == 3
    assert effective[FindingStatus.RISK_ACCEPTED] == 2  # one acceptance has expired: it reads as reopened
    assert set(sla) == {SlaState.WITHIN, SlaState.APPROACHING, SlaState.BREACHED, SlaState.MET, SlaState.NONE}
    assert sla[SlaState.BREACHED] >= 5 and sla[SlaState.APPROACHING] >= 2
    assert mass_assignment.assignee is not None and mass_assignment.status == FindingStatus.OPEN

    load_demo()
    with org_scope(org):
        assert counts() == first


def test_the_trust_center_shows_only_the_safe_published_application(client: Client) -> None:
    cache.clear()
    org = load_demo().organization
    body = client.get(f"/trust/{org.slug}/certifications/").content.decode()
    assert "Safe to host: Customer Portal" in body
    assert "Kestrel Security Labs (CERT-In empanelled" in body
    assert "Partner API" not in body and "Mobile Backend" not in body
    assert "Safe to host: Customer Portal" in client.get(f"/trust/{org.slug}/").content.decode()


def test_the_demo_findings_produce_sla_notifications_once(django_capture_on_commit_callbacks: Any) -> None:
    from trustroom.assessments.sla_notifications import send_sla_notifications

    org = load_demo().organization
    with django_capture_on_commit_callbacks(execute=True):
        first = send_sla_notifications(organization=org)
    assert first.breached >= 4 and first.approaching >= 2 and first.notifications_sent >= 6
    assert send_sla_notifications(organization=org).notifications_sent == 0
