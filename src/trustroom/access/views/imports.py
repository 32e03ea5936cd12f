"""Imports of current access under /o/<org_slug>/access/imports/: upload a CSV, read its diff against
the recorded grants, apply it (editors and above)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from trustroom.access.models import AccessImport
from trustroom.access.services import imports
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for


class ImportForm(forms.Form):
    source = forms.CharField(label="Source", max_length=100, help_text="e.g. Okta, AWS IAM")
    file = forms.FileField(
        label="CSV file",
        help_text="Header row with email, system, environment, privilege (and optionally name).",
    )


def _import(pk: int) -> AccessImport:
    found = AccessImport.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such import.")
    return found


class ImportsView(OrgPageView):
    model = AccessImport

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", AccessImport)
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size and upload.size > imports.MAX_BYTES:
                    raise ValidationError(
                        {"file": f"The file is larger than {imports.MAX_BYTES // 2**20} MiB."}
                    )
                created = imports.create_import(
                    actor=self.principal,
                    source=form.cleaned_data["source"],
                    content=upload.read(imports.MAX_BYTES + 1),
                    filename=upload.name or "",
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("access:import-detail", org_slug=self.organization.slug, pk=created.pk)
        return self.render_page(form)

    def render_page(self, form: ImportForm | None) -> HttpResponse:
        can_add = policies.policy_for(AccessImport).allows(self.principal, "add")
        context = {
            "organization": self.organization,
            "principal": self.principal,
            "page_title": "Access imports",
            "imports": list(AccessImport.objects.select_related("uploaded_by")[:100]),
            "form": form or (ImportForm() if can_add else None),
        }
        return render(self.request, "access/imports_list.html", context, status=status_for(form))


class ImportDetailView(OrgPageView):
    model = AccessImport

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = _import(self.kwargs["pk"])
        context = {
            "organization": self.organization,
            "principal": self.principal,
            "page_title": f"Import {found.pk} from {found.source}",
            "access_import": found,
            "diff": found.diff,
            "can_apply": found.applied_at is None
            and policies.policy_for(AccessImport).allows(self.principal, "change", found),
        }
        return render(request, "access/imports_detail.html", context)


class ImportApplyView(OrgPageView):
    model = AccessImport
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = _import(self.kwargs["pk"])
        try:
            counts = imports.apply_import(actor=self.principal, access_import=found)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Applied: {counts['created']} grants recorded, {counts['changed']} privileges changed, "
                f"{counts['revocations']} revocation tasks opened, {counts['skipped']} skipped.",
            )
        return redirect("access:import-detail", org_slug=self.organization.slug, pk=found.pk)


urlpatterns: list[URLPattern] = [
    path("imports/", ImportsView.as_view(), name="imports"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/apply/", ImportApplyView.as_view(), name="import-apply"),
]
