"""The auditor workspace pages under /o/<org_slug>/controls/audit/. Every read goes through
`audit_scope` (an auditor sees only their periods, within their windows); writes call the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from trustroom.controls import audit_scope, audit_services, evidence_package, period_readiness
from trustroom.controls.audit_forms import AssignAuditorForm, AuditPeriodForm, period_initial
from trustroom.controls.audit_models import AuditorAssignment, AuditPeriod, AuditPeriodStatus, EvidencePackage
from trustroom.controls.edit_views import ConfirmDelete, EditForm
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for
from trustroom.web.exports import Export, attachment

EVENTS_SHOWN = 50


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if timezone.is_naive(value) else value.astimezone(dt.UTC)


def _period_values(data: dict[str, Any]) -> dict[str, Any]:
    """The service's arguments from the period form's cleaned data (the window in UTC)."""
    return {
        "name": data["name"],
        "framework_codes": list(data["framework_codes"]),
        "starts_at": _utc(data["starts_at"]),
        "ends_at": _utc(data["ends_at"]),
    }


class WorkspacePage(OrgPageView):
    model = AuditPeriod

    def get_period(self, key: str = "pk") -> AuditPeriod:
        period = audit_scope.period_for(self.principal, self.kwargs[key])
        if period is None:
            raise Http404("No such audit period.")
        return period

    def get_package(self) -> EvidencePackage:
        package = audit_scope.packages_of(self.principal).filter(pk=self.kwargs["pk"]).first()
        if package is None:
            raise Http404("No such evidence package.")
        return package


class AuditPeriodsView(WorkspacePage):
    """Managers see every period (and may add one); an auditor lands here and sees their own."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_list(None)

    def render_list(self, form: AuditPeriodForm | None) -> HttpResponse:
        can_add = self.allows("add", AuditPeriod)
        context = {
            "page_title": "Audit periods",
            "periods": audit_scope.visible_periods(self.principal),
            "can_add": can_add,
            "form": form or (AuditPeriodForm() if can_add else None),
        }
        return self.page("controls/audit_periods.html", context, status=status_for(form))


class AuditPeriodCreateView(AuditPeriodsView):
    permission_action = "add"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AuditPeriodForm(request.POST)
        if form.is_valid():
            try:
                period = audit_services.create_period(
                    actor=self.principal, **_period_values(form.cleaned_data)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Audit period {period.name} was added.")
                return redirect("controls:audit-period-detail", org_slug=self.organization.slug, pk=period.pk)
        return self.render_list(form)


class AuditPeriodDetailView(WorkspacePage):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_detail(self.get_period())

    def render_detail(self, period: AuditPeriod, form: AssignAuditorForm | None = None) -> HttpResponse:
        manages = self.allows("change", period)
        evidence = list(audit_scope.evidence_in(self.principal, period))
        controls = list(audit_scope.controls_in(self.principal, period))
        context = {
            "page_title": period.name,
            "period": period,
            "controls": period_readiness.with_period_status(controls, evidence, period),
            "as_of": period_readiness.as_of(period),
            "evidence": evidence,
            "runs": audit_scope.runs_in(self.principal, period),
            "events": audit_scope.events_in(self.principal, period)[:EVENTS_SHOWN],
            "events_shown": EVENTS_SHOWN,
            "packages": audit_scope.packages_of(self.principal, period),
            "assignments": period.assignments.select_related("membership__user") if manages else [],
            "manages": manages,
            "can_delete": self.allows("delete", period),
            "can_export": self.allows("add", EvidencePackage),
            "assign_form": form or (AssignAuditorForm(organization=self.organization) if manages else None),
        }
        return self.page("controls/audit_period_detail.html", context, status=status_for(form))


class PeriodPage(WorkspacePage):
    def get_object(self) -> AuditPeriod:
        return self.get_period()

    def label(self, obj: AuditPeriod) -> str:
        return f"Audit period {obj.name}"

    def detail_url(self, obj: AuditPeriod) -> str:
        kwargs = {"org_slug": self.organization.slug, "pk": obj.pk}
        return reverse("controls:audit-period-detail", kwargs=kwargs)


class AuditPeriodEditView(EditForm, PeriodPage):
    permission_action = "change"

    def make_form(self, data: Any = None, *, obj: Any = None) -> AuditPeriodForm:
        return AuditPeriodForm(data, initial=period_initial(obj) if obj is not None else None)

    def save(self, obj: AuditPeriod, data: dict[str, Any]) -> AuditPeriod:
        return audit_services.update_period(actor=self.principal, period=obj, **_period_values(data))


class AuditPeriodStatusView(WorkspacePage):
    """POST status=closed|open: close the period (no new auditor assignments) or reopen it."""

    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        period = self.get_period()
        wanted = request.POST.get("status", "")
        try:
            period = audit_services.update_period(actor=self.principal, period=period, status=wanted)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            done = "closed" if period.status == AuditPeriodStatus.CLOSED else "reopened"
            messages.success(request, f"Audit period {period.name} was {done}.")
        return redirect("controls:audit-period-detail", org_slug=self.organization.slug, pk=period.pk)


class AuditPeriodDeleteView(ConfirmDelete, PeriodPage):
    permission_action = "delete"
    consequence = (
        "This deletes the period with its auditor assignments (its auditors lose access to it) and its "
        "evidence packages. Controls and evidence stay. The audit log keeps a record."
    )

    def delete_object(self, obj: AuditPeriod) -> None:
        audit_services.delete_period(actor=self.principal, period=obj)

    def list_url(self) -> str:
        return reverse("controls:audit-periods", kwargs={"org_slug": self.organization.slug})


class AuditorAssignView(AuditPeriodDetailView):
    model = AuditorAssignment  # type: ignore[assignment]
    permission_action = "add"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        period = self.get_period()
        form = AssignAuditorForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                audit_services.assign_auditor(
                    actor=self.principal, period=period, membership=form.cleaned_data["membership"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The auditor was assigned.")
                return redirect("controls:audit-period-detail", org_slug=self.organization.slug, pk=period.pk)
        return self.render_detail(period, form)


class AuditorUnassignView(WorkspacePage):
    model = AuditorAssignment  # type: ignore[assignment]
    permission_action = "delete"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        period = self.get_period("period_pk")
        assignment = period.assignments.filter(pk=self.kwargs["pk"]).first()
        if assignment is None:
            raise Http404("No such assignment.")
        audit_services.unassign_auditor(actor=self.principal, assignment=assignment)
        messages.success(request, "The auditor was removed from the period.")
        return redirect("controls:audit-period-detail", org_slug=self.organization.slug, pk=period.pk)


class PackageExportView(WorkspacePage):
    model = EvidencePackage  # type: ignore[assignment]
    permission_action = "add"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        period = self.get_period()
        try:
            package = evidence_package.request_package(actor=self.principal, period=period)
        except PermissionDenied:
            raise Http404("No such audit period.") from None
        return redirect("controls:evidence-package", org_slug=self.organization.slug, pk=package.pk)


class PackageView(WorkspacePage):
    model = EvidencePackage  # type: ignore[assignment]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        package = self.get_package()
        context = {"page_title": f"Evidence package of {package.period.name}", "package": package}
        return self.page("controls/evidence_package.html", context)


class PackageProgressView(PackageView):
    """The polling progress element alone (htmx swaps it every two seconds until the job is finished)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.page("controls/_package_progress.html", {"package": self.get_package()})


class PackageDownloadView(PackageView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        package = self.get_package()
        try:
            content = evidence_package.package_bytes(package)
        except ValidationError:
            raise Http404("This package is not ready.") from None
        evidence_package.record_package_download(actor=self.principal, package=package)
        return attachment(Export(content, package.download_filename, "application/zip"))
