"""The shell around every page: home redirect, organization dashboard, error pages, health."""

from __future__ import annotations

import sys
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from trustroom.tenancy.mixins import OrgScopedViewMixin
from trustroom.tenancy.models import Role
from trustroom.tenancy.selectors import memberships_of_user
from trustroom.web.db_unavailable import database_unavailable_response, is_database_unavailable


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    first = memberships_of_user(request.user).first()
    if first is not None:
        return redirect("web:dashboard", org_slug=first.organization.slug)
    return render(request, "web/no_organization.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    # nosemgrep: unscoped-read-in-views-or-api - `SELECT 1` reads no table
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class DashboardView(OrgScopedViewMixin, TemplateView):
    template_name = "web/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = "Dashboard"
        if self.principal.role == Role.AUDITOR:  # an auditor lands on their audit periods
            from trustroom.controls.audit_scope import visible_periods

            context["audit_periods"] = list(visible_periods(self.principal))
            context["is_auditor"] = True
        return context


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while Django handles the exception, so it is still the current one.
    error = sys.exc_info()[1]
    if error is not None and is_database_unavailable(error):
        return database_unavailable_response(request, error)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return render(request, "500.html", status=500)
