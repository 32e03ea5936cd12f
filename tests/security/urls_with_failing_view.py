"""The real URLconf plus one organization page that fails half-way, for the pooled-connection test."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views import View

from trustroom.identity.models import ApiToken
from trustroom.tenancy.mixins import OrgScopedViewMixin
from trustroom.urls import urlpatterns as real_urlpatterns


class TokenNamesView(OrgScopedViewMixin, View):
    """Reports what the connection sees: token names, the org setting and the backend process."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM identity_apitoken ORDER BY name")  # raw: RLS alone filters
            raw_names = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT pg_backend_pid(), current_setting('app.org_id', true)")
            pid, setting = cursor.fetchone()
        orm_names = sorted(ApiToken.objects.values_list("name", flat=True))
        if request.GET.get("fail"):
            raise RuntimeError("failing half-way through the request")
        return JsonResponse({"raw": raw_names, "orm": orm_names, "pid": pid, "setting": setting})


urlpatterns = [
    path("o/<slug:org_slug>/_token-names/", TokenNamesView.as_view()),
    *real_urlpatterns,
]
