"""The SLA policy page: the version in force, its history, and (owners and admins) a new version.

Its route is listed in `programme.urlpatterns` (the assessments URLconf joins four modules only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone

from trustroom.assessments import services
from trustroom.assessments.forms import SlaPolicyForm
from trustroom.assessments.models import SlaPolicy
from trustroom.assessments.views.page import AssessmentsPage
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for


def _hours(value: int) -> str:
    """4 → "4 hours", 48 → "48 hours (2 days)", 336 → "336 hours (14 days)"."""
    text = f"{value} hour{'s' if value != 1 else ''}"
    if value >= 48 and value % 24 == 0:
        text += f" ({value // 24} days)"
    return text


class SlaPolicyView(AssessmentsPage):
    model = SlaPolicy

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", SlaPolicy)
        form = SlaPolicyForm(request.POST)
        if form.is_valid():
            try:
                policy = services.create_sla_policy_version(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Version {policy.version} applies to findings detected from "
                    f"{policy.effective_from:%Y-%m-%d %H:%M} UTC; existing findings keep their deadlines.",
                )
                return redirect("assessments:sla-policy", org_slug=self.organization.slug)
        return self.render_page(form)

    def render_page(self, form: SlaPolicyForm | None) -> HttpResponse:
        now = timezone.now()
        # Read only: the first version is created when the first finding needs one, not by a page view.
        current = (
            SlaPolicy.objects.filter(effective_from__lte=now).order_by("-effective_from", "-version").first()
        )
        shown = current or SlaPolicy(organization=self.organization, version=0, effective_from=now)
        rows = [
            ("Critical", _hours(shown.critical_due_hours), _hours(shown.critical_target_hours)),
            ("High", _hours(shown.high_due_hours), _hours(shown.high_target_hours)),
            ("Medium", _hours(shown.medium_due_hours), _hours(shown.medium_target_hours)),
        ]
        can_add = self.allows("add", SlaPolicy)
        context = {
            "page_title": "SLA policy",
            "current": current,
            "rows": rows,
            "versions": list(SlaPolicy.objects.order_by("-version")),
            "now": now,
            "can_add": can_add,
            "form": form or (SlaPolicyForm(current=shown) if can_add else None),
        }
        return self.page("assessments/sla_policy.html", context, status=status_for(form))


urlpatterns: list[URLPattern] = [
    path("sla-policy/", SlaPolicyView.as_view(), name="sla-policy"),
]
