"""Pages of the VAPT programme: vendors, applications and engagements (and the SLA policy, from `sla`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from trustroom.assessments import selectors, services
from trustroom.assessments.forms import ApplicationForm, EngagementCompleteForm, EngagementForm, VendorForm
from trustroom.assessments.models import (
    Application,
    Engagement,
    EngagementStatus,
    Finding,
    ScopeArea,
    Severity,
    Vendor,
)
from trustroom.assessments.state import safe_to_host, vapt_schedule
from trustroom.assessments.views import sla
from trustroom.assessments.views.page import AssessmentsPage
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.views import status_for
from trustroom.trustcenter.attestations import is_published, published_attestations
from trustroom.trustcenter.models import SafeToHostPublication
from trustroom.web.forms import save_form

SCOPE_LABELS = dict(ScopeArea.choices)

_Record = TypeVar("_Record", Vendor, Application, Engagement)


def _create_or_update(
    actor: Principal,
    record: _Record | None,
    create: Callable[..., _Record],
    update: Callable[..., object],
    name: str,
) -> Callable[[dict[str, Any]], _Record]:
    """The service call of a form that creates a record (no `record`) or edits it (passed as `name`)."""

    def save(data: dict[str, Any]) -> _Record:
        if record is None:
            return create(actor=actor, **data)
        update(actor=actor, **{name: record}, **data)
        return record

    return save


# --- Vendors ------------------------------------------------------------------------------------------


class VendorListView(AssessmentsPage):
    model = Vendor

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        vendors = Vendor.objects.annotate(engagement_count=Count("engagements")).order_by("name")
        context = {"page_title": "Vendors", "vendors": list(vendors), "can_add": self.allows("add", Vendor)}
        return self.page("assessments/vendor_list.html", context)


class VendorFormView(AssessmentsPage):
    """New vendor (no pk) or edit one (pk)."""

    model = Vendor

    permission_action = "add"  # the edit route's subclass asks for "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        vendor = self.get_object_or_404(Vendor) if "pk" in kwargs else None
        form = VendorForm(initial=VendorForm.initial_for(vendor) if vendor else None)
        return self.render_form(form, vendor)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        vendor = self.get_object_or_404(Vendor) if "pk" in kwargs else None
        form = VendorForm(request.POST)
        save = _create_or_update(
            self.principal, vendor, services.create_vendor, services.update_vendor, "vendor"
        )
        if saved := save_form(form, save):
            vendor = saved.value
            messages.success(request, f"The vendor {vendor.name} was saved.")
            return redirect("assessments:vendor-list", org_slug=self.organization.slug)
        return self.render_form(form, vendor)

    def render_form(self, form: VendorForm, vendor: Vendor | None) -> HttpResponse:
        title = f"Edit {vendor.name}" if vendor else "New vendor"
        context = {
            "page_title": title,
            "form": form,
            "vendor": vendor,
            "can_delete": vendor is not None and self.allows("delete", vendor),
        }
        return self.page("assessments/vendor_form.html", context, status=status_for(form))


class VendorEditView(VendorFormView):
    permission_action = "change"


# --- Applications ------------------------------------------------------------------------------------


class ApplicationListView(AssessmentsPage):
    model = Application

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = {
            "page_title": "Applications",
            "states": selectors.application_states(),
            "can_add": self.allows("add", Application),
        }
        return self.page("assessments/application_list.html", context)


class ApplicationFormView(AssessmentsPage):
    model = Application

    permission_action = "add"  # the edit route's subclass asks for "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        application = self.get_object_or_404(Application) if "pk" in kwargs else None
        form = ApplicationForm(initial=ApplicationForm.initial_for(application) if application else None)
        return self.render_form(form, application)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        application = self.get_object_or_404(Application) if "pk" in kwargs else None
        form = ApplicationForm(request.POST)
        save = _create_or_update(
            self.principal,
            application,
            services.create_application,
            services.update_application,
            "application",
        )
        if saved := save_form(form, save):
            application = saved.value
            messages.success(request, f"The application {application.name} was saved.")
            return redirect(
                "assessments:application-detail", org_slug=self.organization.slug, pk=application.pk
            )
        return self.render_form(form, application)

    def render_form(self, form: ApplicationForm, application: Application | None) -> HttpResponse:
        title = f"Edit {application.name}" if application else "New application"
        context = {"page_title": title, "form": form, "application": application}
        return self.page("assessments/application_form.html", context, status=status_for(form))


class ApplicationEditView(ApplicationFormView):
    permission_action = "change"


class ApplicationDetailView(AssessmentsPage):
    model = Application

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        application = self.get_object_or_404(Application)
        now = timezone.now()
        safe, reasons = safe_to_host(application, now=now)
        open_states = selectors.finding_states(
            selectors.unresolved_findings(now=now).filter(application=application).order_by("due_at", "pk"),
            now=now,
        )
        counts = dict.fromkeys(Severity.values, 0)
        for state in open_states:
            counts[state.finding.severity] += 1
        context = {
            "page_title": application.name,
            "application": application,
            "schedule": vapt_schedule(application, now=now),
            "safe": safe,
            "reasons": reasons,
            "engagements": list(
                Engagement.objects.filter(application=application)
                .select_related("vendor")
                .order_by("-window_start")
            ),
            "open_states": open_states,
            "severity_counts": [(label, counts[value]) for value, label in Severity.choices],
            "can_change": self.allows("change", application),
            "can_delete": self.allows("delete", application),
            "can_add_finding": self.allows("add", Finding),
            "can_add_engagement": self.allows("add", Engagement),
            **self.trust_center_context(application, now),
        }
        return self.page("assessments/application_detail.html", context)

    def trust_center_context(self, application: Application, now: datetime) -> dict[str, Any]:
        """Publishing is the trust center's (managers') choice; this page says what was chosen and what
        the public page shows of it now (the trust center's own reading, to the end of the UTC day)."""
        published = is_published(application)
        shown = None
        if published:
            attestations = published_attestations(now=now)
            shown = next((a for a in attestations if a.application == application.name), None)
        return {
            "published": published,
            "attestation": shown,
            "can_publish": self.allows("add", SafeToHostPublication),
        }


# --- Engagements -------------------------------------------------------------------------------------


class EngagementListView(AssessmentsPage):
    model = Engagement

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        engagements = (
            Engagement.objects.select_related("vendor", "application")
            .annotate(finding_count=Count("findings"))
            .order_by("-window_start")
        )
        context = {
            "page_title": "Engagements",
            "engagements": list(engagements),
            "can_add": self.allows("add", Engagement),
        }
        return self.page("assessments/engagement_list.html", context)


class EngagementFormView(AssessmentsPage):
    model = Engagement

    permission_action = "add"  # the edit route's subclass asks for "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        engagement = self.get_engagement() if "pk" in kwargs else None
        if engagement is not None:
            form = EngagementForm(initial=EngagementForm.initial_for(engagement), editing=True)
        else:
            initial = {key: request.GET[key] for key in ("application", "vendor") if request.GET.get(key)}
            form = EngagementForm(initial=initial)
        return self.render_form(form, engagement)

    def get_engagement(self) -> Engagement:
        engagement: Engagement = self.get_object_or_404(Engagement)
        return engagement

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        engagement = self.get_engagement() if "pk" in kwargs else None
        form = EngagementForm(request.POST, editing=engagement is not None)
        save = _create_or_update(
            self.principal, engagement, services.create_engagement, services.update_engagement, "engagement"
        )
        if saved := save_form(form, save):
            engagement = saved.value
            messages.success(request, f"The engagement {engagement.name} was saved.")
            return redirect(
                "assessments:engagement-detail", org_slug=self.organization.slug, pk=engagement.pk
            )
        return self.render_form(form, engagement)

    def render_form(self, form: EngagementForm, engagement: Engagement | None) -> HttpResponse:
        title = f"Edit {engagement.name}" if engagement else "New engagement"
        context = {
            "page_title": title,
            "form": form,
            "engagement": engagement,
            "completed": engagement is not None and engagement.status == EngagementStatus.COMPLETED,
        }
        return self.page("assessments/engagement_form.html", context, status=status_for(form))


class EngagementEditView(EngagementFormView):
    permission_action = "change"


class EngagementDetailView(AssessmentsPage):
    model = Engagement

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(self.get_object_or_404(Engagement))

    def render_page(
        self, engagement: Engagement, *, complete_form: EngagementCompleteForm | None = None
    ) -> HttpResponse:
        findings = Finding.objects.filter(engagement=engagement).select_related("assignee")
        context = {
            "page_title": engagement.name,
            "engagement": engagement,
            "scope_labels": [SCOPE_LABELS.get(area, area) for area in engagement.scope_areas],
            "reports": list(engagement.report_documents.order_by("title")),
            "finding_states": selectors.finding_states(findings.order_by("-detected_at", "-pk")),
            "can_change": self.allows("change", engagement),
            "can_delete": self.allows("delete", engagement),
            "can_complete": self.allows("change", engagement)
            and engagement.status != EngagementStatus.COMPLETED,
            "complete_form": complete_form or EngagementCompleteForm(),
        }
        return self.page("assessments/engagement_detail.html", context, status=status_for(complete_form))


class EngagementCompleteView(EngagementDetailView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        engagement = self.get_object_or_404(Engagement)
        return redirect("assessments:engagement-detail", org_slug=self.organization.slug, pk=engagement.pk)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        engagement = self.get_object_or_404(Engagement)
        policies.check(self.principal, "change", engagement)
        form = EngagementCompleteForm(request.POST)
        if save_form(
            form,
            lambda data: services.complete_engagement(
                actor=self.principal, engagement=engagement, window_end=data["window_end"]
            ),
        ):
            messages.success(request, f"The engagement {engagement.name} is completed.")
            return redirect(
                "assessments:engagement-detail", org_slug=self.organization.slug, pk=engagement.pk
            )
        engagement.refresh_from_db()
        return self.render_page(engagement, complete_form=form)


# --- Deleting mistakes -------------------------------------------------------------------------------


class DeletePage(AssessmentsPage):
    """GET says what will be deleted, or why it cannot be; POST deletes through the service (which checks
    again) and returns to the list. A refusal re-renders the page with the reasons and a 400."""

    model: type[Vendor] | type[Application] | type[Engagement]
    permission_action = "delete"
    kind: str
    list_url: str
    delete_service: Any
    blockers: Any

    def describe(self, obj: Any) -> list[tuple[str, str]]:
        raise NotImplementedError

    def cancel_url(self, obj: Any) -> str:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object_or_404(self.model)
        policies.check(self.principal, "delete", obj)
        return self.render_confirm(obj, type(self).blockers(obj))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object_or_404(self.model)
        name = str(obj.name)
        try:
            type(self).delete_service(actor=self.principal, **{self.kind: obj})
        except ValidationError as error:
            return self.render_confirm(obj, error.messages, status=400)
        messages.success(request, f"The {self.kind} {name} was deleted.")
        return redirect(self.list_url, org_slug=self.organization.slug)

    def render_confirm(self, obj: Any, reasons: list[str], *, status: int = 200) -> HttpResponse:
        context = {
            "page_title": f"Delete {obj.name}",
            "object": obj,
            "kind": self.kind,
            "details": self.describe(obj),
            "reasons": reasons,
            "cancel_url": self.cancel_url(obj),
        }
        return self.page("assessments/confirm_delete.html", context, status=status)


class VendorDeleteView(DeletePage):
    model = Vendor
    kind = "vendor"
    list_url = "assessments:vendor-list"
    delete_service = services.delete_vendor
    blockers = services.vendor_delete_blockers

    def describe(self, obj: Any) -> list[tuple[str, str]]:
        return [("Name", obj.name), ("Accreditation", obj.accreditation or "—")]

    def cancel_url(self, obj: Any) -> str:
        return reverse("assessments:vendor-edit", kwargs={"org_slug": self.organization.slug, "pk": obj.pk})


class ApplicationDeleteView(DeletePage):
    model = Application
    kind = "application"
    list_url = "assessments:application-list"
    delete_service = services.delete_application
    blockers = services.application_delete_blockers

    def describe(self, obj: Any) -> list[tuple[str, str]]:
        return [
            ("Name", obj.name),
            ("Criticality", obj.get_criticality_display()),
            ("Test cadence", obj.get_test_cadence_display()),
        ]

    def cancel_url(self, obj: Any) -> str:
        kwargs = {"org_slug": self.organization.slug, "pk": obj.pk}
        return reverse("assessments:application-detail", kwargs=kwargs)


class EngagementDeleteView(DeletePage):
    model = Engagement
    kind = "engagement"
    list_url = "assessments:engagement-list"
    delete_service = services.delete_engagement
    blockers = services.engagement_delete_blockers

    def describe(self, obj: Any) -> list[tuple[str, str]]:
        window = f"{obj.window_start:%Y-%m-%d} to {obj.window_end:%Y-%m-%d} (UTC)"
        return [
            ("Name", obj.name),
            ("Application", obj.application.name),
            ("Vendor", obj.vendor.name),
            ("Window", window),
            ("Status", obj.get_status_display()),
        ]

    def cancel_url(self, obj: Any) -> str:
        kwargs = {"org_slug": self.organization.slug, "pk": obj.pk}
        return reverse("assessments:engagement-detail", kwargs=kwargs)


urlpatterns: list[URLPattern] = [
    path("vendors/", VendorListView.as_view(), name="vendor-list"),
    path("vendors/new/", VendorFormView.as_view(), name="vendor-create"),
    path("vendors/<int:pk>/edit/", VendorEditView.as_view(), name="vendor-edit"),
    path("vendors/<int:pk>/delete/", VendorDeleteView.as_view(), name="vendor-delete"),
    path("applications/", ApplicationListView.as_view(), name="application-list"),
    path("applications/new/", ApplicationFormView.as_view(), name="application-create"),
    path("applications/<int:pk>/", ApplicationDetailView.as_view(), name="application-detail"),
    path("applications/<int:pk>/edit/", ApplicationEditView.as_view(), name="application-edit"),
    path("applications/<int:pk>/delete/", ApplicationDeleteView.as_view(), name="application-delete"),
    path("engagements/", EngagementListView.as_view(), name="engagement-list"),
    path("engagements/new/", EngagementFormView.as_view(), name="engagement-create"),
    path("engagements/<int:pk>/", EngagementDetailView.as_view(), name="engagement-detail"),
    path("engagements/<int:pk>/edit/", EngagementEditView.as_view(), name="engagement-edit"),
    path("engagements/<int:pk>/delete/", EngagementDeleteView.as_view(), name="engagement-delete"),
    path("engagements/<int:pk>/complete/", EngagementCompleteView.as_view(), name="engagement-complete"),
    *sla.urlpatterns,
]
