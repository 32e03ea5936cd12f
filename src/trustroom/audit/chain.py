"""The hash of an audit event: SHA-256 over canonical JSON of what the event records."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from trustroom.audit.models import AuditEvent


def event_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "organization": event.organization_id,
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_user": event.actor_user_id,
        "actor_token": event.actor_token_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "changes": event.changes,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    canonical = json.dumps(event_payload(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
