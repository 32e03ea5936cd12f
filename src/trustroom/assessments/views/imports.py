"""Pages of the VAPT programme: scanner imports (list, upload, detail with a polling progress element)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path

from trustroom.assessments.imports import start_finding_import
from trustroom.assessments.imports.forms import FORMAT_LABELS, FindingImportForm
from trustroom.assessments.imports.progress import write_progress
from trustroom.assessments.imports.selectors import finding_imports
from trustroom.assessments.models import FindingImport
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for

STATUS_BADGE = {"queued": "pending", "running": "pending", "succeeded": "active", "failed": "expired"}


class ImportPage(OrgPageView):
    model = FindingImport

    def page_context(self) -> dict[str, Any]:
        return super().page_context() | {
            "status_badge": STATUS_BADGE,
            "format_labels": FORMAT_LABELS,
        }

    def get_import(self) -> FindingImport:
        job = finding_imports().filter(pk=self.kwargs["pk"]).first()
        if job is None:
            raise Http404("No such import.")
        return job


class ImportListView(ImportPage):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = {
            "page_title": "Scanner imports",
            "imports": list(finding_imports()[:200]),
            "can_add": policies.policy_for(FindingImport).allows(self.principal, "add", None),
        }
        return self.page("assessments/import_list.html", context)


class ImportCreateView(ImportPage):
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {"application": request.GET.get("application")} if request.GET.get("application") else None
        return self.render_form(FindingImportForm(initial=initial))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FindingImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = start_finding_import(
                    actor=self.principal,
                    application=data["application"],
                    uploaded_file=data["file"],
                    format=data["format"],
                    engagement=data["engagement"],
                    close_missing=data["close_missing"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The report {job.original_filename} is being imported.")
                return redirect("assessments:import-detail", org_slug=self.organization.slug, pk=job.pk)
        return self.render_form(form)

    def render_form(self, form: FindingImportForm) -> HttpResponse:
        context = {"page_title": "Import a scanner report", "form": form}
        return self.page("assessments/import_form.html", context, status=status_for(form))


class ImportDetailView(ImportPage):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_import()
        context = {"page_title": f"Import {job.pk}", "job": job, "writing": write_progress(job)}
        return self.page("assessments/import_detail.html", context)


class ImportProgressView(ImportPage):
    """The progress element alone: htmx polls it until the import has finished."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_import()  # in scope: the cached write progress is only read for an own job
        return self.page("assessments/import_progress.html", {"job": job, "writing": write_progress(job)})


urlpatterns: list[URLPattern] = [
    path("imports/", ImportListView.as_view(), name="import-list"),
    path("imports/new/", ImportCreateView.as_view(), name="import-create"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/progress/", ImportProgressView.as_view(), name="import-progress"),
]
