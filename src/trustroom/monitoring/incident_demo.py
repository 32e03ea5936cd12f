"""Demo Co's incident (a demo module): one resolved incident with its times (so the overview shows MTTA
and MTTR), a timeline with backdated notes, the review written up and one open follow-up action.
Idempotent: made only when an incident with its title is missing. Written up after the fact, so it
was opened (recorded) when the demo is loaded, and detected, acknowledged and resolved earlier."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from trustroom.monitoring import incident_followup as followup
from trustroom.monitoring import incident_services as services
from trustroom.monitoring.incident_models import Incident
from trustroom.tenancy.principal import Principal

TITLE = "Elevated 5xx errors on the public API after a database failover"


def load_demo(principal: Principal) -> None:
    if Incident.objects.filter(title=TITLE).exists():
        return
    now = timezone.now().astimezone(dt.UTC).replace(second=0, microsecond=0)
    detected = now - dt.timedelta(days=2, hours=3)
    incident = services.open_incident(
        actor=principal,
        title=TITLE,
        severity="sev2",
        summary="About 12% of API requests failed with 503 for 48 minutes while the database cluster failed "
        "over to the standby zone.",
        detected_at=detected,
    )
    followup.add_note(
        actor=principal,
        incident=incident,
        text="On-call paged by the 5xx rate alarm; the error rate started at the failover.",
        happened_at=detected + dt.timedelta(minutes=4),
    )
    services.acknowledge(actor=principal, incident=incident, at=detected + dt.timedelta(minutes=6))
    followup.add_note(
        actor=principal,
        incident=incident,
        text="Connection pools still pointed at the old primary; restarted the API workers.",
        happened_at=detected + dt.timedelta(minutes=40),
    )
    services.resolve(actor=principal, incident=incident, at=detected + dt.timedelta(minutes=48))
    followup.update_review(
        actor=principal,
        incident=incident,
        impact="Public API: about 12% of requests failed for 48 minutes; no data lost.",
        root_cause="The connection pool cached the primary's address and did not follow the failover.",
        lessons="Resolve the database endpoint on every new connection; rehearse the failover with live "
        "traffic.",
    )
    followup.add_action(
        actor=principal,
        incident=incident,
        title="Make the API connection pool re-resolve the database endpoint",
        owner_email="platform@demo-co.example",
        due_at=now + dt.timedelta(days=14),
    )
