"""Real concurrency on PostgreSQL (two connections in threads): two incidents opened at the same moment
in one organization get INC-1 and INC-2, neither fails nor duplicates a number."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import principal_for
from trustroom.monitoring import incident_services as services
from trustroom.monitoring.incident_models import Incident
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "owner"]),
]


def test_two_simultaneous_openings_get_consecutive_numbers(org_a: Any, owner_a: Any) -> None:
    ready, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:  # opens INC-1 and keeps its transaction open until released
        try:
            with org_scope(org_a):
                outcome["first"] = services.open_incident(
                    actor=principal_for(owner_a, org_a), title="first", severity="sev2"
                ).number
                ready.set()
                release.wait(20)
        finally:
            connection.close()

    def second() -> None:  # reads the same maximum (0): its insert waits, fails, and retries
        try:
            with org_scope(org_a):
                outcome["second"] = services.open_incident(
                    actor=principal_for(owner_a, org_a), title="second", severity="sev2"
                ).number
        except Exception as error:  # reported by the assertion below
            outcome["second"] = error
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert ready.wait(20)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)  # let the second opening read the maximum and block on the unique number
    release.set()
    one.join(20)
    two.join(20)
    assert outcome == {"first": 1, "second": 2}
    with org_scope(org_a):
        assert sorted(Incident.objects.values_list("number", flat=True)) == [1, 2]
