"""Recording audit events. Every service-layer write of every app calls `record_event`."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from trustroom.audit.chain import compute_hash
from trustroom.audit.context import current_request_meta
from trustroom.audit.models import AuditChainHead, AuditEvent
from trustroom.tenancy.narrowing import unnarrowed
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import ScopeError, require_org


def _integral_floats_as_ints(value: Any) -> Any:
    # PostgreSQL's jsonb prints numbers without an exponent, so the float 1e16 comes back as the integer
    # 10000000000000000 and would no longer hash the same; store such floats as the integers they equal.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    return value


def _normalized(changes: dict[str, Any] | None) -> dict[str, Any]:
    # Hash exactly what the database will give back: JSON-native values only (dates and decimals become
    # strings), and no NaN or Infinity, which PostgreSQL refuses and JSON does not have.
    native = json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder, allow_nan=False))
    return _integral_floats_as_ints(native)


def _stored_ip(raw: str | None) -> str | None:
    """The client address as the database returns it (IPv6 compressed, lower case); None if not one.

    The hash is computed before the row is written, so it must cover the stored form, not the raw one.
    """
    candidate = (raw or "").strip()
    if not candidate or "%" in candidate:  # empty, or an IPv6 zone id, which `inet` does not store
        return None
    try:
        ipaddress.ip_address(candidate)
        return clean_ipv6_address(candidate) if ":" in candidate else candidate
    except (ValueError, ValidationError):
        return None


# The chain's own reads never follow a reader's narrowing: an auditor's download still appends to it.
@unnarrowed()
def record_event(
    *,
    actor: Principal,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the current organization's chain (serialized per organization)."""
    org = require_org()
    if actor.organization.pk != org.pk:
        raise ScopeError("The actor belongs to another organization than the active scope")
    meta = current_request_meta()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(organization=org)
        event = AuditEvent(
            organization=org,
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor_user_id=getattr(actor.user, "pk", None),
            actor_token_id=actor.token.pk if actor.token is not None else None,
            actor_label=actor.label[:300],
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=str(target)[:300] if target is not None else "",
            changes=_normalized(changes),
            ip=_stored_ip(meta.ip),
            user_agent=meta.user_agent,
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.seq = event.seq
        head.hash = event.hash
        head.save(update_fields=["seq", "hash", "updated_at"])
    for prefixes, callback in _CHANGE_LISTENERS:
        if action.startswith(prefixes):
            callback(org.pk, action)
    return event


# Other apps that derive something from changes of a kind (the trust center's page cache: a claim derived
# from access reviews or DR drills must not outlive a change to them) register here, by action prefix.
# Every write is audited, so a listener never misses one; callbacks defer real work to on_commit.
_CHANGE_LISTENERS: list[tuple[tuple[str, ...], Any]] = []


def listen_to_changes(prefixes: tuple[str, ...], callback: Any) -> None:
    """Call `callback(organization_id, action)` after each audit event whose action starts with a prefix."""
    _CHANGE_LISTENERS.append((prefixes, callback))
