"""Reads of alert routing (inside the organization's scope)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from trustroom.monitoring.routing_models import Delivery, DeliveryStatus, Notifier, RoutingRule


def notifiers() -> QuerySet[Notifier]:
    return Notifier.objects.select_related("created_by").order_by("name", "pk")


def rules() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("notifier").order_by("position", "pk")


def deliveries() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("alert", "rule").order_by("-created_at", "-pk")


def filtered_deliveries(params: Mapping[str, Any]) -> QuerySet[Delivery]:
    """Deliveries narrowed by `status` and `alert` (id); unknown values narrow to nothing."""
    found = deliveries()
    wanted = str(params.get("status") or "").strip()
    if wanted:
        found = found.filter(status=wanted) if wanted in DeliveryStatus.values else found.none()
    alert = str(params.get("alert") or "").strip()
    if alert:
        found = found.filter(alert_id=int(alert)) if alert.isdigit() and len(alert) < 19 else found.none()
    return found


def status_counts() -> dict[str, int]:
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for row in Delivery.objects.values_list("status", flat=True).order_by():
        counts[row] = counts.get(row, 0) + 1
    return counts
