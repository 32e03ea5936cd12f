"""Cross-tenant entries of the answer bank (no routes yet: the world builder fills its tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.cross_tenant import Route
from trustroom.answers import services
from trustroom.assessments import services as assessments
from trustroom.compliance import services as compliance
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """One answer entry backed by a certification and by an application, named by label."""
    today = dt.datetime.now(dt.UTC).date()
    certification = compliance.create_certification(
        actor=actor,
        kind="certificate",
        title=f"{label} answers ISO certificate",
        series=f"{label.lower()}-answers-iso",
        valid_from=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=700),
    )
    application = assessments.create_application(
        actor=actor, name=f"{label} answers portal", criticality="high"
    )
    entry = services.create_entry(
        actor=actor,
        key=f"{label.lower()}-encryption-at-rest",
        question=f"Does {label} encrypt customer data at rest?",
        short_answer="Yes, with AES-256.",
        tags=["encryption"],
    )
    evidence = services.add_evidence(actor=actor, entry=entry, certification=certification)
    services.add_evidence(actor=actor, entry=entry, application=application)
    return {"answer_entry": entry.pk, "answer_evidence": evidence.pk}
