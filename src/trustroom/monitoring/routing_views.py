"""Pages of alert routing under /o/<org_slug>/monitoring/: notifiers, routing rules, deliveries.

Every member reads them; owners and admins change notifiers and rules; editors may retry a failed
delivery. Secrets are never shown back: "configured" and the last four characters at most.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme

from trustroom.monitoring import deliveries, routing_selectors, routing_services, selectors
from trustroom.monitoring.models import Severity, SourceKind
from trustroom.monitoring.routing_models import Delivery, DeliveryStatus, Notifier, NotifierKind, RoutingRule
from trustroom.tenancy.views import OrgPageView
from trustroom.web.pagination import filtered_page

PAGE_SIZE = 50
UNSET = routing_services.UNSET


def _pick(model: type[Notifier] | type[RoutingRule] | type[Delivery], raw: Any) -> Any:
    raw_id = str(raw or "")[:12]
    found = model.objects.filter(pk=int(raw_id)).first() if raw_id.isdigit() else None
    if found is None:
        raise Http404("Not found.")
    return found


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _given(value: str) -> Any:
    """A secret field of a form: blank keeps the stored secret."""
    return value.strip() if value and value.strip() else UNSET


class NotifiersView(OrgPageView):
    model = Notifier

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_notifiers()

    def render_notifiers(self, *, error: str = "", status: int = 200) -> HttpResponse:
        context = {
            "notifiers": routing_selectors.notifiers(),
            "kinds": NotifierKind.choices,
            "can_manage": self.allows("add", Notifier),
            "error": error,
            "posted": self.request.POST if status != 200 else {},
        }
        return self.page("monitoring/notifiers.html", context, status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        what = request.POST.get("action", "")
        form = request.POST
        try:
            if what == "create":
                kind = form.get("kind", "")
                routing_services.create_notifier(
                    actor=self.principal,
                    name=form.get("name", ""),
                    kind=kind,
                    routing_key=form.get("routing_key", "") if kind == NotifierKind.PAGERDUTY else UNSET,
                    webhook_url=form.get("webhook_url", "") if kind == NotifierKind.SLACK else UNSET,
                    recipients=form.get("recipients", "") if kind == NotifierKind.EMAIL else UNSET,
                )
                messages.success(request, "The notifier was added.")
                return redirect("monitoring:notifiers", org_slug=self.organization.slug)
            notifier = _pick(Notifier, form.get("notifier"))
            if what == "update":
                routing_services.update_notifier(
                    actor=self.principal,
                    notifier=notifier,
                    name=form.get("name", notifier.name),
                    routing_key=_given(form.get("routing_key", "")),
                    webhook_url=_given(form.get("webhook_url", "")),
                    recipients=form.get("recipients", UNSET),
                )
            elif what in ("enable", "disable"):
                routing_services.update_notifier(
                    actor=self.principal, notifier=notifier, enabled=what == "enable"
                )
            elif what == "delete":
                routing_services.delete_notifier(actor=self.principal, notifier=notifier)
            elif what == "test":
                deliveries.send_test_event(actor=self.principal, notifier=notifier)
                messages.success(request, f"A test event to {notifier.name} was queued; see Deliveries.")
                return redirect("monitoring:deliveries", org_slug=self.organization.slug)
            else:
                return self.render_notifiers(error="Unknown action.", status=400)
        except ValidationError as error:
            return self.render_notifiers(error=_errors(error), status=400)
        messages.success(request, f"{notifier.name}: done ({what}).")
        return redirect("monitoring:notifiers", org_slug=self.organization.slug)


class RulesView(OrgPageView):
    model = RoutingRule

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_rules()

    def render_rules(self, *, error: str = "", status: int = 200) -> HttpResponse:
        context = {
            "rules": routing_selectors.rules(),
            "notifiers": routing_selectors.notifiers(),
            "sources": selectors.sources(),
            "source_kinds": SourceKind.choices,
            "severities": Severity.choices,
            "can_manage": self.allows("add", RoutingRule),
            "error": error,
        }
        return self.page("monitoring/routing_rules.html", context, status=status)

    def _fields(self) -> dict[str, Any]:
        form = self.request.POST
        return {
            "name": form.get("name", ""),
            "notifier": Notifier.objects.filter(pk=int(form["notifier"])).first()
            if str(form.get("notifier", "")).isdigit()
            else None,
            "source_ids": form.getlist("source_ids"),
            "source_kinds": form.getlist("source_kinds"),
            "min_severity": form.get("min_severity", ""),
            "type_pattern": form.get("type_pattern", ""),
            "tag_conditions": form.get("tag_conditions", ""),
            "stop": form.get("stop") == "on",
            "enabled": form.get("enabled", "on") == "on",
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        what = request.POST.get("action", "")
        try:
            if what == "create":
                fields = self._fields()
                routing_key = request.POST.get("routing_key", "").strip()
                routing_services.create_rule(actor=self.principal, routing_key=routing_key or UNSET, **fields)
                messages.success(request, "The rule was added at the end of the list.")
                return redirect("monitoring:rules", org_slug=self.organization.slug)
            rule = _pick(RoutingRule, request.POST.get("rule"))
            if what == "update":
                fields = self._fields()
                if request.POST.get("clear_routing_key") == "on":
                    fields["routing_key"] = ""
                elif request.POST.get("routing_key", "").strip():
                    fields["routing_key"] = request.POST["routing_key"]
                routing_services.update_rule(actor=self.principal, rule=rule, **fields)
            elif what in ("up", "down"):
                routing_services.move_rule(actor=self.principal, rule=rule, direction=what)
            elif what in ("enable", "disable"):
                routing_services.update_rule(actor=self.principal, rule=rule, enabled=what == "enable")
            elif what == "delete":
                routing_services.delete_rule(actor=self.principal, rule=rule)
            else:
                return self.render_rules(error="Unknown action.", status=400)
        except ValidationError as error:
            return self.render_rules(error=_errors(error), status=400)
        messages.success(request, f"{rule.name}: done ({what}).")
        return redirect("monitoring:rules", org_slug=self.organization.slug)


class DeliveriesView(OrgPageView):
    model = Delivery

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = routing_selectors.filtered_deliveries(request.GET)
        listing = filtered_page(request, found, PAGE_SIZE)
        context = {
            **listing,
            "deliveries": listing["page_obj"].object_list,
            "statuses": DeliveryStatus.choices,
            "counts": routing_selectors.status_counts(),
            "can_retry": self.allows("change", Delivery),
        }
        return self.page("monitoring/deliveries.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        delivery = _pick(Delivery, request.POST.get("delivery"))
        if request.POST.get("action") != "retry":
            return HttpResponse("Unknown action.", status=400)
        try:
            deliveries.retry_delivery(actor=self.principal, delivery=delivery)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, f"The delivery to {delivery.notifier_name} is sent again.")
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect("monitoring:deliveries", org_slug=self.organization.slug)


def alert_deliveries_context(view: OrgPageView, alert: Any) -> dict[str, Any]:
    """What the alert detail page shows of the alert's notifications."""
    return {
        "alert_deliveries": routing_selectors.deliveries().filter(alert=alert),
        "can_retry": view.allows("change", Delivery),
    }


urlpatterns = [
    path("notifiers/", NotifiersView.as_view(), name="notifiers"),
    path("rules/", RulesView.as_view(), name="rules"),
    path("deliveries/", DeliveriesView.as_view(), name="deliveries"),
]
