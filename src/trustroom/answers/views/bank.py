"""Pages of the answer bank under /o/<org_slug>/answers/: the list (search and filters, freshness), an
entry (its evidence and history), create, edit, delete, link and unlink evidence, and the duplicates and
conflicts report. Views validate input and call `trustroom.answers.services`; the services check the
policies again, so a hidden button is never the only guard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from trustroom.answers import selectors, services
from trustroom.answers.bank_list import BankFilters, bank_listing, filter_rows
from trustroom.answers.forms import (
    EVIDENCE_KIND_LABELS,
    BankFilterForm,
    EntryForm,
    EvidenceForm,
    EvidenceKindForm,
)
from trustroom.answers.models import EVIDENCE_FIELDS, AnswerEntry, AnswerEvidence
from trustroom.answers.state import EVIDENCE_RELATED, entry_freshness, evidence_stale_reasons
from trustroom.audit import selectors as audit_selectors
from trustroom.audit.models import AuditEvent
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for


class BankPage(OrgPageView):
    def get_entry(self) -> AnswerEntry:
        """The organization's entry of the URL; another organization's is as missing as a wrong id."""
        entry = AnswerEntry.objects.select_related("owner").filter(pk=self.kwargs["pk"]).first()
        if entry is None:
            raise Http404("No such answer.")
        return entry

    def to_entry(self, entry: AnswerEntry) -> HttpResponse:
        return redirect("answers:entry-detail", org_slug=self.organization.slug, pk=entry.pk)


# --- The bank ----------------------------------------------------------------------------------------------


class BankListView(BankPage):
    model = AnswerEntry

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        listing = bank_listing()
        form = BankFilterForm(request.GET or None, organization=self.organization, tags=listing.tags)
        filters = BankFilters()
        if form.is_bound and form.is_valid():
            filters = BankFilters.from_cleaned_data(form.cleaned_data)
        context = {
            "page_title": "Answer bank",
            "form": form,
            "listing": listing,
            "rows": filter_rows(listing.rows, filters),
            "filtered": filters.active,
            "can_add": self.allows("add", AnswerEntry),
        }
        template = "answers/bank_rows.html" if self.is_htmx else "answers/bank_list.html"
        return self.page(template, context)  # a bad filter is shown on the form, and narrows nothing


# --- One entry ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRow:
    evidence: AnswerEvidence
    kind_label: str
    label: str
    url: str
    state: str
    reasons: list[str]


def _record_url(slug: str, kind: str, record_id: int) -> str:
    if kind == "statement":
        return reverse("compliance:statement-detail", kwargs={"org_slug": slug, "pk": record_id})
    if kind == "certification":
        return reverse("compliance:certification-detail", kwargs={"org_slug": slug, "pk": record_id})
    if kind == "application":
        return reverse("assessments:application-detail", kwargs={"org_slug": slug, "pk": record_id})
    return reverse("assessments:sla-policy", kwargs={"org_slug": slug})


def _record_state(kind: str, record: Any, now: dt.datetime) -> str:
    """The record's own state in a few words (its stale reasons, if any, are listed beside it)."""
    from trustroom.assessments.state import safe_to_host
    from trustroom.compliance.state import certification_state

    if kind == "certification":
        return str(certification_state(record, now).label)
    if kind == "statement":
        reviewed = f"{record.last_reviewed_at:%Y-%m-%d}" if record.last_reviewed_at else "never"
        return f"{record.get_status_display()}, last reviewed {reviewed}"
    if kind == "application":
        return "Safe to host" if safe_to_host(record, now=now)[0] else "Not safe to host"
    if record.effective_from > now:
        return f"In force from {record.effective_from:%Y-%m-%d}"
    return f"Version {record.version}, in force since {record.effective_from:%Y-%m-%d}"


class EntryDetailView(BankPage):
    model = AnswerEntry

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        now = timezone.now()
        rows = []
        for item in AnswerEvidence.objects.filter(entry=entry).select_related(*EVIDENCE_RELATED):
            rows.append(
                EvidenceRow(
                    evidence=item,
                    kind_label=EVIDENCE_KIND_LABELS[item.kind],
                    label=str(item.record),
                    url=_record_url(self.organization.slug, item.kind, item.record.pk),
                    state=_record_state(item.kind, item.record, now),
                    reasons=evidence_stale_reasons(item, now=now),
                )
            )
        history = None
        if self.allows("view", AuditEvent):
            history = list(
                audit_selectors.events(audit_selectors.EventFilters(target_type="answers.answerentry"))
                .filter(target_id=str(entry.pk))
                .order_by("seq")
            )
        context = {
            "page_title": entry.question,
            "entry": entry,
            "freshness": entry_freshness(entry, now),
            "evidence_rows": rows,
            "history": history,
            "can_change": self.allows("change", entry),
            "can_delete": self.allows("delete", entry),
            "can_add_evidence": self.allows("change", entry) and self.allows("add", AnswerEvidence),
            "can_remove_evidence": self.allows("delete", AnswerEvidence),
        }
        return self.page("answers/entry_detail.html", context)


class EntryCreateView(BankPage):
    model = AnswerEntry
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(EntryForm(organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = EntryForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                entry = services.create_entry(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The answer “{entry.key}” was saved.")
                return self.to_entry(entry)
        return self.render_form(form)

    def render_form(self, form: EntryForm) -> HttpResponse:
        context = {"page_title": "New answer", "form": form, "entry": None}
        return self.page("answers/entry_form.html", context, status=status_for(form))


class EntryEditView(BankPage):
    model = AnswerEntry
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        policies.check(self.principal, "change", entry)
        form = EntryForm(initial=EntryForm.initial_for(entry), organization=self.organization)
        return self.render_form(form, entry)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        form = EntryForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                services.update_entry(actor=self.principal, entry=entry, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The answer “{form.cleaned_data['key']}” was saved.")
                return self.to_entry(entry)
        return self.render_form(form, entry)

    def render_form(self, form: EntryForm, entry: AnswerEntry) -> HttpResponse:
        context = {"page_title": f"Edit {entry.key}", "form": form, "entry": entry}
        return self.page("answers/entry_form.html", context, status=status_for(form))


class EntryDeleteView(BankPage):
    """GET asks for confirmation; POST deletes the entry and its evidence links (the audit log keeps it)."""

    model = AnswerEntry
    permission_action = "delete"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        policies.check(self.principal, "delete", entry)
        context = {"page_title": f"Delete {entry.key}", "entry": entry}
        return self.page("answers/entry_confirm_delete.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        services.delete_entry(actor=self.principal, entry=entry)
        messages.success(request, f"The answer “{entry.key}” was deleted.")
        return redirect("answers:bank", org_slug=self.organization.slug)


# --- Evidence ----------------------------------------------------------------------------------------------


class EvidenceAddView(BankPage):
    """Link a record that backs the answer: choose its kind (GET ?kind=…), then the record (POST)."""

    model = AnswerEvidence
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        policies.check(self.principal, "change", entry)
        kind = request.GET.get("kind") or EVIDENCE_FIELDS[1]
        if kind not in EVIDENCE_FIELDS:
            kind = EVIDENCE_FIELDS[1]
        return self.render_form(entry, self.make_form(entry, kind))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entry = self.get_entry()
        kind = request.POST.get("kind", "")
        if kind not in EVIDENCE_FIELDS:
            form = self.make_form(entry, EVIDENCE_FIELDS[1], data=request.POST)
            form.is_valid()
            form.add_error(None, f"Choose the kind of record: one of {', '.join(EVIDENCE_FIELDS)}.")
            return self.render_form(entry, form)
        form = self.make_form(entry, kind, data=request.POST)
        if form.is_valid():
            record = form.record_object()
            try:
                services.add_evidence(actor=self.principal, entry=entry, **{kind: record})
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{record}” now backs this answer.")
                return self.to_entry(entry)
        return self.render_form(entry, form)

    def make_form(self, entry: AnswerEntry, kind: str, data: Any = None) -> EvidenceForm:
        linked = set(
            AnswerEvidence.objects.filter(entry=entry, **{f"{kind}__isnull": False}).values_list(
                f"{kind}_id", flat=True
            )
        )
        return EvidenceForm(data, kind=kind, linked=linked, initial={"kind": kind})

    def render_form(self, entry: AnswerEntry, form: EvidenceForm) -> HttpResponse:
        context = {
            "page_title": f"Add evidence to {entry.key}",
            "entry": entry,
            "form": form,
            "kind_form": EvidenceKindForm(initial={"kind": form.record_kind}),
            "kind_label": EVIDENCE_KIND_LABELS[form.record_kind],
        }
        template = "answers/entry_evidence_form.html"
        if self.is_htmx:
            template = "answers/entry_evidence_fields.html"
        return self.page(template, context, status=status_for(form))


class EvidenceRemoveView(BankPage):
    """GET asks for confirmation; POST unlinks the record (the record itself is untouched)."""

    model = AnswerEvidence
    permission_action = "delete"

    def get_evidence(self) -> AnswerEvidence:
        evidence = (
            AnswerEvidence.objects.select_related("entry", *EVIDENCE_RELATED)
            .filter(pk=self.kwargs["evidence_pk"], entry_id=self.kwargs["pk"])
            .first()
        )
        if evidence is None:
            raise Http404("No such evidence.")
        return evidence

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        evidence = self.get_evidence()
        policies.check(self.principal, "delete", evidence)
        context = {
            "page_title": "Remove evidence",
            "entry": evidence.entry,
            "evidence": evidence,
            "kind_label": EVIDENCE_KIND_LABELS[evidence.kind],
        }
        return self.page("answers/entry_evidence_remove.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        evidence = self.get_evidence()
        label = str(evidence.record)
        services.remove_evidence(actor=self.principal, evidence=evidence)
        messages.success(request, f"“{label}” no longer backs this answer.")
        return self.to_entry(evidence.entry)


# --- Duplicates and conflicts ------------------------------------------------------------------------------


class DuplicatesView(BankPage):
    model = AnswerEntry

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = selectors.duplicate_and_conflicting_entries()
        context = {"page_title": "Duplicates and conflicts", "report": report}
        return self.page("answers/bank_duplicates.html", context)


urlpatterns: list[URLPattern] = [
    path("", BankListView.as_view(), name="bank"),
    path("duplicates/", DuplicatesView.as_view(), name="duplicates"),
    path("entries/new/", EntryCreateView.as_view(), name="entry-create"),
    path("entries/<int:pk>/", EntryDetailView.as_view(), name="entry-detail"),
    path("entries/<int:pk>/edit/", EntryEditView.as_view(), name="entry-edit"),
    path("entries/<int:pk>/delete/", EntryDeleteView.as_view(), name="entry-delete"),
    path("entries/<int:pk>/evidence/", EvidenceAddView.as_view(), name="evidence-add"),
    path(
        "entries/<int:pk>/evidence/<int:evidence_pk>/remove/",
        EvidenceRemoveView.as_view(),
        name="evidence-remove",
    ),
]
