"""The alert pages: sources (the URL and secret shown once, actions named per source), the alerts list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import member
from tests.monitoring.factories import alert_source, deliver
from trustroom.monitoring.models import AlertSource
from trustroom.tenancy.models import Role
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

ALERT = {
    "title": "Egress spike",
    "severity": "high",
    "type": "net/egress",
    "resource": {"type": "host", "id": "web-1"},
    "occurred_at": "2024-05-01T12:00:00Z",
}


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_new_source_shows_its_url_and_secret_once(org_a: Any, owner_a: Any) -> None:
    client = logged_in(owner_a)
    url = f"/o/{org_a.slug}/monitoring/sources/"
    created = client.post(url, {"action": "create", "name": "GuardDuty prod", "kind": "guardduty"})
    assert created.status_code == 200
    page = created.content.decode()
    secret = re.search(r"Signing secret</dt><dd><code>([^<]+)</code>", page)
    endpoint = re.search(r"(/intake/alerts/[^<\s]+/)</code>", page)
    assert secret and endpoint
    again = client.get(url).content.decode()
    assert secret.group(1) not in again and endpoint.group(1) not in again
    with org_scope(org_a):
        source = AlertSource.objects.get()
    assert f"<code>{source.token_prefix}…</code>" in again


def test_source_actions_and_alert_titles_are_named_for_assistive_technology(org_a: Any, owner_a: Any) -> None:
    new = alert_source(org_a, owner_a, kind="generic", name="Edge sensors")
    assert deliver(new, ALERT).status_code == 200
    client = logged_in(owner_a)
    sources = client.get(f"/o/{org_a.slug}/monitoring/sources/").content.decode()
    assert '<th scope="row">Edge sensors</th>' in sources
    hidden = '<span class="visually-hidden">'
    for visible, rest in (
        ("Rotate secret", " of Edge sensors"),
        ("Disable", " Edge sensors"),
        ("Delete", " Edge sensors"),
    ):
        assert f"{visible}{hidden}{rest}" in sources
    alerts = client.get(f"/o/{org_a.slug}/monitoring/").content.decode()
    assert re.search(r'<th scope="row"><a href="[^"]+">Egress spike</a></th>', alerts)


def test_only_managers_change_sources(org_a: Any, owner_a: Any) -> None:
    new = alert_source(org_a, owner_a, kind="generic", name="Edge sensors")
    editor = member(org_a, role=Role.EDITOR)
    client = logged_in(editor)
    page = client.get(f"/o/{org_a.slug}/monitoring/sources/")
    assert page.status_code in (200, 403)
    assert 'value="delete"' not in page.content.decode()
    refused = client.post(
        f"/o/{org_a.slug}/monitoring/sources/", {"action": "delete", "source": new.source.pk}
    )
    assert refused.status_code == 403
    with org_scope(org_a):
        assert AlertSource.objects.filter(pk=new.source.pk).exists()
