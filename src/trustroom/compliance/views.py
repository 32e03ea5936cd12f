"""The compliance register's pages under /o/<org_slug>/compliance/. Views validate and call services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from trustroom.compliance import selectors, services
from trustroom.compliance.forms import (
    CertificationForm,
    CustomFrameworkForm,
    DocumentUploadForm,
    StatementForm,
    StatusFilterForm,
    SupersedeForm,
)
from trustroom.compliance.models import (
    Certification,
    ComplianceStatement,
    ComplianceStatus,
    Framework,
    Requirement,
    StatementRevision,
)
from trustroom.compliance.state import CertificationState
from trustroom.tenancy import policies
from trustroom.tenancy.views import OrgPageView, status_for
from trustroom.web.forms import save_form

STATUS_BADGE = {
    ComplianceStatus.COMPLIANT: "active",
    ComplianceStatus.NON_COMPLIANT: "expired",
}
STATE_BADGE = {
    CertificationState.VALID: "active",
    CertificationState.EXPIRED: "expired",
}


class CompliancePage(OrgPageView):
    def page_context(self) -> dict[str, Any]:
        return super().page_context() | {
            "status_badge": STATUS_BADGE,
            "state_badge": STATE_BADGE,
        }

    def get_statement(self) -> ComplianceStatement:
        statement = selectors.statements().filter(pk=self.kwargs["pk"]).first()
        if statement is None:
            raise Http404("No such compliance statement.")
        return statement

    def get_certification(self) -> Certification:
        cert = selectors.certifications().select_related("document").filter(pk=self.kwargs["pk"]).first()
        if cert is None:
            raise Http404("No such certification.")
        selectors.with_state([cert])
        return cert


# --- Register (statements) -------------------------------------------------------------------------------


class RegisterView(CompliancePage):
    model = ComplianceStatement

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = StatusFilterForm(request.GET or None)
        statements = selectors.statements()
        filtered = False
        if form.is_bound and form.is_valid():
            if form.cleaned_data["status"]:
                statements = statements.filter(status=form.cleaned_data["status"])
                filtered = True
            if form.cleaned_data["visibility"]:
                statements = statements.filter(visibility=form.cleaned_data["visibility"])
                filtered = True
        rows = list(statements)
        context = {
            "page_title": "Compliance register",
            "form": form,
            "statements": rows,
            "filtered": filtered,
            "can_add": self.allows("add", ComplianceStatement),
            "missing_frameworks": list(
                selectors.frameworks().exclude(pk__in=selectors.statements().values("framework_id"))
            ),
        }
        template = "compliance/_statement_rows.html" if self.is_htmx else "compliance/register.html"
        return self.page(template, context)


class StatementCreateView(CompliancePage):
    model = ComplianceStatement
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {"framework": request.GET.get("framework")} if request.GET.get("framework") else None
        return self.render_form(StatementForm(initial=initial, organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = StatementForm(request.POST, organization=self.organization)
        if saved := save_form(form, lambda data: services.create_statement(actor=self.principal, **data)):
            statement = saved.value
            messages.success(request, f"The statement for {statement.framework} was saved.")
            return redirect("compliance:statement-detail", org_slug=self.organization.slug, pk=statement.pk)
        return self.render_form(form)

    def render_form(self, form: StatementForm) -> HttpResponse:
        context = {"page_title": "New compliance statement", "form": form, "statement": None}
        return self.page("compliance/statement_form.html", context, status=status_for(form))


class StatementDetailView(CompliancePage):
    model = ComplianceStatement

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self.get_statement()
        context = {
            "page_title": f"{statement.framework} statement",
            "statement": statement,
            "revisions": list(
                StatementRevision.objects.filter(statement=statement).select_related("changed_by")
            ),
            "requirements_count": Requirement.objects.filter(framework_id=statement.framework_id).count(),
            "can_change": self.allows("change", statement),
            "can_delete": self.allows("delete", statement),
        }
        return self.page("compliance/statement_detail.html", context)


class StatementEditView(CompliancePage):
    model = ComplianceStatement
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self.get_statement()
        form = StatementForm(initial=StatementForm.initial_for(statement), organization=self.organization)
        return self.render_form(form, statement)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self.get_statement()
        policies.check(self.principal, "change", statement)
        form = StatementForm(request.POST, organization=self.organization)
        if save_form(
            form, lambda data: services.update_statement(actor=self.principal, statement=statement, **data)
        ):
            messages.success(request, f"The statement for {statement.framework} was saved.")
            return redirect("compliance:statement-detail", org_slug=self.organization.slug, pk=statement.pk)
        return self.render_form(form, statement)

    def render_form(self, form: StatementForm, statement: ComplianceStatement) -> HttpResponse:
        context = {
            "page_title": f"Edit {statement.framework} statement",
            "form": form,
            "statement": statement,
        }
        return self.page("compliance/statement_form.html", context, status=status_for(form))


class StatementDeleteView(CompliancePage):
    """GET asks for confirmation; POST deletes (its history goes with it; the audit log keeps the event)."""

    model = ComplianceStatement
    permission_action = "delete"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self.get_statement()
        policies.check(self.principal, "delete", statement)
        return self.page(
            "compliance/confirm_delete.html",
            {"page_title": "Delete statement", "object": statement, "kind": "statement"},
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        statement = self.get_statement()
        services.delete_statement(actor=self.principal, statement=statement)
        messages.success(request, f"The statement for {statement.framework} was deleted.")
        return redirect("compliance:register", org_slug=self.organization.slug)


# --- Frameworks --------------------------------------------------------------------------------------------


class FrameworksView(CompliancePage):
    model = Framework

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(CustomFrameworkForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", Framework)
        form = CustomFrameworkForm(request.POST)
        if saved := save_form(
            form, lambda data: services.create_custom_framework(actor=self.principal, **data)
        ):
            framework = saved.value
            messages.success(request, f"The framework {framework} was added.")
            return redirect("compliance:frameworks", org_slug=self.organization.slug)
        return self.render_page(form)

    def render_page(self, form: CustomFrameworkForm) -> HttpResponse:
        frameworks = list(selectors.frameworks())
        counts: dict[int, int] = {}
        for framework_id in Requirement.objects.filter(
            framework_id__in=[f.pk for f in frameworks]
        ).values_list("framework_id", flat=True):
            counts[framework_id] = counts.get(framework_id, 0) + 1
        context = {
            "page_title": "Frameworks",
            "rows": [(f, counts.get(f.pk, 0)) for f in frameworks],
            "form": form,
            "can_add": self.allows("add", Framework),
        }
        return self.page("compliance/frameworks.html", context, status=status_for(form))


# --- Certifications ---------------------------------------------------------------------------------


class CertificationsView(CompliancePage):
    model = Certification

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        now = timezone.now()
        certs = selectors.with_state(list(selectors.certifications(now).select_related("document")), now)
        gaps = selectors.gaps(certs)
        gap_after = {gap.after_id: gap for gap in gaps}
        context = {
            "page_title": "Certifications",
            "rows": [(cert, gap_after.get(cert.pk)) for cert in certs],
            "gaps": gaps,
            "can_add": self.allows("add", Certification),
        }
        return self.page("compliance/certifications.html", context)


class CertificationCreateView(CompliancePage):
    model = Certification
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(CertificationForm(organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CertificationForm(request.POST, organization=self.organization)
        if saved := save_form(form, lambda data: services.create_certification(actor=self.principal, **data)):
            cert = saved.value
            messages.success(request, f"{cert.title} was saved.")
            return redirect("compliance:certification-detail", org_slug=self.organization.slug, pk=cert.pk)
        return self.render_form(form)

    def render_form(self, form: CertificationForm) -> HttpResponse:
        context = {"page_title": "New certification", "form": form, "certification": None}
        return self.page("compliance/certification_form.html", context, status=status_for(form))


class CertificationDetailView(CompliancePage):
    model = Certification

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(self.get_certification())

    def render_page(
        self,
        cert: Certification,
        *,
        supersede_form: SupersedeForm | None = None,
        upload_form: DocumentUploadForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        from trustroom.compliance.state import surveillance_dates

        series = selectors.with_state(list(selectors.certifications().filter(series=cert.series)))
        context = {
            "page_title": cert.title,
            "certification": cert,
            "surveillance": surveillance_dates(
                valid_from=cert.valid_from,
                valid_until=cert.valid_until,
                interval_months=cert.surveillance_interval_months,
            ),
            "series": series,
            "gaps": selectors.gaps(series),
            "can_change": self.allows("change", cert),
            "can_delete": self.allows("delete", cert),
            "supersede_form": supersede_form or SupersedeForm(certification=cert),
            "upload_form": upload_form or DocumentUploadForm(),
        }
        return self.page("compliance/certification_detail.html", context, status=status)


class CertificationEditView(CompliancePage):
    model = Certification
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cert = self.get_certification()
        form = CertificationForm(initial=CertificationForm.initial_for(cert), organization=self.organization)
        return self.render_form(form, cert)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cert = self.get_certification()
        policies.check(self.principal, "change", cert)
        form = CertificationForm(request.POST, organization=self.organization)
        if save_form(
            form, lambda data: services.update_certification(actor=self.principal, certification=cert, **data)
        ):
            messages.success(request, f"{cert.title} was saved.")
            return redirect("compliance:certification-detail", org_slug=self.organization.slug, pk=cert.pk)
        return self.render_form(form, cert)

    def render_form(self, form: CertificationForm, cert: Certification) -> HttpResponse:
        context = {"page_title": f"Edit {cert.title}", "form": form, "certification": cert}
        return self.page("compliance/certification_form.html", context, status=status_for(form))


class CertificationRenewalView(CertificationDetailView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("compliance:certification-detail", org_slug=self.organization.slug, pk=kwargs["pk"])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cert = self.get_certification()
        try:
            services.start_renewal(actor=self.principal, certification=cert)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Renewal of {cert.title} marked as started.")
        return redirect("compliance:certification-detail", org_slug=self.organization.slug, pk=cert.pk)


class CertificationSupersedeView(CertificationDetailView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("compliance:certification-detail", org_slug=self.organization.slug, pk=kwargs["pk"])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cert = self.get_certification()
        policies.check(self.principal, "change", cert)
        form = SupersedeForm(request.POST, certification=cert)
        if save_form(
            form,
            lambda data: services.supersede_certification(
                actor=self.principal, certification=cert, superseded_by=data["superseded_by"]
            ),
        ):
            messages.success(request, f"{cert.title} is now marked as superseded.")
            return redirect("compliance:certification-detail", org_slug=self.organization.slug, pk=cert.pk)
        return self.render_page(cert, supersede_form=form, status=400)


class CertificationDocumentView(CertificationDetailView):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("compliance:certification-detail", org_slug=self.organization.slug, pk=kwargs["pk"])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cert = self.get_certification()
        policies.check(self.principal, "change", cert)
        form = DocumentUploadForm(request.POST, request.FILES)

        def attach(data: dict[str, Any]) -> None:
            upload = data["file"]
            services.attach_document(
                actor=self.principal,
                certification=cert,
                content=upload.read(),
                filename=upload.name or "document.pdf",
                title=data["title"],
            )

        if save_form(form, attach):
            messages.success(request, f"The document of {cert.title} was stored encrypted and attached.")
            return redirect("compliance:certification-detail", org_slug=self.organization.slug, pk=cert.pk)
        return self.render_page(cert, upload_form=form, status=400)


class CertificationDeleteView(CompliancePage):
    model = Certification
    permission_action = "delete"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cert = self.get_certification()
        policies.check(self.principal, "delete", cert)
        return self.page(
            "compliance/confirm_delete.html",
            {"page_title": "Delete certification", "object": cert, "kind": "certification"},
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cert = self.get_certification()
        services.delete_certification(actor=self.principal, certification=cert)
        messages.success(request, f"{cert.title} was deleted.")
        return redirect("compliance:certifications", org_slug=self.organization.slug)
