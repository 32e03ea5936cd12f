"""Pages of the VAPT programme: the findings register, a finding, and its status transitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone

from trustroom.assessments import selectors, services
from trustroom.assessments.forms import (
    AcceptRiskForm,
    AssignForm,
    FindingEditForm,
    FindingFilterForm,
    FindingForm,
    ReasonForm,
    RetestForm,
)
from trustroom.assessments.models import Finding, FindingStatus
from trustroom.assessments.selectors import FindingFilters
from trustroom.assessments.state import effective_status, sla_state
from trustroom.assessments.views.page import AssessmentsPage
from trustroom.audit import selectors as audit_selectors
from trustroom.audit.models import AuditEvent
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.policies import MANAGERS
from trustroom.tenancy.views import status_for

FINDINGS_PER_PAGE = 25
OPEN = (FindingStatus.OPEN, FindingStatus.REOPENED)


class FindingListView(AssessmentsPage):
    model = Finding

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.GET.copy()
        data.pop("page", None)
        form = FindingFilterForm(data or None, organization=self.organization)
        filters = FindingFilters()
        if form.is_bound and form.is_valid():
            cleaned = form.cleaned_data
            filters = FindingFilters(
                application_id=cleaned["application"].pk if cleaned["application"] else None,
                severity=cleaned["severity"],
                status=cleaned["status"],
                sla=cleaned["sla"],
                assignee_id=cleaned["assignee"].pk if cleaned["assignee"] else None,
                text=cleaned["q"].strip(),
            )
        now = timezone.now()
        found = selectors.filtered_findings(filters, now=now)
        page = Paginator(found, FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
        rows = page.object_list
        states = selectors.finding_states(list(rows), now=now)
        context = {
            "page_title": "Findings",
            "form": form,
            "filters": filters,
            "page": page,
            "states": states,
            "can_add": self.allows("add", Finding),
        }
        template = "assessments/_finding_rows.html" if self.is_htmx else "assessments/finding_list.html"
        # htmx swaps only 2xx answers: the partial carries the filter errors with a 200.
        refused = form.is_bound and bool(form.errors) and not self.is_htmx
        return self.page(template, context, status=400 if refused else 200)


class FindingCreateView(AssessmentsPage):
    model = Finding
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {key: request.GET[key] for key in ("application", "engagement") if request.GET.get(key)}
        return self.render_form(FindingForm(initial=initial, organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FindingForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                finding = services.create_finding(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The finding “{finding.title}” was recorded.")
                return redirect("assessments:finding-detail", org_slug=self.organization.slug, pk=finding.pk)
        return self.render_form(form)

    def render_form(self, form: FindingForm) -> HttpResponse:
        context = {"page_title": "New finding", "form": form}
        return self.page("assessments/finding_form.html", context, status=status_for(form))


class FindingDetailView(AssessmentsPage):
    model = Finding

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(self.get_finding())

    def get_finding(self) -> Finding:
        related = ("application", "engagement", "assignee", "risk_accepted_by", "sla_policy")
        finding: Finding = self.get_object_or_404(Finding)
        return Finding.objects.select_related(*related).get(pk=finding.pk)

    def render_page(
        self, finding: Finding, *, failed: str = "", form: forms.Form | None = None
    ) -> HttpResponse:
        now = timezone.now()
        status = effective_status(finding, now=now)
        can_change = self.allows("change", finding)
        action_forms: dict[str, forms.Form] = {}
        if can_change:
            action_forms["assign"] = AssignForm(
                initial={"assignee": finding.assignee_id}, organization=self.organization
            )
            if status in OPEN:
                action_forms["fix"] = forms.Form()
            if finding.status == FindingStatus.FIXED_AWAITING_RETEST:
                action_forms["retest"] = RetestForm()
            if status in (*OPEN, FindingStatus.RISK_ACCEPTED) and self.principal.role in MANAGERS:
                action_forms["accept-risk"] = AcceptRiskForm()
            if status not in (FindingStatus.CLOSED, FindingStatus.FALSE_POSITIVE):
                action_forms["false-positive"] = ReasonForm(label="Why it is a false positive")
            # Awaiting retest, the retest's outcome decides; a failed one reopens.
            if finding.status not in (*OPEN, FindingStatus.FIXED_AWAITING_RETEST):
                action_forms["reopen"] = ReasonForm(required=False, label="Why it is reopened")
        if failed and form is not None:
            action_forms[failed] = form
        for key, action_form in action_forms.items():  # several forms on one page: keep their ids apart
            action_form.auto_id = f"id_{key.replace('-', '_')}_%s"
        history = None
        if policies.policy_for(AuditEvent).allows(self.principal, "view"):
            history = list(
                audit_selectors.events(audit_selectors.EventFilters(target_type="assessments.finding"))
                .filter(target_id=str(finding.pk))
                .order_by("seq")
            )
        context = {
            "page_title": finding.title,
            "finding": finding,
            "status": status,
            "status_label": FindingStatus(status).label,
            "sla": sla_state(finding, now=now),
            "risk_expired": finding.status == FindingStatus.RISK_ACCEPTED
            and status == FindingStatus.REOPENED,
            "action_forms": action_forms,
            "can_change": can_change,
            "failed": failed,
            "history": history,
        }
        return self.page("assessments/finding_detail.html", context, status=400 if failed else 200)


class FindingEditView(FindingDetailView):
    """findings/<pk>/edit/: title, description, severity (a re-triage), CVSS, CWE, asset, evidence and
    engagement, through `services.update_finding`."""

    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.get_finding()
        initial = FindingEditForm.initial_for(finding)
        return self.render_form(finding, self.make_form(finding, initial=initial))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.get_finding()
        policies.check(self.principal, "change", finding)
        form = self.make_form(finding, data=request.POST)
        if form.is_valid():
            old_due = finding.due_at
            try:
                finding = services.update_finding(actor=self.principal, finding=finding, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                notice = "The finding is saved."
                if finding.due_at != old_due:
                    due = f"{finding.due_at:%Y-%m-%d %H:%M} UTC" if finding.due_at else "no deadline"
                    notice += f" Re-triaged: it is now due {due} (counted from its detection)."
                messages.success(request, notice)
                return redirect("assessments:finding-detail", org_slug=self.organization.slug, pk=finding.pk)
        return self.render_form(finding, form)

    def make_form(self, finding: Finding, **kwargs: Any) -> FindingEditForm:
        return FindingEditForm(organization=self.organization, finding=finding, **kwargs)

    def render_form(self, finding: Finding, form: FindingEditForm) -> HttpResponse:
        context = {"page_title": f"Edit: {finding.title}", "finding": finding, "form": form}
        return self.page("assessments/finding_edit.html", context, status=status_for(form))


class FindingActionView(FindingDetailView):
    """POST one transition; success → back to the finding, refusal → the finding with the form's errors."""

    permission_action = "change"
    action = ""
    form_class: Callable[..., forms.Form] = forms.Form

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.get_finding()  # a missing (or another organization's) finding is a 404 here too
        return redirect("assessments:finding-detail", org_slug=self.organization.slug, pk=finding.pk)

    def make_form(self, data: Any) -> forms.Form:
        return self.form_class(data)

    def perform(self, finding: Finding, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.get_finding()
        policies.check(self.principal, "change", finding)
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                notice = self.perform(finding, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, notice)
                return redirect("assessments:finding-detail", org_slug=self.organization.slug, pk=finding.pk)
        finding.refresh_from_db()
        return self.render_page(finding, failed=self.action, form=form)


class FindingAssignView(FindingActionView):
    action = "assign"

    def make_form(self, data: Any) -> forms.Form:
        return AssignForm(data, organization=self.organization)

    def perform(self, finding: Finding, data: dict[str, Any]) -> str:
        services.assign_finding(actor=self.principal, finding=finding, assignee=data["assignee"])
        who = data["assignee"].email if data["assignee"] else "nobody"
        return f"The finding is assigned to {who}."


class FindingFixView(FindingActionView):
    action = "fix"

    def perform(self, finding: Finding, data: dict[str, Any]) -> str:
        services.mark_fixed(actor=self.principal, finding=finding)
        return f"Marked fixed; the vendor's retest is due by {finding.retest_due_at:%Y-%m-%d} (UTC)."


class FindingRetestView(FindingActionView):
    action = "retest"
    form_class = RetestForm

    def perform(self, finding: Finding, data: dict[str, Any]) -> str:
        services.record_retest(actor=self.principal, finding=finding, **data)
        if data["passed"]:
            return "Retest passed: the finding is closed."
        return "Retest failed: the finding is reopened against its original deadline."


class FindingAcceptRiskView(FindingActionView):
    action = "accept-risk"
    form_class = AcceptRiskForm

    def perform(self, finding: Finding, data: dict[str, Any]) -> str:
        services.accept_risk(actor=self.principal, finding=finding, **data)
        return f"Risk accepted until {data['expires_at']:%Y-%m-%d %H:%M} UTC; it reopens by itself then."


class FindingFalsePositiveView(FindingActionView):
    action = "false-positive"

    def make_form(self, data: Any) -> forms.Form:
        return ReasonForm(data, label="Why it is a false positive")

    def perform(self, finding: Finding, data: dict[str, Any]) -> str:
        services.mark_false_positive(actor=self.principal, finding=finding, reason=data["reason"])
        return "Marked as a false positive."


class FindingReopenView(FindingActionView):
    action = "reopen"

    def make_form(self, data: Any) -> forms.Form:
        return ReasonForm(data, required=False, label="Why it is reopened")

    def perform(self, finding: Finding, data: dict[str, Any]) -> str:
        services.reopen_finding(actor=self.principal, finding=finding, reason=data["reason"])
        return "The finding is reopened; its original deadline still applies."


urlpatterns: list[URLPattern] = [
    path("findings/", FindingListView.as_view(), name="finding-list"),
    path("findings/new/", FindingCreateView.as_view(), name="finding-create"),
    path("findings/<int:pk>/", FindingDetailView.as_view(), name="finding-detail"),
    path("findings/<int:pk>/edit/", FindingEditView.as_view(), name="finding-edit"),
    path("findings/<int:pk>/assign/", FindingAssignView.as_view(), name="finding-assign"),
    path("findings/<int:pk>/fix/", FindingFixView.as_view(), name="finding-fix"),
    path("findings/<int:pk>/retest/", FindingRetestView.as_view(), name="finding-retest"),
    path("findings/<int:pk>/accept-risk/", FindingAcceptRiskView.as_view(), name="finding-accept-risk"),
    path(
        "findings/<int:pk>/false-positive/", FindingFalsePositiveView.as_view(), name="finding-false-positive"
    ),
    path("findings/<int:pk>/reopen/", FindingReopenView.as_view(), name="finding-reopen"),
]
