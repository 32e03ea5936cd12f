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
