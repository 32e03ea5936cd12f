"""Pages under /o/<org_slug>/monitoring/incidents/: list (filters), overview (metrics, trend chart,
CSV export), open by hand, open from alerts (or add them to an incident), and the incident's page
where every change is a small form posted back to it. The pages only parse input and call services."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path

from trustroom.monitoring import incident_followup as followup
from trustroom.monitoring import incident_reports as reports
from trustroom.monitoring import incident_services as services
from trustroom.monitoring.incident_charts import trend_chart
from trustroom.monitoring.incident_models import (
    Incident,
    IncidentAction,
    IncidentAlert,
    IncidentSeverity,
    IncidentStatus,
)
from trustroom.monitoring.models import Alert
from trustroom.tenancy import policies
from trustroom.tenancy.selectors import members_of
from trustroom.tenancy.views import OrgPageView
from trustroom.web.exports import attachment
from trustroom.web.pagination import filtered_page

PAGE_SIZE = 50


def parse_when(value: str | None, field: str) -> dt.datetime | None:
    """A form's `datetime-local` value (no zone: the pages say UTC) or an ISO time with its zone."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: "Enter a date and time like 2026-05-01T14:30."}) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def member_by_id(organization: Any, raw: str | None) -> Any:
    raw = (raw or "").strip()[:12]
    if not raw:
        return None
    members = members_of(organization).select_related("user")
    membership = members.filter(user_id=int(raw)).first() if raw.isdigit() else None
    if membership is None:
        raise ValidationError({"commander": "Choose a member of the organization."})
    return membership.user


def error_text(error: ValidationError) -> str:
    """`field: reason` for each field error (so the form says which field is wrong)."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for field, errors in error.message_dict.items():
        label = "" if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: "
        parts.append(label + " ".join(errors))
    return " ".join(parts)


def timeline(incident: Incident) -> list[Any]:
    """The stored entries in the order they happened, with the detection (a time of the incident, not an
    entry) placed among them so the page reads from the start."""
    detected = SimpleNamespace(
        kind="detected",
        get_kind_display="Detected",
        text="The problem was first noticed (MTTA and MTTR run from here).",
        happened_at=incident.detected_at,
        recorded_at=incident.detected_at,
        author=None,
    )
    events: list[Any] = list(incident.events.select_related("author").order_by("happened_at", "pk"))
    position = next((i for i, e in enumerate(events) if e.happened_at >= incident.detected_at), len(events))
    return [*events[:position], detected, *events[position:]]


class IncidentListView(OrgPageView):
    model = Incident

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        listing = filtered_page(request, reports.filtered_incidents(request.GET), PAGE_SIZE)
        context = {
            **listing,
            "incidents": listing["page_obj"].object_list,
            "severities": IncidentSeverity.choices,
            "statuses": IncidentStatus.choices,
            "can_open": self.allows("add", Incident),
            "page_title": "Incidents",
        }
        return self.page("monitoring/incident_list.html", context)


class IncidentOverviewView(OrgPageView):
    model = Incident

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        figures = reports.metrics(request.GET.get("period"))
        context = {
            "metrics": figures,
            "periods": list(reports.PERIODS),
            "chart": trend_chart(chart_id="incident-trend", months=figures.months),
            "page_title": "Incident metrics",
        }
        return self.page("monitoring/incident_overview.html", context)


class IncidentExportView(OrgPageView):
    model = Incident

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return attachment(reports.export_incidents(actor=self.principal, params=request.GET))


class IncidentCreateView(OrgPageView):
    model = Incident
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form({})

    def render_form(self, values: Any, *, error: str = "", status: int = 200) -> HttpResponse:
        context = {
            "values": values,
            "severities": IncidentSeverity.choices,
            "members": members_of(self.organization).select_related("user"),
            "error": error,
            "page_title": "Open an incident",
        }
        return self.page("monitoring/incident_form.html", context, status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.POST
        try:
            incident = services.open_incident(
                actor=self.principal,
                title=data.get("title", ""),
                severity=data.get("severity", ""),
                summary=data.get("summary", ""),
                detected_at=parse_when(data.get("detected_at"), "detected_at"),
                commander=member_by_id(self.organization, data.get("commander")),
            )
        except ValidationError as error:
            return self.render_form(data, error=error_text(error), status=400)
        messages.success(request, f"{incident.reference} is open.")
        return redirect("monitoring:incident-detail", org_slug=self.organization.slug, pk=incident.pk)


class IncidentFromAlertsView(OrgPageView):
    """POST only: open one incident from the chosen alerts, or add them to the incident chosen."""

    model = Incident
    permission_action = "add"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raw_ids = [value[:12] for value in request.POST.getlist("alert")]
        ids = [int(value) for value in raw_ids if value.isdigit()]
        target = str(request.POST.get("incident", ""))[:12]
        try:
            if len(ids) != len(raw_ids):
                raise ValidationError({"alert_ids": "Unknown alert."})
            if target:
                incident = Incident.objects.filter(pk=int(target)).first() if target.isdigit() else None
                if incident is None:
                    raise Http404("No such incident.")
                incident = services.link_alerts(actor=self.principal, incident=incident, alert_ids=ids)
                messages.success(request, f"Added to {incident.reference}.")
            else:
                incident = services.open_incident_from_alerts(
                    actor=self.principal, alert_ids=ids, title=request.POST.get("title", "")
                )
                messages.success(request, f"{incident.reference} is open.")
        except ValidationError as error:
            messages.error(request, error_text(error))
            back = str(request.POST.get("back", ""))
            if len(ids) == 1 and back == "alert" and Alert.objects.filter(pk=ids[0]).exists():
                return redirect("monitoring:alert-detail", org_slug=self.organization.slug, pk=ids[0])
            return redirect("monitoring:alerts", org_slug=self.organization.slug)
        return redirect("monitoring:incident-detail", org_slug=self.organization.slug, pk=incident.pk)


class IncidentDetailView(OrgPageView):
    model = Incident

    def incident(self, pk: int) -> Incident:
        incident = Incident.objects.select_related("commander", "opened_by").filter(pk=pk).first()
        if incident is None:
            raise Http404("No such incident.")
        return incident

    def get(self, request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> HttpResponse:
        return self.render_incident(self.incident(pk))

    def render_incident(self, incident: Incident, *, error: str = "", status: int = 200) -> HttpResponse:
        links = IncidentAlert.objects.filter(incident=incident).select_related("alert", "linked_by")
        context = {
            "incident": incident,
            "links": links,
            "events": timeline(incident),
            "actions": IncidentAction.objects.filter(incident=incident).select_related("owner", "done_by"),
            "members": members_of(self.organization).select_related("user"),
            "severities": IncidentSeverity.choices,
            "can_change": self.allows("change", incident),
            "error": error,
            "page_title": f"{incident.reference} {incident.title}",
        }
        return self.page("monitoring/incident_detail.html", context, status=status)

    def post(self, request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> HttpResponse:
        incident = self.incident(pk)
        policies.check(self.principal, "change", incident)
        what = str(request.POST.get("action", ""))
        handler = (
            getattr(self, f"do_{what.replace('-', '_')}", None) if what.replace("-", "").isalpha() else None
        )
        if handler is None:
            return self.render_incident(incident, error="Unknown action.", status=400)
        try:
            notice = handler(incident, request.POST)
        except ValidationError as error:
            return self.render_incident(self.incident(pk), error=error_text(error), status=400)
        messages.success(request, notice)
        return redirect("monitoring:incident-detail", org_slug=self.organization.slug, pk=incident.pk)

    def do_acknowledge(self, incident: Incident, data: Any) -> str:
        services.acknowledge(
            actor=self.principal,
            incident=incident,
            at=parse_when(data.get("at"), "at"),
            note=data.get("note", ""),
        )
        return "Acknowledged."

    def do_resolve(self, incident: Incident, data: Any) -> str:
        services.resolve(
            actor=self.principal,
            incident=incident,
            at=parse_when(data.get("at"), "at"),
            note=data.get("note", ""),
            resolve_alerts=data.get("resolve_alerts") == "on",
        )
        return "Resolved."

    def do_close(self, incident: Incident, data: Any) -> str:
        services.close(
            actor=self.principal,
            incident=incident,
            carry_over_actions=data.get("carry_over_actions") == "on",
            note=data.get("note", ""),
        )
        return "Closed."

    def do_reopen(self, incident: Incident, data: Any) -> str:
        services.reopen(actor=self.principal, incident=incident, reason=data.get("reason", ""))
        return "Reopened."

    def do_unlink(self, incident: Incident, data: Any) -> str:
        raw = str(data.get("alert", ""))[:12]
        services.unlink_alert(
            actor=self.principal, incident=incident, alert_id=int(raw) if raw.isdigit() else 0
        )
        return "Alert unlinked."

    def do_details(self, incident: Incident, data: Any) -> str:
        followup.update_details(
            actor=self.principal,
            incident=incident,
            title=data.get("title", ""),
            summary=data.get("summary", ""),
            severity=data.get("severity", ""),
        )
        followup.set_commander(
            actor=self.principal,
            incident=incident,
            commander=member_by_id(self.organization, data.get("commander")),
        )
        return "Saved."

    def do_review(self, incident: Incident, data: Any) -> str:
        followup.update_review(
            actor=self.principal,
            incident=incident,
            impact=data.get("impact", ""),
            root_cause=data.get("root_cause", ""),
            lessons=data.get("lessons", ""),
        )
        return "Review saved."

    def do_note(self, incident: Incident, data: Any) -> str:
        followup.add_note(
            actor=self.principal,
            incident=incident,
            text=data.get("text", ""),
            happened_at=parse_when(data.get("happened_at"), "happened_at"),
        )
        return "Note added."

    def do_add_action(self, incident: Incident, data: Any) -> str:
        followup.add_action(
            actor=self.principal,
            incident=incident,
            title=data.get("title", ""),
            owner_email=data.get("owner_email", ""),
            due_at=parse_when(data.get("due_at"), "due_at"),
        )
        return "Action added."

    def _action(self, incident: Incident, data: Any) -> IncidentAction:
        raw = str(data.get("incident_action", ""))[:12]
        action = (
            IncidentAction.objects.filter(incident=incident, pk=int(raw)).first() if raw.isdigit() else None
        )
        if action is None:
            raise Http404("No such action.")
        return action

    def do_complete_action(self, incident: Incident, data: Any) -> str:
        followup.complete_action(actor=self.principal, action=self._action(incident, data))
        return "Action done."

    def do_reopen_action(self, incident: Incident, data: Any) -> str:
        followup.reopen_action(actor=self.principal, action=self._action(incident, data))
        return "Action reopened."


urlpatterns = [
    path("incidents/", IncidentListView.as_view(), name="incidents"),
    path("incidents/overview/", IncidentOverviewView.as_view(), name="incident-overview"),
    path("incidents/export.csv", IncidentExportView.as_view(), name="incident-export"),
    path("incidents/new/", IncidentCreateView.as_view(), name="incident-create"),
    path("incidents/from-alerts/", IncidentFromAlertsView.as_view(), name="incident-from-alerts"),
    path("incidents/<int:pk>/", IncidentDetailView.as_view(), name="incident-detail"),
]
