"""A control's readiness for an audit period counts only the evidence that took effect inside the window,
read as of the period's end (or now while it runs); the live pages keep the live status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.controls.audit_factories import auditor, make_period, soc2_control
from tests.controls.factories import inventory, make_residency_check
from trustroom.controls import audit_services, period_readiness, services
from trustroom.controls.models import Evidence
from trustroom.controls.selectors import with_status

pytestmark = pytest.mark.django_db


def evidence(actor: Any, control: Any, *, effective: int, expires: int) -> Evidence:
    """A link effective `effective` days from now, expiring `expires` days from now."""
    return services.add_evidence(
        actor=actor,
        control=control,
        kind="link",
        url=f"https://alpha.example/{effective}/{expires}",
        effective_at=timezone.now() + dt.timedelta(days=effective),
        expires_at=timezone.now() + dt.timedelta(days=expires),
    )


def status(control: Any, period: Any) -> str:
    items = Evidence.objects.filter(control=control).select_related("check_run")
    return str(period_readiness.period_status(items, period))


@pytest.fixture
def closed_window(actor: Any) -> Any:
    """A period that ran from 100 to 40 days ago."""
    return make_period(actor, "Last half", start_days=-100, end_days=-40)


def test_evidence_before_the_window_does_not_count_even_if_still_fresh(
    actor: Any, closed_window: Any
) -> None:
    control = soc2_control(actor)
    evidence(actor, control, effective=-200, expires=300)  # fresh all along, but older than the window
    assert status(control, closed_window) == "missing"
    assert with_status([control])[0].status == "ready"  # type: ignore[attr-defined]  # live: still ready


def test_in_window_evidence_fresh_at_the_end_is_ready_and_expired_is_stale(
    actor: Any, closed_window: Any
) -> None:
    control = soc2_control(actor)
    item = evidence(actor, control, effective=-70, expires=-30)  # in the window, fresh at its end (-40)
    assert status(control, closed_window) == "ready"
    Evidence.objects.filter(pk=item.pk).update(expires_at=timezone.now() - dt.timedelta(days=50))
    assert status(control, closed_window) == "stale"  # expired before the period ended
    Evidence.objects.filter(pk=item.pk).update(expires_at=closed_window.ends_at)
    assert status(control, closed_window) == "stale"  # expiring exactly at the end is not fresh at the end


def test_evidence_after_the_window_does_not_count(actor: Any, closed_window: Any) -> None:
    control = soc2_control(actor)
    evidence(actor, control, effective=-10, expires=60)  # after the period ended
    assert status(control, closed_window) == "missing"
    evidence(actor, control, effective=-90, expires=-60)  # inside, but expired before the end
    assert status(control, closed_window) == "stale"


def test_a_running_period_reads_as_of_now(actor: Any) -> None:
    period = make_period(actor, "This half", start_days=-30, end_days=30)
    control = soc2_control(actor)
    evidence(actor, control, effective=-5, expires=10)  # fresh now, expired by the period's end
    assert period_readiness.as_of(period) <= timezone.now()
    assert status(control, period) == "ready"


def test_a_failed_check_run_in_the_window_makes_the_control_failing(actor: Any) -> None:
    period = make_period(actor, "This half", start_days=-30, end_days=30)
    control = soc2_control(actor)
    evidence(actor, control, effective=-5, expires=10)
    check = make_residency_check(actor, controls=[control])
    services.import_snapshot(actor=actor, check=check, raw=inventory(("AWS::S3::Bucket", "b", "us-east-1")))
    services.run_check(actor=actor, check=check)
    assert status(control, period) == "failing"


def test_the_period_page_and_the_api_show_the_in_window_readiness(
    org_a: Any, owner_a: Any, actor: Any
) -> None:
    period = make_period(actor, "Last half", start_days=-100, end_days=-40)
    ready, missing = soc2_control(actor), soc2_control(actor, key="AC-2", name="Old evidence only")
    evidence(actor, ready, effective=-70, expires=-30)
    evidence(actor, missing, effective=-200, expires=300)
    user = auditor(actor, "auditor@alpha.test", period)
    audit_services.update_period(actor=actor, period=period, status="closed")
    for member in (owner_a, user):
        client = Client()
        client.force_login(member)
        page = client.get(f"/o/alpha-co/controls/audit/{period.pk}/").content.decode()
        table = page.split("Controls in scope with their readiness for this period", 1)[1].split("</table>")[
            0
        ]
        assert (
            '<th scope="row">AC-1</th><td>Access is reviewed</td><td><span class="badge ok">Ready</span>'
            in table
        )
        assert (
            '<th scope="row">AC-2</th><td>Old evidence only</td><td><span class="badge pending">Missing'
            in table
        )
        assert "(the period's end)" in page
        body = client.get(f"/api/v1/orgs/alpha-co/audit-periods/{period.pk}/readiness/").json()
        assert [(c["key"], c["status"]) for c in body["controls"]] == [("AC-1", "ready"), ("AC-2", "missing")]
        assert body["as_of"].startswith(period.ends_at.strftime("%Y-%m-%dT%H:%M"))
    client = Client()
    client.force_login(owner_a)
    live = client.get("/o/alpha-co/controls/").content.decode()
    assert live.count('<span class="badge ok">Ready</span>') == 1  # AC-2 is ready live, AC-1 no longer
