"""Vault pages: list, upload, detail, download, delete. Views validate input and call the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for
from trustroom.vault import selectors, services
from trustroom.vault.forms import DocumentUploadForm
from trustroom.vault.http import pdf_attachment
from trustroom.vault.models import Document


class DocumentListView(OrgPageView):
    model = Document

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policy = policies.policy_for(Document)
        context = {
            "organization": self.organization,
            "documents": list(selectors.documents()),
            "can_upload": policy.allows(self.principal, "add"),
            "can_delete": policy.allows(self.principal, "delete"),
            "page_title": "Documents",
        }
        return render(request, "vault/documents.html", context)


class DocumentUploadView(OrgPageView):
    model = Document
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(DocumentUploadForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                document = services.store_document(
                    actor=self.principal,
                    title=form.cleaned_data["title"],
                    content=upload.read(),
                    filename=upload.name or "",
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{document.title}” was uploaded and stored encrypted.")
                return redirect("vault:detail", org_slug=self.organization.slug, pk=document.pk)
        return self.render_page(form, status=status_for(form))

    def render_page(self, form: DocumentUploadForm, *, status: int = 200) -> HttpResponse:
        context = {"organization": self.organization, "form": form, "page_title": "Upload a document"}
        return render(self.request, "vault/upload.html", context, status=status)


class DocumentView(OrgPageView):
    model = Document

    def get_document(self) -> Document:
        document = selectors.documents().filter(pk=self.kwargs["pk"]).first()
        if document is None:
            raise Http404("No such document.")
        policies.check(self.principal, self.permission_action, document)
        return document


class DocumentDetailView(DocumentView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = self.get_document()
        context = {
            "organization": self.organization,
            "document": document,
            "can_delete": policies.policy_for(Document).allows(self.principal, "delete", document),
            "page_title": document.title,
        }
        return render(request, "vault/detail.html", context)


class DocumentDownloadView(DocumentView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = self.get_document()
        content = selectors.document_bytes(document)
        services.record_download(actor=self.principal, document=document)
        return pdf_attachment(content, filename=document.download_filename)


class DocumentDeleteView(DocumentView):
    """GET asks for confirmation (works without JavaScript); POST deletes."""

    permission_action = "delete"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = self.get_document()
        context = {"organization": self.organization, "document": document, "page_title": "Delete document"}
        return render(request, "vault/delete.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = self.get_document()
        try:
            services.delete_document(actor=self.principal, document=document)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("vault:detail", org_slug=self.organization.slug, pk=document.pk)
        messages.success(request, f"“{document.title}” was deleted.")
        return redirect("vault:documents", org_slug=self.organization.slug)
