"""Alert routing on PostgreSQL: row-level security on the routing tables, and two workers racing for one
delivery in real concurrent transactions send it once."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from tests.monitoring.routing_factories import (
    deliveries,
    generic_alert,
    generic_source,
    intake,
    pagerduty,
    rule,
)
from tests.monitoring.standin import Scripted, StandIn
from trustroom.monitoring import deliveries as delivery_service
from trustroom.monitoring.routing_models import Delivery, Notifier, RoutingRule
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
]
TABLES = [model._meta.db_table for model in (Notifier, RoutingRule, Delivery)]


def fetch(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@pytest.mark.django_db
def test_routing_tables_have_forced_row_level_security() -> None:
    rows = fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [TABLES]
    )
    assert sorted(rows) == sorted((table, True, True) for table in TABLES)


@pytest.mark.django_db
def test_raw_sql_sees_only_its_own_routing_rows(
    org_a: Any, org_b: Any, owner_a: Any, owner_b: Any, standin: StandIn
) -> None:
    for org, owner in ((org_a, owner_a), (org_b, owner_b)):
        rule(org, owner, pagerduty(org, owner))
        intake(org, owner, generic_source(org, owner), generic_alert())
    with org_scope(org_a):
        for table in TABLES:
            orgs = fetch(f"SELECT DISTINCT organization_id FROM {table}")  # fixed table names
            assert orgs == [(org_a.pk,)], table
    for table in TABLES:
        assert fetch(f"SELECT count(*) FROM {table}") == [(0,)]  # no organization set: no rows


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_two_workers_racing_for_one_delivery_send_it_once(
    org_a: Any, owner_a: Any, standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule(org_a, owner_a, pagerduty(org_a, owner_a))
    standin.answer(Scripted(500))  # the first send (after the intake commits) fails: the delivery waits
    intake(org_a, owner_a, generic_source(org_a, owner_a), generic_alert())
    [delivery] = deliveries(org_a)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    with org_scope(org_a):
        Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    standin.delay = 0.5  # hold the winner's request in flight while the other worker tries
    start = threading.Barrier(2)
    # The worst interleaving: both workers have read the delivery as pending and due before either
    # claims it; then both claim at once, each in its own transaction.
    both_read = threading.Barrier(2)
    real_take = delivery_service._take

    def take_after_both_read(delivery_id: int, now: Any) -> bool:
        both_read.wait(timeout=10)
        return real_take(delivery_id, now)

    monkeypatch.setattr(delivery_service, "_take", take_after_both_read)
    results: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(delivery_service.attempt_delivery(organization=org_a, delivery_id=delivery.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["delivered", "skipped"]
    assert len(standin.pagerduty) == 2  # the failed first send, then exactly one more
    assert deliveries(org_a)[0].attempts == 2
