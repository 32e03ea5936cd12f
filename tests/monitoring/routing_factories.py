"""Notifiers, rules and alerts for the routing tests, made through the services."""

from __future__ import annotations

from typing import Any

from tests.factories import principal_for
from trustroom.monitoring import routing_services
from trustroom.monitoring.models import Alert, AlertSource
from trustroom.monitoring.parsers import parse
from trustroom.monitoring.routing_models import Delivery, Notifier, RoutingRule
from trustroom.monitoring.services import IntakeResult, create_source, ingest_alerts
from trustroom.tenancy.scope import org_scope

PD_KEY = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY01"  # 32 characters, like an integration key
OTHER_PD_KEY = "0THERKEY0THERKEY0THERKEY0THERKEY"

_signatures = iter(range(10**6))


def generic_alert(**overrides: Any) -> dict[str, Any]:
    alert = {
        "title": "Unusual outbound traffic",
        "severity": "high",
        "type": "net/egress-spike",
        "resource": {"type": "host", "id": "web-1"},
        "account": "acme-prod",
        "region": "eu-west-1",
        "occurred_at": "2024-05-01T12:00:00Z",
    }
    alert.update(overrides)
    return alert


def intake(org: Any, by: Any, source: AlertSource, *documents: dict[str, Any]) -> IntakeResult:
    """Store alerts as the intake endpoint does (a new signature each time)."""
    with org_scope(org):
        return ingest_alerts(
            actor=principal_for(by, org),
            source=source,
            signature=f"{next(_signatures):064x}",
            alerts=[alert for document in documents for alert in parse(source.kind, document)],
        )


def generic_source(org: Any, by: Any, name: str = "Generic") -> AlertSource:
    with org_scope(org):
        return create_source(actor=principal_for(by, org), kind="generic", name=name).source


def pagerduty(org: Any, by: Any, name: str = "On-call", key: str = PD_KEY) -> Notifier:
    with org_scope(org):
        return routing_services.create_notifier(
            actor=principal_for(by, org), name=name, kind="pagerduty", routing_key=key
        )


def slack(org: Any, by: Any, url: str, name: str = "#security") -> Notifier:
    with org_scope(org):
        return routing_services.create_notifier(
            actor=principal_for(by, org), name=name, kind="slack", webhook_url=url
        )


def email(org: Any, by: Any, recipients: Any, name: str = "Security team") -> Notifier:
    with org_scope(org):
        return routing_services.create_notifier(
            actor=principal_for(by, org), name=name, kind="email", recipients=recipients
        )


def rule(org: Any, by: Any, notifier: Notifier, name: str = "Everything", **criteria: Any) -> RoutingRule:
    with org_scope(org):
        return routing_services.create_rule(
            actor=principal_for(by, org), name=name, notifier=notifier, **criteria
        )


def deliveries(org: Any, **filters: Any) -> list[Delivery]:
    with org_scope(org):
        return list(Delivery.objects.filter(**filters).order_by("pk"))


def alert(org: Any, pk: int) -> Alert:
    with org_scope(org):
        return Alert.objects.get(pk=pk)
