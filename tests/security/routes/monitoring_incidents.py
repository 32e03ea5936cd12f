"""Cross-tenant entries of incidents (/o/<org_slug>/monitoring/incidents/ and their API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.monitoring import incident_followup, incident_services
from trustroom.monitoring.parsers import parse
from trustroom.monitoring.services import create_source, ingest_alerts
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "monitoring:incidents": Route(ORG),
    "monitoring:incident-overview": Route(ORG),
    "monitoring:incident-export": Route(ORG),
    "monitoring:incident-create": Route(ORG),
    "monitoring:incident-from-alerts": Route(ORG),
    "monitoring:incident-detail": Route(ORG, target=obj("incident")),
    "incident-list": Route(ORG, api=True),
    "incident-detail": Route(ORG, api=True, target=obj("incident")),
    "incident-acknowledge": Route(ORG, api=True, target=obj("incident")),
    "incident-resolve": Route(ORG, api=True, target=obj("incident")),
    "incident-close": Route(ORG, api=True, target=obj("incident")),
    "incident-reopen": Route(ORG, api=True, target=obj("incident")),
    "incident-link-alerts": Route(ORG, api=True, target=obj("incident")),
    "incident-unlink-alert": Route(ORG, api=True, target=obj("incident")),
    "incident-notes": Route(ORG, api=True, target=obj("incident")),
    "incident-metrics": Route(ORG, api=True),
    "incident-export": Route(ORG, api=True),
    "incident-action-list": Route(ORG, api=True),
    "incident-action-detail": Route(ORG, api=True, target=obj("incident_action")),
    "incident-action-complete": Route(ORG, api=True, target=obj("incident_action")),
    "incident-action-reopen": Route(ORG, api=True, target=obj("incident_action")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """An incident opened from an alert, acknowledged, with a note and a follow-up action (a row in
    each incident table: Incident, IncidentAlert, IncidentEvent, IncidentAction)."""
    new = create_source(actor=actor, kind="generic", name=f"{label} hidden incident source")
    document = {
        "title": f"{label} hidden incident alert",
        "severity": "critical",
        "type": "test/incident",
        "resource": f"{label}-db",
        "occurred_at": "2024-05-01T12:00:00Z",
    }
    result = ingest_alerts(
        actor=actor, source=new.source, signature="1" * 64, alerts=parse("generic", document)
    )
    incident = incident_services.open_incident_from_alerts(
        actor=actor, alert_ids=result.new, title=f"{label} hidden incident"
    )
    incident_services.acknowledge(actor=actor, incident=incident)
    incident_followup.add_note(actor=actor, incident=incident, text=f"{label} hidden note")
    action = incident_followup.add_action(
        actor=actor,
        incident=incident,
        title=f"{label} hidden follow-up",
        due_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
    )
    return {"incident": incident.pk, "incident_action": action.pk}
