"""A lost database answers 503 with Retry-After, never 500.

While PostgreSQL is down, restarting or failing over, queries raise OperationalError (InterfaceError on
a connection that broke under a request). Nothing is wrong with the request itself: the client (or the
load balancer) should simply try again shortly, so the answer is 503 with `Retry-After`, a short page
for people and `{"detail": ...}` under /api/. Django drops the broken connection at the end of the
request and, with CONN_HEALTH_CHECKS, checks a reused one before its first query, so service resumes
by itself once the database is back.

One answer, two ways in: `DatabaseUnavailableMiddleware` catches what views raise (in debug mode too),
and the 500 handler (`web.views.server_error`) what other middleware raises (loading the session, the
user, the security policy). Each refused request is logged once, as one line without a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
API_MESSAGE = "The database is unavailable; try again shortly."


def is_database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


def database_unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    logger.warning(
        "database unavailable: %s %s answered 503 (%s: %s)",
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": API_MESSAGE}, status=503)
    else:
        # Rendered without the request: context processors would query the database that is gone.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's request logger: once is enough
    return response


class DatabaseUnavailableMiddleware:
    """Last in MIDDLEWARE, so its process_exception sees a view's error first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return database_unavailable_response(request, exception)
        return None
