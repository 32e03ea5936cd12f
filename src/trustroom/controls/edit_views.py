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


class EditForm:
    """An edit page: GET shows the form pre-filled from the object, POST saves through the service and shows
    its errors at the fields. Subclasses say how to find, describe and save the object."""

    request: HttpRequest
    page: Any
    # Given by the page class that comes after this one: find the object, name it, link to it.
    get_object: Any
    label: Any
    detail_url: Any

    def make_form(self, data: Any = None, *, obj: Any = None) -> Any:
        raise NotImplementedError

    def save(self, obj: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def service_errors(self, error: ValidationError) -> ValidationError:
        return error

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        return self.render_form(obj, self.make_form(obj=obj))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                obj = self.save(obj, dict(form.cleaned_data))
            except ValidationError as error:
                add_service_errors(form, self.service_errors(error))
            else:
                messages.success(request, f"{self.label(obj)} was saved.")
                return redirect(self.detail_url(obj))
        return self.render_form(obj, form)

    def render_form(self, obj: Any, form: Any) -> HttpResponse:
        context = {"page_title": f"Edit {obj}", "form": form, "cancel_url": self.detail_url(obj)}
        response: HttpResponse = self.page("controls/form.html", context, status=status_for(form))
        return response


class ConfirmDelete:
    """A delete page: GET asks "Delete …?" with a plain form that POSTs back (no JavaScript needed), POST
    deletes through the service and goes back to the list."""

    request: HttpRequest
    page: Any
    get_object: Any
    label: Any
    detail_url: Any
    consequence = ""

    def delete_object(self, obj: Any) -> None:
        raise NotImplementedError

    def list_url(self) -> str:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        context = {
            "page_title": f"Delete {obj}?",
            "consequence": self.consequence,
            "button": f"Delete {obj}",
            "cancel": self.detail_url(obj),
        }
        response: HttpResponse = self.page("controls/confirm.html", context)
        return response

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        label = self.label(obj)
        self.delete_object(obj)
        messages.success(request, f"{label} was deleted.")
        return redirect(self.list_url())


class ControlPage(ControlsPage):
    model = Control

    def get_object(self) -> Control:
        return self.get_control()

    def label(self, obj: Control) -> str:
        return f"Control {obj.key}"

    def detail_url(self, obj: Control) -> str:
        return reverse("controls:control-detail", kwargs={"org_slug": self.organization.slug, "pk": obj.pk})


class ControlEditView(EditForm, ControlPage):
    permission_action = "change"

    def make_form(self, data: Any = None, *, obj: Any = None) -> ControlForm:
        initial = control_initial(obj) if obj is not None else None
        return ControlForm(data, initial=initial, organization=self.organization)

    def save(self, obj: Control, data: dict[str, Any]) -> Control:
        data["requirements"] = [r.pk for r in data["requirements"]]
        return services.update_control(actor=self.principal, control=obj, **data)


class ControlDeleteView(ConfirmDelete, ControlPage):
    permission_action = "delete"
    consequence = (
        "This deletes the control with its evidence items (vault files stay in the vault), its framework "
        "mappings and the trust center claims bound to it. The audit log keeps a record."
    )

    def delete_object(self, obj: Control) -> None:
        services.delete_control(actor=self.principal, control=obj)

    def list_url(self) -> str:
        return reverse("controls:controls", kwargs={"org_slug": self.organization.slug})


class CheckPage(ControlsPage):
    model = Check

    def get_object(self) -> Check:
        return self.get_check()

    def label(self, obj: Check) -> str:
        return f"Check {obj.name}"

    def detail_url(self, obj: Check) -> str:
        return reverse("controls:check-detail", kwargs={"org_slug": self.organization.slug, "pk": obj.pk})


class CheckEditView(EditForm, CheckPage):
    permission_action = "change"

    def make_form(self, data: Any = None, *, obj: Any = None) -> CheckForm:
        return CheckForm(data, initial=check_initial(obj) if obj is not None else None)

    def save(self, obj: Check, data: dict[str, Any]) -> Check:
        data["controls"] = list(data["controls"])
        return services.update_check(actor=self.principal, check=obj, **data)

    def service_errors(self, error: ValidationError) -> ValidationError:
        return on_parameters_field(error)


class CheckDeleteView(ConfirmDelete, CheckPage):
    permission_action = "delete"
    consequence = (
        "This deletes the check with its runs, its imported inventories and the check-result evidence its "
        "runs added to controls. The audit log keeps a record."
    )

    def delete_object(self, obj: Check) -> None:
        services.delete_check(actor=self.principal, check=obj)

    def list_url(self) -> str:
        return reverse("controls:checks", kwargs={"org_slug": self.organization.slug})


class ConfirmPage(ControlsPage):
    """GET asks with a form that POSTs back here."""

    permission_action = "delete"

    def confirm(self, *, title: str, consequence: str, button: str, cancel: str) -> HttpResponse:
        context = {"page_title": title, "consequence": consequence, "button": button, "cancel": cancel}
        return self.page("controls/confirm.html", context)


class EvidenceRemoveView(ConfirmPage):
    model = Evidence

    def get_evidence(self) -> Evidence:
        found = selectors.evidence().filter(control_id=self.kwargs["control_pk"], pk=self.kwargs["pk"])
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
