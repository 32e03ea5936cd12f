"""Cross-tenant entries of alert routing (/o/<org_slug>/monitoring/notifiers|rules|deliveries/ and the
alert-notifiers, alert-routing-rules and alert-deliveries API), and world rows for every routing table."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.monitoring.parsers import parse
from trustroom.monitoring.routing_models import Delivery
from trustroom.monitoring.routing_services import create_notifier, create_rule
from trustroom.monitoring.services import create_source, ingest_alerts
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "monitoring:notifiers": Route(ORG),
    "monitoring:rules": Route(ORG),
    "monitoring:deliveries": Route(ORG),
    "alert-notifier-list": Route(ORG, api=True),
    "alert-notifier-detail": Route(ORG, api=True, target=obj("notifier")),
    "alert-notifier-test": Route(ORG, api=True, target=obj("notifier")),
    "alert-routing-rule-list": Route(ORG, api=True),
    "alert-routing-rule-detail": Route(ORG, api=True, target=obj("routing_rule")),
    "alert-routing-rule-move": Route(ORG, api=True, target=obj("routing_rule")),
    "alert-delivery-list": Route(ORG, api=True),
    "alert-delivery-detail": Route(ORG, api=True, target=obj("delivery")),
    "alert-delivery-retry": Route(ORG, api=True, target=obj("delivery")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    notifier = create_notifier(
        actor=actor,
        name=f"{label} hidden pager",
        kind="pagerduty",
        routing_key="H1DDENKEYH1DDENKEYH1DDENKEY00001",
    )
    rule = create_rule(actor=actor, name=f"{label} hidden rule", notifier=notifier, routing_key="R" * 32)
    source = create_source(actor=actor, kind="generic", name=f"{label} routed source").source
    document = {
        "title": f"{label} routed alert",
        "severity": "critical",
        "type": "test/routed",
        "resource": f"{label}-db",
        "occurred_at": "2024-05-01T12:00:00Z",
        "tags": {"env": "prod"},
    }
    result = ingest_alerts(actor=actor, source=source, signature="1" * 64, alerts=parse("generic", document))
    delivery = Delivery.objects.get(alert_id=result.new[0])
    return {"notifier": notifier.pk, "routing_rule": rule.pk, "delivery": delivery.pk}
