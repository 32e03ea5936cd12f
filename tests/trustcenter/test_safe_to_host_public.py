"""The "safe to host" attestation in the public trust center: shown only when published AND computed
safe; gone when a critical/high finding opens, when the cadence lapses, when withdrawn; never for
another organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.assessments.helpers import application, completed_engagement
from tests.factories import member, principal_for
from tests.trustcenter.public_data import publish
from trustroom.assessments import services as assessments
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.attestations import published_attestations
from trustroom.trustcenter.models import SafeToHostPublication
from trustroom.trustcenter.services import set_safe_to_host_published

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
TESTED = NOW - dt.timedelta(days=30)  # 11 May 2026; twice a year: next test due 11 November 2026 12:00
CERTS = "/trust/alpha-co/certifications/"
OVERVIEW = "/trust/alpha-co/"
HEADING = "Safe to host: Payments API"


@pytest.fixture(autouse=True)
def _clock_and_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Writes invalidate the trust center after commit: run those callbacks as if committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def alpha(org_a: Any, owner_a: Any, committed: Any) -> dict[str, Any]:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a), committed():
        publish(actor)
        app = application(actor, name="Payments API")
        completed_engagement(actor, app, end=TESTED)
        set_safe_to_host_published(actor=actor, application=app, published=True)
    return {"org": org_a, "actor": actor, "app": app}


def html(client: Client, url: str = CERTS) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_safe_application_shows_its_attestation(alpha: dict[str, Any], client: Client) -> None:
    page = html(client)
    assert HEADING in page
    assert "Last VAPT completed</dt><dd>11 May 2026" in page
    assert "Sumasoft (CERT-In empanelled vendor #50)" in page
    assert "Valid until 10 November 2026; the next test is due 11 November 2026" in page
    assert "twice a year cadence" in page
    assert "No certifications are published yet." not in page
    overview = html(client, OVERVIEW)
    assert HEADING in overview and "application attested safe to host" in overview


def test_an_unpublished_application_never_shows(
    org_a: Any, owner_a: Any, client: Client, committed: Any
) -> None:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a), committed():
        publish(actor)
        completed_engagement(actor, application(actor, name="Internal HR tool"), end=TESTED)
    for url in (CERTS, OVERVIEW):
        assert "Internal HR tool" not in html(client, url)
    assert "No certifications are published yet." in html(client)


def test_it_disappears_when_a_high_finding_opens_and_returns_after_a_passed_retest(
    alpha: dict[str, Any], client: Client, committed: Any
) -> None:
    actor, org = alpha["actor"], alpha["org"]
    assert HEADING in html(client)  # now cached
    with org_scope(org), committed():
        high = assessments.create_finding(
            actor=actor, application=alpha["app"], title="IDOR in refunds", severity="high", detected_at=NOW
        )
    for url in (CERTS, OVERVIEW):
        page = html(client, url)
        assert "Payments API" not in page and "IDOR" not in page
    with org_scope(org), committed():
        assessments.mark_fixed(actor=actor, finding=high, now=NOW)
    assert "Payments API" not in html(client)  # awaiting the vendor's retest still blocks
    with org_scope(org), committed():
        assessments.record_retest(actor=actor, finding=high, passed=True, now=NOW)
    assert HEADING in html(client)


def test_medium_findings_do_not_withdraw_it(alpha: dict[str, Any], client: Client, committed: Any) -> None:
    with org_scope(alpha["org"]), committed():
        assessments.create_finding(
            actor=alpha["actor"], application=alpha["app"], title="Verbose errors", severity="medium"
        )
    assert HEADING in html(client)


def test_it_disappears_on_the_day_the_next_test_falls_due(alpha: dict[str, Any], client: Client) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 10, 23, 59, tzinfo=dt.UTC), tick=False):
        assert HEADING in html(client)  # the last day it is valid
    # From the start of the due day (hours before 12:00, when the test is due) it is gone, even from a
    # page rendered earlier that day: the state is taken as of the end of the UTC day.
    with time_machine.travel(dt.datetime(2026, 11, 11, 0, 1, tzinfo=dt.UTC), tick=False):
        page = html(client)
        assert "Payments API" not in page
        assert "No certifications are published yet." in page
        with org_scope(alpha["org"]):
            assert published_attestations() == []


def test_a_risk_acceptance_expiring_today_withdraws_it_for_the_whole_day(
    alpha: dict[str, Any], client: Client, committed: Any
) -> None:
    actor, org = alpha["actor"], alpha["org"]
    with org_scope(org), committed():
        high = assessments.create_finding(
            actor=actor, application=alpha["app"], title="Old TLS", severity="high", detected_at=NOW
        )
        assessments.accept_risk(
            actor=actor, finding=high, reason="Behind the VPN", expires_at=NOW + dt.timedelta(days=5)
        )
    assert HEADING in html(client)
    with time_machine.travel(NOW + dt.timedelta(days=5, hours=-11), tick=False):
        assert "Payments API" not in html(client)  # expires at noon that day


def test_withdrawing_it_takes_it_off_at_once(alpha: dict[str, Any], client: Client) -> None:
    assert HEADING in html(client)
    with org_scope(alpha["org"]):
        assert (
            set_safe_to_host_published(actor=alpha["actor"], application=alpha["app"], published=False)
            is None
        )
        assert (
            set_safe_to_host_published(actor=alpha["actor"], application=alpha["app"], published=False)
            is None
        )
        actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("trustcenter.safe_to_host_published") == 1
    assert actions.count("trustcenter.safe_to_host_withdrawn") == 1
    assert "Payments API" not in html(client)


def test_another_organization_never_shows_it_nor_can_publish_it(
    alpha: dict[str, Any], org_b: Any, owner_b: Any, client: Client
) -> None:
    actor_b = principal_for(owner_b, org_b)
    with org_scope(org_b):
        publish(actor_b)
        with pytest.raises(ValidationError) as refused:
            set_safe_to_host_published(actor=actor_b, application=alpha["app"], published=True)
        assert "application" in refused.value.message_dict
        assert SafeToHostPublication.objects.count() == 0
        assert published_attestations() == []
    for url in ("/trust/bravo-co/certifications/", "/trust/bravo-co/"):
        assert "Payments API" not in html(client, url)


def test_only_owners_and_admins_publish(alpha: dict[str, Any], org_a: Any) -> None:
    editor = principal_for(member(org_a, "editor"), org_a)
    with org_scope(org_a):
        other = application(alpha["actor"], name="Billing")
        with pytest.raises(PermissionDenied):
            set_safe_to_host_published(actor=editor, application=other, published=True)
        with pytest.raises(PermissionDenied):
            set_safe_to_host_published(actor=editor, application=alpha["app"], published=False)
        assert SafeToHostPublication.objects.count() == 1
