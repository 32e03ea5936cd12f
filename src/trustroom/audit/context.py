"""Request facts (client IP, user agent) that audit events record, kept per request."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from trustroom.identity.client_ip import client_ip


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None = None
    user_agent: str = ""


_NO_REQUEST = RequestMeta()
_request_meta: ContextVar[RequestMeta | None] = ContextVar("trustroom_request_meta", default=None)


def current_request_meta() -> RequestMeta:
    return _request_meta.get() or _NO_REQUEST


class AuditContextMiddleware:
    """Remembers the client address and user agent for audit events recorded during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = RequestMeta(
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:400],
        )
        token = _request_meta.set(meta)
        try:
            return self.get_response(request)
        finally:
            _request_meta.reset(token)
