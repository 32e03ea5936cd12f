"""Pages under /o/<org_slug>/monitoring/: alerts (list with filters, detail, triage) and sources."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path

from trustroom.monitoring import routing_views, selectors, services
from trustroom.monitoring.models import Alert, AlertSource, AlertStatus, Severity, SourceKind
from trustroom.tenancy import policies
from trustroom.tenancy.views import OrgPageView
from trustroom.web.pagination import filtered_page

PAGE_SIZE = 50


class AlertListView(OrgPageView):
    model = Alert

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        listing = filtered_page(request, selectors.filtered_alerts(request.GET), PAGE_SIZE)
        context = {
            **listing,
            "alerts": listing["page_obj"].object_list,
            "severities": Severity.choices,
            "statuses": AlertStatus.choices,
            "sources": selectors.sources(),
        }
        template = "monitoring/alerts_rows.html" if self.is_htmx else "monitoring/alerts_list.html"
        return self.page(template, context)


class AlertDetailView(OrgPageView):
    model = Alert
    ACTIONS = {
        "acknowledge": services.acknowledge_alert,
        "resolve": services.resolve_alert,
        "suppress": services.suppress_alert,
    }

    def alert(self, pk: int) -> Alert:
        alert = Alert.objects.select_related("source").filter(pk=pk).first()
        if alert is None:
            raise Http404("No such alert.")
        return alert

    def get(self, request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> HttpResponse:
        return self.render_alert(self.alert(pk))

    def render_alert(self, alert: Alert, *, error: str = "", status: int = 200) -> HttpResponse:
        context = {
            "alert": alert,
            "raw_pretty": json.dumps(alert.raw, indent=2, sort_keys=True, ensure_ascii=False),
            "can_change": self.allows("change", alert),
            "error": error,
            **routing_views.alert_deliveries_context(self, alert),
        }
        return self.page("monitoring/alert_detail.html", context, status=status)

    def post(self, request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> HttpResponse:
        alert = self.alert(pk)
        service = self.ACTIONS.get(request.POST.get("action", ""))
        if service is None:
            return self.render_alert(alert, error="Choose acknowledge, resolve or suppress.", status=400)
        try:
            alert = service(actor=self.principal, alert=alert, note=request.POST.get("note", ""))
        except ValidationError as error:
            return self.render_alert(alert, error=" ".join(error.messages), status=400)
        messages.success(request, f"The alert is now {alert.get_status_display().lower()}.")
        return redirect("monitoring:alert-detail", org_slug=self.organization.slug, pk=alert.pk)


class SourcesView(OrgPageView):
    model = AlertSource

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_sources()

    def render_sources(
        self, *, created: Any = None, secret: str = "", error: str = "", status: int = 200
    ) -> HttpResponse:
        context = {
            "sources": selectors.sources(),
            "kinds": SourceKind.choices,
            "can_manage": self.allows("add", AlertSource),
            "created": created,
            "rotated_secret": secret,
            "error": error,
            "base_url": request_base(self.request),
        }
        return self.page("monitoring/sources.html", context, status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        what = request.POST.get("action", "create")
        if what == "create":
            policies.check(self.principal, "add", AlertSource)
            try:
                new = services.create_source(
                    actor=self.principal, kind=request.POST.get("kind", ""), name=request.POST.get("name", "")
                )
            except ValidationError as error:
                return self.render_sources(error=" ".join(error.messages), status=400)
            return self.render_sources(created=new)  # the URL and secret are shown in this answer only
        raw_id = str(request.POST.get("source", ""))[:12]
        source = AlertSource.objects.filter(pk=int(raw_id)).first() if raw_id.isdigit() else None
        if source is None:
            raise Http404("No such source.")
        if what == "rotate":
            secret = services.rotate_source_secret(actor=self.principal, source=source)
            return self.render_sources(secret=secret, created=None)
        if what in ("disable", "enable"):
            services.set_source_enabled(actor=self.principal, source=source, enabled=what == "enable")
        elif what == "delete":
            services.delete_source(actor=self.principal, source=source)
        else:
            return self.render_sources(error="Unknown action.", status=400)
        messages.success(request, f"{source.name}: done ({what}).")
        return redirect("monitoring:sources", org_slug=self.organization.slug)


def request_base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


urlpatterns = [
    path("", AlertListView.as_view(), name="alerts"),
    path("alerts/<int:pk>/", AlertDetailView.as_view(), name="alert-detail"),
    path("sources/", SourcesView.as_view(), name="sources"),
]
