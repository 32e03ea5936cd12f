"""Audit events for refused requests, recorded at most once per key and window.

Refusals (an address outside the organization's IP allowlist, a member without the MFA the organization
requires, a revoked or expired API token) each leave an event in the organization's audit log. Whoever is
refused controls how often it happens, so the log must not grow with every attempt: `record_refusal`
records an event only when it wins an atomic `cache.add` on a key made of the event, the organization
and the caller's own key (e.g. principal and client address), which lives for the window (10 minutes).
Refusals with the same key inside that window are not recorded; the event says so in `dedupe`. The cache
is the shared one (Redis in production), so the window holds across processes and machines.

A refused API request is rolled back whole (its transaction is marked for rollback by the exception
handler), so an event written inside it would vanish too. While `RefusalAuditMiddleware` runs, refusals
are therefore queued and written after the request's own transaction has ended, each in a transaction of
its own: the refusal is the only thing a refused request leaves behind.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import models
from django.http import HttpRequest, HttpResponseBase

from trustroom.audit.services import record_event
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope

logger = logging.getLogger(__name__)

REFUSAL_WINDOW_SECONDS = 10 * 60
CACHE_PREFIX = "trustroom:refusal:"


@dataclass(frozen=True)
class _Refusal:
    actor: Principal
    action: str
    target: models.Model | None
    changes: dict[str, Any]
    cache_key: str


_queued: ContextVar[list[_Refusal] | None] = ContextVar("trustroom_queued_refusals", default=None)


def refusal_cache_key(action: str, organization_id: int, key: Iterable[object]) -> str:
    parts = "\x1f".join(str(part) for part in (action, organization_id, *key))
    return CACHE_PREFIX + hashlib.sha256(parts.encode("utf-8")).hexdigest()


def _window_text(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds % 60 == 0 else f"{seconds} seconds"


def record_refusal(
    *,
    actor: Principal,
    action: str,
    key: Iterable[object],
    changes: dict[str, Any],
    target: models.Model | None = None,
    window_seconds: int = REFUSAL_WINDOW_SECONDS,
) -> bool:
    """Record `action` in the actor's organization's audit log, once per `key` and window.

    `key` names what counts as the same refusal (for instance the principal and the client address);
    the action and the organization are always part of it. Returns whether an event is recorded (or
    queued until the request's transaction ends); False when one with this key was recorded inside
    the window.
    """
    organization = actor.organization
    cache_key = refusal_cache_key(action, organization.pk, key)
    if not cache.add(cache_key, action, timeout=window_seconds):
        return False
    described = {
        **changes,
        "dedupe": (
            f"at most one {action} event per {describe_key(action)} every {_window_text(window_seconds)}: "
            "the first refusal is recorded and repeats inside that window are not (an atomic add of "
            "a key in the shared cache decides which request records)"
        ),
    }
    refusal = _Refusal(actor=actor, action=action, target=target, changes=described, cache_key=cache_key)
    queue = _queued.get()
    if queue is not None:
        queue.append(refusal)
    else:
        _write(refusal)
    return True


_KEY_DESCRIPTIONS = {
    "ip_allowlist.refused": "organization, member or API token, and client address",
    "security_policy.mfa_refused": "organization, member and client address",
    "security_policy.sso_refused": "organization, member and client address",
    "api_token.refused": "organization, API token, reason and client address",
}


def describe_key(action: str) -> str:
    return _KEY_DESCRIPTIONS.get(action, "organization and refusal key")


def _write(refusal: _Refusal) -> None:
    try:
        with org_scope(refusal.actor.organization):
            record_event(
                actor=refusal.actor, action=refusal.action, target=refusal.target, changes=refusal.changes
            )
    except Exception:
        # The request is refused either way (a failed write must not turn a 403 into a 500): leave the
        # failure in the log and let the next refusal with this key try again instead of waiting out
        # the window.
        cache.delete(refusal.cache_key)
        logger.exception(
            "Could not record %s in organization %s", refusal.action, refusal.actor.organization.pk
        )


def principal_key(principal: Principal) -> str:
    """Who was refused, for a dedupe key: the API token, else the member."""
    if principal.token is not None:
        return f"token:{principal.token.pk}"
    return f"user:{getattr(principal.user, 'pk', None)}"


def request_facts(request: HttpRequest, ip: str | None) -> dict[str, Any]:
    """What every refusal event says about the request."""
    return {"ip": ip or "", "path": request.path[:500], "method": request.method or ""}


class RefusalAuditMiddleware:
    """Writes the refusals of a request after the request's own transaction has ended.

    Place it outside everything that can refuse (before `SecurityPolicyMiddleware`) and inside
    `AuditContextMiddleware`, so the events still carry the request's address and user agent.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        queue: list[_Refusal] = []
        token = _queued.set(queue)
        try:
            return self.get_response(request)
        finally:
            _queued.reset(token)
            for refusal in queue:
                _write(refusal)
