"""Pages of questionnaires: the list, the upload, details, delete, answering again and the exports.

The review page and the per-question actions are in `questionnaire_review`. Views read input and call
`trustroom.answers.questionnaires.services` (and `exporting`); they never write models themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django_htmx.http import HttpResponseClientRedirect

from trustroom.answers.models import ItemStatus, Questionnaire
from trustroom.answers.questionnaires import exporting, selectors, services
from trustroom.answers.questionnaires.forms import (
    ACCEPTED_TYPES_LABEL,
    QuestionnaireDetailsForm,
    QuestionnaireUploadForm,
)
from trustroom.answers.views import questionnaire_review
from trustroom.answers.views.questionnaire_page import QuestionnairePage, attachment
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for

LIST_CAP = 200


class QuestionnaireListView(QuestionnairePage):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = list(selectors.questionnaires_with_counts()[: LIST_CAP + 1])
        rows = []
        for questionnaire in found[:LIST_CAP]:
            progress = selectors.progress_of(questionnaire)
            rows.append(
                {
                    "questionnaire": questionnaire,
                    "progress": progress,
                    "overdue": selectors.is_overdue(questionnaire, progress),
                }
            )
        context = {
            "page_title": "Questionnaires",
            "rows": rows,
            "capped": len(found) > LIST_CAP,
            "cap": LIST_CAP,
            "accepted_types": ACCEPTED_TYPES_LABEL,
            "can_add": self.allows("add", Questionnaire),
        }
        return self.page("answers/questionnaire_list.html", context)


class QuestionnaireCreateView(QuestionnairePage):
    """The upload. Reading (in a sandbox) and answering take about a second for 300 questions, so it is
    done in the request; the button shows that it is working meanwhile."""

    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(QuestionnaireUploadForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = QuestionnaireUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                questionnaire = services.import_questionnaire(
                    actor=self.principal,
                    content=upload.read(),
                    filename=upload.name or "",
                    title=data["title"],
                    customer=data["customer"],
                    due_on=data["due_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                progress = selectors.progress_of(questionnaire)
                answered = progress.counts[ItemStatus.GENERATED]
                messages.success(
                    request,
                    f"Read {progress.total} question{'s' if progress.total != 1 else ''} from "
                    f"{questionnaire.filename}: {answered} answered from the bank, "
                    f"{progress.counts[ItemStatus.NEEDS_REVIEW]} to review.",
                )
                url = reverse(
                    "answers:questionnaire-detail",
                    kwargs={"org_slug": self.organization.slug, "pk": questionnaire.pk},
                )
                return HttpResponseClientRedirect(url) if self.is_htmx else redirect(url)
        return self.render_form(form)

    def render_form(self, form: QuestionnaireUploadForm) -> HttpResponse:
        context = {
            "page_title": "Upload a questionnaire",
            "form": form,
            "accepted_types": ACCEPTED_TYPES_LABEL,
        }
        if self.is_htmx:  # htmx swaps only 2xx answers: the form with its errors comes with a 200
            return self.page("answers/questionnaire_upload_form.html", context)
        return self.page("answers/questionnaire_upload.html", context, status=status_for(form))


class QuestionnaireEditView(QuestionnairePage):
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        form = QuestionnaireDetailsForm(initial=QuestionnaireDetailsForm.initial_for(questionnaire))
        return self.render_form(questionnaire, form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        form = QuestionnaireDetailsForm(request.POST)
        if form.is_valid():
            try:
                services.update_questionnaire(
                    actor=self.principal, questionnaire=questionnaire, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The questionnaire's details are saved.")
                return redirect(self.detail_url(questionnaire))
        return self.render_form(questionnaire, form)

    def render_form(self, questionnaire: Questionnaire, form: QuestionnaireDetailsForm) -> HttpResponse:
        context = {"page_title": f"Edit: {questionnaire.title}", "questionnaire": questionnaire, "form": form}
        return self.page("answers/questionnaire_edit.html", context, status=status_for(form))


class QuestionnaireDeleteView(QuestionnairePage):
    """GET asks for confirmation (works without JavaScript); POST deletes."""

    permission_action = "delete"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        policies.check(self.principal, "delete", questionnaire)
        context = {
            "page_title": f"Delete {questionnaire.title}?",
            "questionnaire": questionnaire,
            "progress": selectors.progress_of(questionnaire),
        }
        return self.page("answers/questionnaire_delete.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        title = questionnaire.title
        services.delete_questionnaire(actor=self.principal, questionnaire=questionnaire)
        messages.success(request, f"The questionnaire “{title}” and its answers were deleted.")
        return redirect("answers:questionnaire-list", org_slug=self.organization.slug)


class QuestionnaireReanswerView(QuestionnairePage):
    """POST: answer again, from the bank as it is now, every question nobody approved or wrote."""

    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        changed = services.reanswer_questionnaire(actor=self.principal, questionnaire=questionnaire)
        if changed:
            notice = f"Answered again from the bank: {changed} answer{'s' if changed != 1 else ''} changed."
        else:
            notice = "Answered again from the bank: no answer changed."
        messages.success(request, notice + " Approved and written answers were left alone.")
        return redirect(self.back_url(questionnaire))


class QuestionnaireExportView(QuestionnairePage):
    """GET ?kind=original|csv: the questionnaire with its answers, as a download (audit-logged)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        try:
            exported = exporting.export_questionnaire(
                actor=self.principal, questionnaire=questionnaire, kind=request.GET.get("kind", "original")
            )
        except ValidationError as error:
            messages.error(request, "Not exported: " + " ".join(error.messages))
            return redirect(self.detail_url(questionnaire))
        return attachment(exported)


urlpatterns: list[URLPattern] = [
    path("questionnaires/", QuestionnaireListView.as_view(), name="questionnaire-list"),
    path("questionnaires/new/", QuestionnaireCreateView.as_view(), name="questionnaire-create"),
    path("questionnaires/<int:pk>/edit/", QuestionnaireEditView.as_view(), name="questionnaire-edit"),
    path("questionnaires/<int:pk>/delete/", QuestionnaireDeleteView.as_view(), name="questionnaire-delete"),
    path(
        "questionnaires/<int:pk>/reanswer/",
        QuestionnaireReanswerView.as_view(),
        name="questionnaire-reanswer",
    ),
    path("questionnaires/<int:pk>/export/", QuestionnaireExportView.as_view(), name="questionnaire-export"),
    *questionnaire_review.urlpatterns,
]
