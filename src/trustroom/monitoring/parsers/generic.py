"""The generic JSON alert (documented for senders in docs/alert-intake.md).

One alert object, a list of them, or `{"alerts": [...]}`:

    {"title": "...", "severity": "critical|high|medium|low|info", "type": "...",
     "resource": "id" | {"type": "...", "id": "..."}, "account": "...", "region": "...",
     "occurred_at": "2024-05-01T12:00:00Z", "dedup_key": "..." (optional), "details": {...} (optional),
     "tags": {"env": "prod", ...} (optional: resource tags that routing rules can match)}

Required: title, severity, type, occurred_at (ISO 8601 with a time zone). Without `dedup_key`, the key
is a hash of type, resource and account, so the same condition on the same resource is one alert.
"""

from __future__ import annotations

import hashlib
from typing import Any

from trustroom.monitoring.parsers.common import (
    SEVERITIES,
    NormalizedAlert,
    ParseError,
    bounded_raw,
    dedup_key,
    require,
    strict_tags,
    text,
    timestamp,
)

KIND = "generic"


def _items(document: Any) -> list[tuple[Any, str]]:
    if isinstance(document, dict) and "alerts" in document:
        items = document["alerts"]
        if not isinstance(items, list):
            raise ParseError("alerts: expected a list of alert objects")
        return [(item, f"alerts[{i}].") for i, item in enumerate(items)]
    if isinstance(document, list):
        return [(item, f"[{i}].") for i, item in enumerate(document)]
    return [(document, "")]


def parse_generic(document: Any) -> list[NormalizedAlert]:
    alerts = []
    for item, where in _items(document):
        if not isinstance(item, dict):
            raise ParseError(f"{where.rstrip('.') or 'the document'}: expected a JSON object (an alert)")
        require(
            item,
            [(f"{where}{name}", item.get(name)) for name in ("title", "severity", "type", "occurred_at")],
        )
        severity = str(item["severity"]).strip().lower()
        if severity not in SEVERITIES:
            raise ParseError(f"{where}severity: {item['severity']!r} is not one of {', '.join(SEVERITIES)}")
        resource = item.get("resource")
        if isinstance(resource, dict):
            resource_type, resource_id = text(resource.get("type"), 100), text(resource.get("id"), 300)
        elif resource is None or isinstance(resource, str):
            resource_type, resource_id = "", text(resource, 300)
        else:
            raise ParseError(f"{where}resource: give a string or an object with type and id")
        occurred = timestamp(item["occurred_at"], f"{where}occurred_at", assume_utc=False)
        alert_type = text(item["type"], 200)
        account = text(item.get("account"), 100)
        given_key = item.get("dedup_key")
        if given_key is not None and (not isinstance(given_key, str) or not given_key.strip()):
            raise ParseError(f"{where}dedup_key: give a non-empty string or leave it out")
        if given_key:
            key = dedup_key(KIND, given_key.strip())
        else:
            basis = "\n".join([alert_type, resource_type, resource_id, account])
            key = f"{KIND}:h:{hashlib.sha256(basis.encode()).hexdigest()}"
        tags = strict_tags(item["tags"], f"{where}tags") if item.get("tags") is not None else {}
        raw, truncated = bounded_raw(item)
        alerts.append(
            NormalizedAlert(
                source=KIND,
                type=alert_type,
                severity=severity,
                title=text(item["title"], 500),
                resource_type=resource_type,
                resource_id=resource_id,
                account=account,
                region=text(item.get("region"), 50),
                first_seen=occurred,
                last_seen=occurred,
                dedup_key=key,
                raw=raw,
                raw_truncated=truncated,
                resource_tags=tags,
            )
        )
    return alerts
