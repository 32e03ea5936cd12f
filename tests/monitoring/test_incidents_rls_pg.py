"""Row-level security of the incident tables (PostgreSQL): forced, and each organization sees and writes
only its own rows in raw SQL as the application role; numbering stays per organization under RLS."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from tests.factories import principal_for
from tests.monitoring.factories import alerts
from trustroom.monitoring import incident_followup as followup
from trustroom.monitoring import incident_services as services
from trustroom.monitoring.incident_models import Incident, IncidentAction, IncidentAlert, IncidentEvent
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
]
TABLES = [model._meta.db_table for model in (Incident, IncidentAlert, IncidentEvent, IncidentAction)]


def fetch(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def test_every_incident_table_has_forced_row_level_security() -> None:
    rows = fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [TABLES]
    )
    assert sorted(rows) == sorted((table, True, True) for table in TABLES)


def test_raw_sql_sees_and_writes_only_its_own_incidents(
    org_a: Any, org_b: Any, owner_a: Any, owner_b: Any
) -> None:
    for org, owner in ((org_a, owner_a), (org_b, owner_b)):
        ids = alerts(org, owner)
        with org_scope(org):
            actor = principal_for(owner, org)
            incident = services.open_incident_from_alerts(actor=actor, alert_ids=ids)
            followup.add_action(actor=actor, incident=incident, title="follow up")
            assert incident.number == 1  # numbered per organization, each seeing only its own
    with org_scope(org_a):
        for table in TABLES:
            assert fetch(f"SELECT DISTINCT organization_id FROM {table}") == [(org_a.pk,)]
        with pytest.raises(DatabaseError), transaction.atomic():
            fetch(
                "INSERT INTO monitoring_incident (organization_id, number, title, summary, severity, status, "
                "detected_at, opened_at, impact, root_cause, lessons, updated_at) "
                "VALUES (%s, 99, 'x', '', 'sev1', 'open', now(), now(), '', '', '', now())",
                [org_b.pk],
            )
        assert (
            fetch(
                "UPDATE monitoring_incident SET title = 'x' WHERE organization_id = %s RETURNING id",
                [org_b.pk],
            )
            == []
        )
    with transaction.atomic():
        fetch("SELECT set_config('app.org_id', '', true)")
        assert fetch("SELECT count(*) FROM monitoring_incidentevent") == [(0,)]
