"""The client's IP address, the one place it is read (rate limits, IP allowlists, audit, trust center).

Behind N trusted reverse proxies (setting TRUSTROOM_TRUSTED_PROXIES), each proxy appends the address it
received the request from to X-Forwarded-For, so the client is the N-th entry from the right: entries to
its left were written by the client itself and are never believed. With N = 0 the header is ignored and
REMOTE_ADDR is the client. A header with fewer entries than N (a request that bypassed a proxy) or an
entry that is not an IP address falls back to REMOTE_ADDR, never to a value the client chose.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    trusted = max(0, int(getattr(settings, "TRUSTROOM_TRUSTED_PROXIES", 0)))
    if trusted == 0:
        return remote
    forwarded = [part for part in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    if len(forwarded) < trusted:
        return remote
    return _valid(forwarded[-trusted]) or remote
