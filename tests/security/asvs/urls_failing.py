"""The real URLconf plus a page and an API path that fail with an exception carrying a secret."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from trustroom.urls import handler404, handler500
from trustroom.urls import urlpatterns as real_urlpatterns

SECRET_IN_THE_EXCEPTION = "postgres://trustroom:hunter2@db.internal/trustroom"


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"could not connect to {SECRET_IN_THE_EXCEPTION}")


urlpatterns = [
    path("_asvs/fail/", failing_view),
    path("api/_asvs/fail/", failing_view),
    *real_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
