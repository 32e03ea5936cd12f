"""What every parser returns, and the small helpers they share."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MAX_ALERTS_PER_REQUEST = 100
MAX_RAW_CHARS = 64 * 1024  # the raw document kept with an alert, as JSON text
MAX_DEDUP_KEY = 200
SEVERITIES = ("critical", "high", "medium", "low", "info")
MAX_TAGS = 50  # resource tags kept per alert (AWS allows 50 per resource)
MAX_TAG_KEY = 128  # AWS limits: key 128, value 256 characters
MAX_TAG_VALUE = 256


class ParseError(ValueError):
    """The document is not of the expected shape; the message says which fields or values."""


@dataclass(frozen=True)
class NormalizedAlert:
    source: str  # the source kind: guardduty | asff | generic
    type: str
    severity: str  # one of SEVERITIES
    title: str
    resource_type: str
    resource_id: str
    account: str
    region: str
    first_seen: datetime
    last_seen: datetime
    dedup_key: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    raw_truncated: bool = False
    resource_tags: dict[str, str] = field(default_factory=dict)


def dig(obj: Any, *path: str | int) -> Any:
    """obj[path[0]][path[1]]...; None as soon as a step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or not -len(obj) <= step < len(obj):
                return None
        elif not isinstance(obj, dict):
            return None
        obj = obj[step] if isinstance(step, int) else obj.get(step)
    return obj


def text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    return str(value).strip()[:limit]


def require(obj: dict[str, Any], fields: list[tuple[str, Any]]) -> None:
    """Raise naming every field whose value is missing or empty (`fields`: (dotted name, value))."""
    missing = [name for name, value in fields if value is None or value == "" or value == []]
    if missing:
        raise ParseError(f"missing fields: {', '.join(missing)}")


def timestamp(value: Any, where: str, *, assume_utc: bool) -> datetime:
    """An aware UTC datetime from ISO 8601 text or unix seconds/milliseconds."""
    if isinstance(value, bool) or value is None or value == "":
        raise ParseError(f"{where}: missing timestamp")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ParseError(f"{where}: {value!r} is not a valid unix time") from None
    if not isinstance(value, str):
        raise ParseError(f"{where}: give an ISO 8601 timestamp such as 2024-05-01T12:00:00Z")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ParseError(
            f"{where}: {value!r} is not an ISO 8601 timestamp (e.g. 2024-05-01T12:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        if not assume_utc:
            raise ParseError(f"{where}: {value!r} has no time zone; add Z or an offset such as +00:00")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def bounded_raw(document: Any) -> tuple[dict[str, Any], bool]:
    """The raw document to keep: as is when its JSON is at most MAX_RAW_CHARS, else a marked excerpt."""
    encoded = json.dumps(document, sort_keys=True, ensure_ascii=False)
    if len(encoded) <= MAX_RAW_CHARS and isinstance(document, dict):
        return document, False
    if len(encoded) <= MAX_RAW_CHARS:
        return {"document": document}, False
    return {"truncated": True, "size": len(encoded), "excerpt": encoded[:MAX_RAW_CHARS]}, True


def dedup_key(kind: str, *parts: str) -> str:
    """`kind:part|part` when short enough, else `kind:sha256:<hex>` of the same text (stable)."""
    joined = "|".join(parts)
    key = f"{kind}:{joined}"
    if len(key) <= MAX_DEDUP_KEY:
        return key
    return f"{kind}:sha256:{hashlib.sha256(joined.encode()).hexdigest()}"


def camel_keys(obj: Any) -> Any:
    """Keys turned from PascalCase (the GuardDuty API) to camelCase (EventBridge): `AccountId` ->
    `accountId`. Values are left alone."""
    if isinstance(obj, dict):
        return {(k[:1].lower() + k[1:] if isinstance(k, str) else k): camel_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [camel_keys(item) for item in obj]
    return obj


def aws_tags(value: Any) -> dict[str, str]:
    """Tags as AWS senders give them, `[{"key"|"Key": ..., "value"|"Value": ...}]` or a `{key: value}`
    object, kept leniently: a sender's tags are context, not a reason to refuse its alert. Entries that are
    not text are skipped; keys and values are cut to AWS's limits; at most MAX_TAGS are kept."""
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                pairs.append((item.get("key", item.get("Key")), item.get("value", item.get("Value", ""))))
    tags: dict[str, str] = {}
    for key, tag_value in pairs:
        if len(tags) >= MAX_TAGS:
            break
        if isinstance(key, str) and key.strip() and isinstance(tag_value, str | int | float | bool):
            tags[key.strip()[:MAX_TAG_KEY]] = str(tag_value).strip()[:MAX_TAG_VALUE]
    return tags


def strict_tags(value: Any, where: str) -> dict[str, str]:
    """The `tags` object of a generic alert, which the sender writes for us: string keys and values
    within the limits, or a ParseError naming what is wrong."""
    if not isinstance(value, dict):
        raise ParseError(f"{where}: give an object of string keys and string values")
    if len(value) > MAX_TAGS:
        raise ParseError(f"{where}: at most {MAX_TAGS} tags; this alert has {len(value)}")
    tags: dict[str, str] = {}
    for key, tag_value in value.items():
        if not key.strip() or len(key) > MAX_TAG_KEY:
            raise ParseError(f"{where}: tag keys must be 1-{MAX_TAG_KEY} characters ({key[:40]!r})")
        if not isinstance(tag_value, str):
            raise ParseError(f"{where}.{key}: tag values must be strings")
        if len(tag_value) > MAX_TAG_VALUE:
            raise ParseError(f"{where}.{key}: tag values must be at most {MAX_TAG_VALUE} characters")
        tags[key.strip()] = tag_value.strip()
    return tags
