"""The bodies Trustroom sends: PagerDuty Events API v2 events, Slack messages and e-mails (pure)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_SUMMARY = 1024  # PagerDuty: payload.summary is at most 1,024 characters
MAX_DEDUP_KEY = 255  # PagerDuty: dedup_key is at most 255 characters
CLIENT = "Trustroom"

# Our severities -> PagerDuty's four.
PAGERDUTY_SEVERITY = {
    "critical": "critical",
    "high": "error",
    "medium": "warning",
    "low": "info",
    "info": "info",
}


@dataclass(frozen=True)
class AlertMessage:
    """What a message says about an alert (or a test event)."""

    title: str
    severity: str
    type: str
    source: str = ""
    resource_type: str = ""
    resource_id: str = ""
    account: str = ""
    region: str = ""
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    occurrences: int = 1
    url: str = ""
    alert_id: int | None = None
    tags: dict[str, str] = field(default_factory=dict)


def pagerduty_dedup_key(organization_id: int, alert_dedup_key: str) -> str:
    """Deterministic per organization and alert; hashed when it would pass PagerDuty's 255 characters."""
    key = f"trustroom:{organization_id}:{alert_dedup_key}"
    if len(key) <= MAX_DEDUP_KEY:
        return key
    return f"trustroom:{organization_id}:sha256:{hashlib.sha256(alert_dedup_key.encode()).hexdigest()}"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary(message: AlertMessage) -> str:
    where = f" on {message.resource_id}" if message.resource_id else ""
    return truncate(f"[{message.severity.upper()}] {message.title}{where}", MAX_SUMMARY) or "Security alert"


def _pd_source(message: AlertMessage) -> str:
    if message.resource_id:
        return message.resource_id[:255]
    located = "/".join(part for part in (message.account, message.region) if part)
    return (located or message.source or "trustroom")[:255]


def pagerduty_trigger(*, routing_key: str, dedup_key: str, message: AlertMessage) -> dict[str, Any]:
    details: dict[str, Any] = {
        "alert_id": message.alert_id,
        "type": message.type,
        "severity": message.severity,
        "source": message.source,
        "resource_type": message.resource_type,
        "resource_id": message.resource_id,
        "account": message.account,
        "region": message.region,
        "occurrences": message.occurrences,
        "first_seen": message.first_seen.isoformat() if message.first_seen else None,
        "tags": message.tags,
    }
    payload: dict[str, Any] = {
        "summary": _summary(message),
        "source": _pd_source(message),
        "severity": PAGERDUTY_SEVERITY.get(message.severity, "info"),
        "component": message.resource_type or "unknown",
        "group": message.account or "unknown",
        "class": message.type or "unknown",
        "custom_details": details,
    }
    if message.last_seen is not None:
        payload["timestamp"] = message.last_seen.isoformat()
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": payload,
        "client": CLIENT,
    }
    if message.url:
        body["client_url"] = message.url
        body["links"] = [{"href": message.url, "text": "The alert in Trustroom"}]
    return body


def pagerduty_follow_up(*, routing_key: str, event_action: str, dedup_key: str) -> dict[str, Any]:
    """acknowledge / resolve: only the routing key, the action and the dedup key."""
    return {"routing_key": routing_key, "event_action": event_action, "dedup_key": dedup_key}


def mrkdwn(text: str) -> str:
    """Slack's escaping: only &, < and > are control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_trigger(message: AlertMessage) -> dict[str, Any]:
    title = mrkdwn(truncate(message.title, 500))
    text = f"{message.severity.upper()} security alert: {title}"
    lines = [f"*{title}*", f"Severity: *{message.severity}*  ·  Type: `{mrkdwn(message.type[:200])}`"]
    if message.resource_id:
        lines.append(f"Resource: {mrkdwn(message.resource_type)} `{mrkdwn(message.resource_id[:300])}`")
    located = " / ".join(part for part in (message.account, message.region) if part)
    if located:
        lines.append(f"Account: {mrkdwn(located)}")
    if message.url:
        lines.append(f"<{message.url}|Open the alert in Trustroom>")
    return {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": truncate("\n".join(lines), 3000)}}],
    }


def slack_follow_up(*, event_action: str, title: str, by: str, suppressed: bool = False) -> dict[str, Any]:
    verb = "acknowledged" if event_action == "acknowledge" else "suppressed" if suppressed else "resolved"
    text = f"Alert {verb} by {mrkdwn(by or 'Trustroom')}: {mrkdwn(truncate(title, 500))}"
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def email_trigger(message: AlertMessage) -> tuple[str, str]:
    subject = truncate(f"[Trustroom] {message.severity.upper()} security alert: {message.title}", 200)
    subject = " ".join(subject.split())  # no header injection through line breaks
    lines = [
        message.title,
        "",
        f"Severity: {message.severity}",
        f"Type: {message.type}",
        f"Source: {message.source}",
        f"Resource: {message.resource_type} {message.resource_id}".rstrip(),
        f"Account / region: {message.account} {message.region}".rstrip(),
        f"Occurrences: {message.occurrences}",
    ]
    if message.url:
        lines += ["", message.url]
    return subject, "\n".join(lines) + "\n"
