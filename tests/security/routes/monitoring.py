"""Cross-tenant entries of security alert intake (/o/<org_slug>/monitoring/, its API, and the public
intake endpoint /intake/alerts/<token>/)."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, PUBLIC, Route, obj
from trustroom.monitoring.parsers import parse
from trustroom.monitoring.services import create_source, ingest_alerts
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "monitoring:alerts": Route(ORG),
    "monitoring:alert-detail": Route(ORG, target=obj("alert")),
    "monitoring:sources": Route(ORG),
    "alert-source-list": Route(ORG, api=True),
    "alert-source-detail": Route(ORG, api=True, target=obj("alert_source")),
    "alert-source-rotate-secret": Route(ORG, api=True, target=obj("alert_source")),
    "alert-source-disable": Route(ORG, api=True, target=obj("alert_source")),
    "alert-source-enable": Route(ORG, api=True, target=obj("alert_source")),
    "alert-list": Route(ORG, api=True),
    "alert-detail": Route(ORG, api=True, target=obj("alert")),
    "alert-acknowledge": Route(ORG, api=True, target=obj("alert")),
    "alert-resolve": Route(ORG, api=True, target=obj("alert")),
    "alert-suppress": Route(ORG, api=True, target=obj("alert")),
    "alert-intake": Route(
        PUBLIC,
        target=obj("alert_intake_token", "token"),
        note="The public webhook of alert senders: no session; the token in the URL names A's source and "
        "only a request signed with that source's secret stores anything. Called here with A's real token "
        "and no signature, as B and anonymously: it must answer 401/405 and change nothing of A.",
    ),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    new = create_source(actor=actor, kind="generic", name=f"{label} hidden source")
    document = {
        "title": f"{label} hidden alert",
        "severity": "high",
        "type": "test/alert",
        "resource": f"{label}-host",
        "occurred_at": "2024-05-01T12:00:00Z",
    }
    result = ingest_alerts(
        actor=actor, source=new.source, signature="0" * 64, alerts=parse("generic", document)
    )
    return {"alert_source": new.source.pk, "alert": result.new[0], "alert_intake_token": new.token}
