"""`trustroom alerts add-source` prints the two lines the issue fixes, and they work."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from trustroom.monitoring.models import Alert
from trustroom.tenancy.scope import org_scope
from trustroom.webhooks.signatures import sign

pytestmark = pytest.mark.django_db


def test_add_source_prints_url_and_secret_that_work(org_a: Any) -> None:
    out = io.StringIO()
    call_command(
        "alerts", "add-source", "--org", "alpha-co", "--kind", "generic", "--name", "Log outliers", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("url=/intake/alerts/") and lines[0].endswith("/")
    assert lines[1].startswith("secret=")
    url, secret = lines[0][4:], lines[1][7:]
    body = json.dumps(
        {"title": "t", "severity": "low", "type": "x", "occurred_at": "2024-01-01T00:00:00Z"}
    ).encode()
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sign(secret.encode(), body).items()}
    assert Client().post(url, data=body, content_type="application/json", **headers).status_code == 200
    with org_scope(org_a):
        assert Alert.objects.get().source.name == "Log outliers"


def test_add_source_refuses_unknown_org_and_duplicate_name(org_a: Any) -> None:
    with pytest.raises(CommandError, match="No organization"):
        call_command("alerts", "add-source", "--org", "nope", "--kind", "asff", stdout=io.StringIO())
    call_command("alerts", "add-source", "--org", "alpha-co", "--kind", "asff", stdout=io.StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("alerts", "add-source", "--org", "alpha-co", "--kind", "asff", stdout=io.StringIO())


def test_deliver_due_sends_what_is_due(org_a: Any, owner_a: Any, standin: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.monitoring.routing_factories import generic_alert, generic_source, intake, pagerduty, rule
    from trustroom.monitoring.routing_models import Delivery

    rule(org_a, owner_a, pagerduty(org_a, owner_a))
    intake(org_a, owner_a, generic_source(org_a, owner_a), generic_alert())  # its task never ran (lost)
    with org_scope(org_a):
        Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("alerts", "deliver-due", "--org", "alpha-co", stdout=out)
    assert out.getvalue().strip() == "delivered=1 pending=0 failed=0"
    assert len(standin.pagerduty) == 1
    out = io.StringIO()
    call_command("alerts", "deliver-due", stdout=out)  # all organizations; nothing left
    assert out.getvalue().strip() == "delivered=0 pending=0 failed=0"
    with pytest.raises(CommandError, match="No organization"):
        call_command("alerts", "deliver-due", "--org", "nope")
