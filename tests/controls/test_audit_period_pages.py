"""Editing, closing, reopening and deleting audit periods from the pages (managers only), and the same
through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.controls.audit_factories import SOC2, auditor, built_package, make_period
from tests.factories import member
from trustroom.controls.audit_models import AuditPeriod
from trustroom.tenancy.models import Membership, Role

pytestmark = pytest.mark.django_db
BASE = "/o/alpha-co/controls/audit/"


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_edit_form_is_pre_filled_refuses_a_backwards_window_and_saves(owner_a: Any, actor: Any) -> None:
    period = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    client = logged_in(owner_a)
    detail = client.get(f"{BASE}{period.pk}/").content.decode()
    assert "Edit the period" in detail and "Close the period" in detail and "Delete the period" in detail
    form = client.get(f"{BASE}{period.pk}/edit/").content.decode()
    assert 'value="SOC 2 Type II 2026"' in form
    assert f'value="{period.starts_at:%Y-%m-%dT%H:%M}"' in form and 'type="datetime-local"' in form
    assert f'value="{SOC2}" checked' in form or f'value="{SOC2}" id' in form
    values = {"name": "SOC 2 Type II FY26", "framework_codes": [SOC2], "starts_at": "2026-07-01T00:00"}
    backwards = client.post(f"{BASE}{period.pk}/edit/", values | {"ends_at": "2026-01-01T00:00"})
    assert (
        backwards.status_code == 400 and "The period must end after it starts." in backwards.content.decode()
    )
    saved = client.post(f"{BASE}{period.pk}/edit/", values | {"ends_at": "2027-07-01T00:00"})
    assert saved.status_code == 302
    assert "Audit period SOC 2 Type II FY26 was saved." in client.get(saved["Location"]).content.decode()
    period.refresh_from_db()
    assert period.name == "SOC 2 Type II FY26" and period.ends_at.year == 2027


def test_closing_refuses_new_auditors_and_reopening_allows_them(org_a: Any, owner_a: Any, actor: Any) -> None:
    period = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    late = Membership.objects.get(user=member(org_a, Role.AUDITOR, email="late@alpha.test"))
    client = logged_in(owner_a)
    closed = client.post(f"{BASE}{period.pk}/status/", {"status": "closed"}, follow=True).content.decode()
    assert "Audit period SOC 2 Type II 2026 was closed." in closed and "Reopen the period" in closed
    assert "The period is closed: reopen it to assign auditors." in closed
    refused = client.post(f"{BASE}{period.pk}/auditors/", {"membership": late.pk})
    assert refused.status_code == 400 and "This audit period is closed" in refused.content.decode()
    bad = client.post(f"{BASE}{period.pk}/status/", {"status": "archived"}, follow=True).content.decode()
    assert "Choose open or closed." in bad
    reopened = client.post(f"{BASE}{period.pk}/status/", {"status": "open"}, follow=True).content.decode()
    assert "was reopened" in reopened
    assert client.post(f"{BASE}{period.pk}/auditors/", {"membership": late.pk}).status_code == 302


def test_deleting_a_period_asks_first(owner_a: Any, actor: Any) -> None:
    period = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    built_package(actor, period)
    client = logged_in(owner_a)
    confirm = client.get(f"{BASE}{period.pk}/delete/").content.decode()
    assert "Delete SOC 2 Type II 2026?" in confirm and '<form method="post">' in confirm
    assert AuditPeriod.objects.filter(pk=period.pk).exists()
    deleted = client.post(f"{BASE}{period.pk}/delete/")
    assert deleted.status_code == 302 and deleted["Location"] == BASE
    assert "Audit period SOC 2 Type II 2026 was deleted." in client.get(BASE).content.decode()
    assert not AuditPeriod.objects.exists()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.EDITOR, Role.VIEWER])
def test_only_managers_change_periods(org_a: Any, actor: Any, role: str) -> None:
    period = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    user = auditor(actor, "auditor@alpha.test", period) if role == Role.AUDITOR else member(org_a, role)
    client = logged_in(user)
    if role == Role.AUDITOR:
        page = client.get(f"{BASE}{period.pk}/").content.decode()
        assert (
            "Edit the period" not in page
            and "Close the period" not in page
            and "Delete the period" not in page
        )
    for url in (f"{BASE}{period.pk}/edit/", f"{BASE}{period.pk}/delete/"):
        assert client.get(url).status_code == 403, url
    for url in (f"{BASE}{period.pk}/edit/", f"{BASE}{period.pk}/delete/", f"{BASE}{period.pk}/status/"):
        assert client.post(url, {"status": "closed", "name": "x"}).status_code == 403, url
    period.refresh_from_db()
    assert (period.name, period.status) == ("SOC 2 Type II 2026", "open")


def test_the_api_closes_and_refuses_assignments_on_a_closed_period(
    org_a: Any, owner_a: Any, actor: Any
) -> None:
    period = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    late = member(org_a, Role.AUDITOR, email="late@alpha.test")
    client = logged_in(owner_a)
    url = f"/api/v1/orgs/alpha-co/audit-periods/{period.pk}/"
    closed = client.patch(url, {"status": "closed"}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused = client.post(url + "assign/", {"user": late.pk}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {"period": ["This audit period is closed: reopen it to assign auditors."]}
