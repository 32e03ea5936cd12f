"""Reads of the monitoring app (inside the organization's scope)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from trustroom.monitoring.models import Alert, AlertSource, AlertStatus, Severity

MAX_QUERY = 200


def filtered_alerts(params: Mapping[str, Any]) -> QuerySet[Alert]:
    """Alerts narrowed by `severity`, `status`, `source` (id) and `q` (title, type, resource, account);
    unknown values narrow to nothing rather than being ignored."""
    alerts = Alert.objects.select_related("source")
    severity = str(params.get("severity") or "").strip()
    if severity:
        alerts = alerts.filter(severity=severity) if severity in Severity.values else alerts.none()
    status = str(params.get("status") or "").strip()
    if status:
        alerts = alerts.filter(status=status) if status in AlertStatus.values else alerts.none()
    source = str(params.get("source") or "").strip()
    if source:
        alerts = alerts.filter(source_id=int(source)) if source.isdigit() else alerts.none()
    text = str(params.get("q") or "").strip()[:MAX_QUERY]
    if text:
        alerts = alerts.filter(
            Q(title__icontains=text)
            | Q(type__icontains=text)
            | Q(resource_id__icontains=text)
            | Q(account__icontains=text)
            | Q(dedup_key__icontains=text)
        )
    return alerts.order_by("-last_seen", "-pk")


def sources() -> QuerySet[AlertSource]:
    return AlertSource.objects.select_related("created_by").order_by("name", "pk")
