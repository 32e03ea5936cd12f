"""Changing and deleting controls, checks and manual evidence from the pages. GET shows the pre-filled form
or asks for confirmation (a plain form: no JavaScript needed); POST calls the service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from trustroom.controls import selectors, services
from trustroom.controls.forms import CheckForm, ControlForm, check_initial, control_initial
from trustroom.controls.models import Check, Control, Evidence
from trustroom.controls.views import ControlsPage, on_parameters_field
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for


class ConfirmPage(ControlsPage):
    """GET asks "Delete …?" with a form that POSTs back here."""

    permission_action = "delete"

    def confirm(self, *, title: str, consequence: str, button: str, cancel: str) -> HttpResponse:
        context = {"page_title": title, "consequence": consequence, "button": button, "cancel": cancel}
        return self.page("controls/confirm.html", context)


class ControlEditView(ControlsPage):
    model = Control
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        control = self.get_control()
        form = ControlForm(initial=control_initial(control), organization=self.organization)
        return self.render_form(control, form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        control = self.get_control()
        form = ControlForm(request.POST, organization=self.organization)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["requirements"] = [r.pk for r in data["requirements"]]
            try:
                control = services.update_control(actor=self.principal, control=control, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Control {control.key} was saved.")
                return redirect("controls:control-detail", org_slug=self.organization.slug, pk=control.pk)
        return self.render_form(control, form)

    def render_form(self, control: Control, form: ControlForm) -> HttpResponse:
        context = {
            "page_title": f"Edit {control.key}",
            "form": form,
            "cancel_url": reverse(
                "controls:control-detail", kwargs={"org_slug": self.organization.slug, "pk": control.pk}
            ),
        }
        return self.page("controls/form.html", context, status=status_for(form))


class ControlDeleteView(ConfirmPage):
    model = Control

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        control = self.get_control()
        return self.confirm(
            title=f"Delete {control.key} {control.name}?",
            consequence=(
                "This deletes the control with its evidence items (vault files stay in the vault), its "
                "framework mappings and the trust center claims bound to it. The audit log keeps a record."
            ),
            button=f"Delete {control.key}",
            cancel=reverse(
                "controls:control-detail", kwargs={"org_slug": self.organization.slug, "pk": control.pk}
            ),
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        control = self.get_control()
        key = control.key
        services.delete_control(actor=self.principal, control=control)
        messages.success(request, f"Control {key} was deleted.")
        return redirect("controls:controls", org_slug=self.organization.slug)


class CheckEditView(ControlsPage):
    model = Check
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check = self.get_check()
        return self.render_form(check, CheckForm(initial=check_initial(check)))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check = self.get_check()
        form = CheckForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["controls"] = list(data["controls"])
            try:
                check = services.update_check(actor=self.principal, check=check, **data)
            except ValidationError as error:
                add_service_errors(form, on_parameters_field(error))
            else:
                messages.success(request, f"Check {check.name} was saved.")
                return redirect("controls:check-detail", org_slug=self.organization.slug, pk=check.pk)
        return self.render_form(check, form)

    def render_form(self, check: Check, form: CheckForm) -> HttpResponse:
        context = {
            "page_title": f"Edit {check.name}",
            "form": form,
            "cancel_url": reverse(
                "controls:check-detail", kwargs={"org_slug": self.organization.slug, "pk": check.pk}
            ),
        }
        return self.page("controls/form.html", context, status=status_for(form))


class CheckDeleteView(ConfirmPage):
    model = Check

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check = self.get_check()
        return self.confirm(
            title=f"Delete the check {check.name}?",
            consequence=(
                "This deletes the check with its runs, its imported inventories and the check-result "
                "evidence its runs added to controls. The audit log keeps a record."
            ),
            button=f"Delete {check.name}",
            cancel=reverse(
                "controls:check-detail", kwargs={"org_slug": self.organization.slug, "pk": check.pk}
            ),
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check = self.get_check()
        name = check.name
        services.delete_check(actor=self.principal, check=check)
        messages.success(request, f"Check {name} was deleted.")
        return redirect("controls:checks", org_slug=self.organization.slug)


class EvidenceRemoveView(ConfirmPage):
    model = Evidence

    def get_evidence(self) -> Evidence:
        found = self.visible(selectors.evidence()).filter(
            control_id=self.kwargs["control_pk"], pk=self.kwargs["pk"]
        )
        item = found.first()
        if item is None:
            raise Http404("No such evidence item.")
        return item

    def detail_url(self, item: Evidence) -> str:
        return reverse(
            "controls:control-detail", kwargs={"org_slug": self.organization.slug, "pk": item.control_id}
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item = self.get_evidence()
        source = item.url or (item.document.title if item.document else "")
        return self.confirm(
            title=f"Remove this evidence from {item.control.key}?",
            consequence=(
                f"{item.get_kind_display()} {source}, effective {item.effective_at:%Y-%m-%d %H:%M} UTC. "
                "The control's status is computed again without it; a vault file stays in the vault."
            ),
            button="Remove the evidence",
            cancel=self.detail_url(item),
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item = self.get_evidence()
        try:
            services.remove_evidence(actor=self.principal, evidence=item)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The evidence was removed from {item.control.key}.")
        return redirect(self.detail_url(item))
