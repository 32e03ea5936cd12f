"""Incident pages: list and filters, open by hand and from alerts, the incident page's forms, the
overview (metrics, SVG chart, table) and the CSV export; readers get 403 on every write."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.factories import auditor_of_everything, member, principal_for
from tests.monitoring.factories import alerts, incident
from trustroom.monitoring import incident_services as services
from trustroom.monitoring.incident_models import Incident, IncidentAction, IncidentAlert, IncidentStatus
from trustroom.monitoring.models import Alert, AlertStatus
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def base(org_a: Any) -> str:
    return f"/o/{org_a.slug}/monitoring/incidents/"


def test_list_filters_and_empty_state(org_a: Any, owner_a: Any, base: str) -> None:
    client = logged_in(owner_a)
    empty = client.get(base)
    assert empty.status_code == 200 and "No incidents yet" in empty.content.decode()
    incident(org_a, owner_a, title="Checkout down", severity="sev1")
    incident(org_a, owner_a, title="Slow search", severity="sev4")
    page = client.get(base, {"severity": "sev1"}).content.decode()
    assert "Checkout down" in page and "Slow search" not in page
    assert "INC-2" in client.get(base, {"q": "inc-2"}).content.decode()
    assert "No incidents match" in client.get(base, {"status": "bogus"}).content.decode()


def test_open_by_hand_and_field_errors(org_a: Any, owner_a: Any, base: str) -> None:
    client = logged_in(owner_a)
    assert client.get(base + "new/").status_code == 200
    bad = client.post(base + "new/", {"title": "", "severity": "sev2"})
    assert bad.status_code == 400 and "Title: This field is required." in bad.content.decode()
    later = client.post(base + "new/", {"title": "x", "severity": "sev2", "detected_at": "2999-01-01T00:00"})
    assert later.status_code == 400 and "Detected at" in later.content.decode()
    response = client.post(
        base + "new/",
        {"title": "Login outage", "severity": "sev2", "detected_at": "2026-01-01T10:00", "summary": "SSO"},
    )
    assert response.status_code == 302
    with org_scope(org_a):
        inc = Incident.objects.get()
    assert inc.detected_at == dt.datetime(2026, 1, 1, 10, 0, tzinfo=dt.UTC)
    assert response["Location"].endswith(f"/incidents/{inc.pk}/")


def test_open_from_ticked_alerts_and_add_from_the_alert_page(org_a: Any, owner_a: Any, base: str) -> None:
    client = logged_in(owner_a)
    ids = alerts(org_a, owner_a, {"title": "first"}, {"title": "second"}, {"title": "third"})
    listing = client.get(f"/o/{org_a.slug}/monitoring/").content.decode()
    assert 'form="open-incident"' in listing and "Open one incident from the ticked alerts" in listing
    response = client.post(
        base + "from-alerts/", {"alert": [str(ids[0]), str(ids[1])], "title": "Two at once"}
    )
    assert response.status_code == 302
    with org_scope(org_a):
        inc = Incident.objects.get()
        assert inc.title == "Two at once" and IncidentAlert.objects.filter(incident=inc).count() == 2
    alert_page = client.get(f"/o/{org_a.slug}/monitoring/alerts/{ids[2]}/").content.decode()
    assert "Open incident" in alert_page and f"{inc.reference}: Two at once" in alert_page
    client.post(base + "from-alerts/", {"alert": str(ids[2]), "incident": str(inc.pk), "back": "alert"})
    with org_scope(org_a):
        assert IncidentAlert.objects.filter(incident=inc).count() == 3
    linked_page = client.get(f"/o/{org_a.slug}/monitoring/alerts/{ids[2]}/").content.decode()
    assert "This alert is part of" in linked_page and inc.reference in linked_page
    again = client.post(base + "from-alerts/", {"alert": str(ids[2]), "back": "alert"}, follow=True)
    assert "at most one incident" in again.content.decode()


def test_the_incident_page_drives_the_whole_life(org_a: Any, owner_a: Any, base: str) -> None:
    client = logged_in(owner_a)
    ids = alerts(org_a, owner_a, {"title": "Disk full"})
    with org_scope(org_a):
        inc = services.open_incident_from_alerts(actor=principal_for(owner_a, org_a), alert_ids=ids)
    url = f"{base}{inc.pk}/"
    page = client.get(url).content.decode()
    assert "INC-1" in page and "Disk full" in page and "Acknowledge" in page
    steps = [
        {"action": "acknowledge"},
        {"action": "note", "text": "Freed space on the volume"},
        {"action": "add-action", "title": "Alert at 80% disk", "owner_email": "owner@alpha.test"},
        {
            "action": "review",
            "impact": "Uploads failed",
            "root_cause": "Log growth",
            "lessons": "Rotate logs",
        },
        {"action": "resolve", "resolve_alerts": "on"},
    ]
    for step in steps:
        response = client.post(url, step)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    refused = client.post(url, {"action": "close"})
    assert refused.status_code == 400 and "still open" in refused.content.decode()
    with org_scope(org_a):
        action = IncidentAction.objects.get()
    assert client.post(url, {"action": "complete-action", "incident_action": action.pk}).status_code == 302
    assert client.post(url, {"action": "close"}).status_code == 302
    assert client.post(url, {"action": "reopen", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "bogus"}).status_code == 400
    with org_scope(org_a):
        inc.refresh_from_db()
        assert inc.status == IncidentStatus.CLOSED and inc.root_cause == "Log growth"
        assert Alert.objects.get().status == AlertStatus.RESOLVED
    page = client.get(url).content.decode()
    assert "Freed space on the volume" in page and 'class="mttr"' in page
    assert page.index('class="event-detected"') < page.index('class="event-opened"')


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_see_but_every_write_is_403(org_a: Any, owner_a: Any, base: str, role: str) -> None:
    reader = auditor_of_everything(org_a) if role == "auditor" else member(org_a, role)
    client = logged_in(reader)
    inc = incident(org_a, owner_a)
    ids = alerts(org_a, owner_a)
    page = client.get(f"{base}{inc.pk}/")
    assert page.status_code == 200 and "Change the state" not in page.content.decode()
    assert client.get(base).status_code == 200 and client.get(base + "overview/").status_code == 200
    assert client.get(base + "new/").status_code == 403
    assert client.post(base + "new/", {"title": "x", "severity": "sev1"}).status_code == 403
    assert client.post(base + "from-alerts/", {"alert": str(ids[0])}).status_code == 403
    for step in (
        {"action": "acknowledge"},
        {"action": "note", "text": "x"},
        {"action": "add-action", "title": "x"},
    ):
        assert client.post(f"{base}{inc.pk}/", step).status_code == 403
    with org_scope(org_a):
        assert (
            Incident.objects.count() == 1 and inc.events.count() == 1 and not IncidentAlert.objects.exists()
        )


def test_overview_chart_with_data_and_empty_state(org_a: Any, owner_a: Any, base: str) -> None:
    client = logged_in(owner_a)
    with time_machine.travel(NOW, tick=False):
        empty = client.get(base + "overview/").content.decode()
    assert "<svg" in empty and "No incident times in this period" in empty and "<polyline" not in empty
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        for months_ago, ack, fix in ((2, 10, 60), (1, 20, 120), (0, 30, 240)):
            start = NOW - dt.timedelta(days=30 * months_ago, hours=6)
            with time_machine.travel(start + dt.timedelta(hours=5), tick=False):
                inc = services.open_incident(
                    actor=actor, title=f"m{months_ago}", severity="sev2", detected_at=start
                )
                services.acknowledge(actor=actor, incident=inc, at=start + dt.timedelta(minutes=ack))
                services.resolve(actor=actor, incident=inc, at=start + dt.timedelta(minutes=fix))
    with time_machine.travel(NOW, tick=False):
        page = client.get(base + "overview/", {"period": "90"}).content.decode()
    assert 'role="img"' in page and '<title id="incident-trend-title">' in page and "<polyline" in page
    assert "Median MTTA and MTTR per month" in page  # the table fallback
    assert "20 min" in page and "2 h 0 min" in page  # median MTTA and MTTR of the three


def test_csv_export_is_an_attachment_with_times_and_formula_safe(org_a: Any, owner_a: Any, base: str) -> None:
    client = logged_in(owner_a)
    with time_machine.travel(NOW, tick=False):
        inc = incident(
            org_a, owner_a, title='=HYPERLINK("http://evil")', detected_at=NOW - dt.timedelta(hours=1)
        )
        with org_scope(org_a):
            services.resolve(actor=principal_for(owner_a, org_a), incident=inc)
    response = client.get(base + "export.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="incidents-')
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["incident", "title", "severity", "status"]
    assert rows[1][0] == "INC-1" and rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][9] == "60" and rows[1][10] == "60"  # minutes to acknowledge and to resolve
