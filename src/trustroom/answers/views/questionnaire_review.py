"""The review page of a questionnaire and its per-question actions: accept, reject, edit (optionally saving
the answer back to the bank) and use the suggested bank answer.

Each action is a plain form POST that redirects back to the review page (no JavaScript needed); with
htmx, it answers with that question's row alone (and the progress summary, out of band), so the page is
not reloaded. A refused action says why in the row (htmx) or in a message; a refused edit keeps what was
typed. Viewers see no actions, and the services refuse their POSTs (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone

from trustroom.answers.models import ItemStatus, Questionnaire, QuestionnaireItem
from trustroom.answers.questionnaires import selectors, services
from trustroom.answers.questionnaires.forms import ItemEditForm, ItemFilterForm, UseEntryForm
from trustroom.answers.views.questionnaire_page import QuestionnairePage
from trustroom.tenancy import policies

ITEMS_PER_PAGE = 50
EXPORT_LABELS = {"csv": "CSV", "xlsx": "XLSX", "vsaq": "VSAQ answers (JSON)"}


class QuestionnaireDetailView(QuestionnairePage):
    """The summary (progress, counts, where the questions were found) and one page of questions."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        sheets = selectors.sheets_of(questionnaire)
        data = request.GET.copy()
        data.pop("page", None)
        form = ItemFilterForm(data or None, sheets=sheets)
        status, sheet = "", None
        if form.is_bound and form.is_valid():
            status = form.cleaned_data["status"]
            sheet = form.cleaned_data.get("sheet") or None
        found = selectors.items_of(questionnaire, status=status, sheet=sheet)
        page = Paginator(found, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
        rows = selectors.review_rows(page.object_list, now=timezone.now())
        progress = selectors.progress_of(questionnaire)
        can_change = self.allows("change", questionnaire)
        context = {
            "page_title": questionnaire.title,
            "questionnaire": questionnaire,
            "progress": progress,
            "overdue": selectors.is_overdue(questionnaire, progress),
            "layouts": selectors.layout_summary(questionnaire),
            "form": form,
            "filtered": bool(status or sheet),
            "page": page,
            "items": [self.item_view(row) for row in rows],
            "can_change": can_change,
            "can_delete": self.allows("delete", questionnaire),
            "original_label": EXPORT_LABELS.get(questionnaire.format, questionnaire.format.upper()),
            "next": request.get_full_path(),
        }
        refused = form.is_bound and bool(form.errors)
        return self.page("answers/questionnaire_detail.html", context, status=400 if refused else 200)


class ItemPage(QuestionnairePage):
    """One question of a questionnaire: its row (htmx) or, without JavaScript, back to the review page."""

    model = QuestionnaireItem

    def row(
        self,
        questionnaire: Questionnaire,
        item: QuestionnaireItem,
        *,
        edit_form: ItemEditForm | None = None,
        notice: str = "",
        error: str = "",
        oob_progress: bool = False,
    ) -> HttpResponse:
        rows = selectors.review_rows([item], now=timezone.now())
        context = {
            "questionnaire": questionnaire,
            "view": self.item_view(rows[0]),
            "can_change": self.allows("change", item),
            "edit_form": edit_form,
            "notice": notice,
            "error": error,
            "next": self.back_url(questionnaire),
            "oob_progress": oob_progress,
        }
        if oob_progress:
            progress = selectors.progress_of(questionnaire)
            context |= {"progress": progress, "overdue": selectors.is_overdue(questionnaire, progress)}
        return self.page("answers/questionnaire_item_row.html", context)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        item = self.get_item(questionnaire)
        if self.is_htmx:
            return self.row(questionnaire, item)
        return redirect(self.back_url(questionnaire, anchor=f"item-{item.pk}"))


class ItemActionView(ItemPage):
    """POST one review action on one question (GET: back to the review page, like the question's URL)."""

    def perform(self, item: QuestionnaireItem) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        item = self.get_item(questionnaire)
        policies.check(self.principal, "change", item)
        try:
            notice = self.perform(item)
        except ValidationError as error:
            text = "Not done: " + " ".join(error.messages)
            if self.is_htmx:
                return self.row(questionnaire, item, error=text)
            messages.error(request, text)
        else:
            if self.is_htmx:
                return self.row(questionnaire, self.get_item(questionnaire), notice=notice, oob_progress=True)
            messages.success(request, f"Question {item.position + 1}: {notice}")
        return redirect(self.back_url(questionnaire, anchor=f"item-{item.pk}"))


class ItemAcceptView(ItemActionView):
    def perform(self, item: QuestionnaireItem) -> str:
        item = services.accept_item(actor=self.principal, item=item)
        return "Answer accepted." if item.status == ItemStatus.APPROVED else "Written answer kept."


class ItemRejectView(ItemActionView):
    def perform(self, item: QuestionnaireItem) -> str:
        key = item.entry_key
        services.reject_item(actor=self.principal, item=item)
        if key:
            return f"Answer rejected: “{key}” will not be proposed again for this question."
        return "Answer cleared."


class ItemUseEntryView(ItemActionView):
    """Answer with a bank entry of the organization (the suggestion the matcher offered)."""

    def perform(self, item: QuestionnaireItem) -> str:
        form = UseEntryForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Choose an answer of the organization's bank.")
        item = services.use_entry(actor=self.principal, item=item, entry=form.cleaned_data["entry"])
        return f"Answered with “{item.entry_key}” from the bank and approved."


class ItemEditView(ItemPage):
    """GET: the edit form (a page of its own, or with htmx the row in edit mode); POST: save it."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        item = self.get_item(questionnaire)
        policies.check(self.principal, "change", item)
        answer = item.answer or (item.existing_answer or "")
        form = ItemEditForm(initial={"answer": answer, "save_to_bank": ""}, can_update=item.entry is not None)
        return self.render_form(questionnaire, item, form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_questionnaire()
        item = self.get_item(questionnaire)
        policies.check(self.principal, "change", item)
        form = ItemEditForm(request.POST, can_update=item.entry is not None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.edit_item(
                    actor=self.principal,
                    item=item,
                    answer=data["answer"],
                    save_to_bank=data["save_to_bank"],
                    new_key=data["new_key"],
                    public=data["public"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                notice = "Answer saved."
                if result.entry is not None and data["save_to_bank"] == "new":
                    notice = f"Answer saved, and saved to the bank as “{result.entry.key}”."
                elif result.entry is not None:
                    notice = f"Answer saved, and the bank answer “{result.entry.key}” updated."
                if self.is_htmx:
                    fresh = self.get_item(questionnaire)
                    return self.row(questionnaire, fresh, notice=notice, oob_progress=True)
                messages.success(request, f"Question {item.position + 1}: {notice}")
                return redirect(self.back_url(questionnaire, anchor=f"item-{item.pk}"))
        return self.render_form(questionnaire, item, form)  # the services changed nothing

    def render_form(
        self, questionnaire: Questionnaire, item: QuestionnaireItem, form: ItemEditForm
    ) -> HttpResponse:
        form.auto_id = f"id_item{item.pk}_%s"  # several rows can be in edit mode on one page
        if self.is_htmx:  # htmx swaps only 2xx answers: the row with its errors comes with a 200
            return self.row(questionnaire, item, edit_form=form)
        rows = selectors.review_rows([item], now=timezone.now())
        context = {
            "page_title": f"Edit the answer to question {item.position + 1}",
            "questionnaire": questionnaire,
            "view": self.item_view(rows[0]),
            "edit_form": form,
            "next": self.back_url(questionnaire),
        }
        status = 400 if form.is_bound and form.errors else 200
        return self.page("answers/questionnaire_item_edit.html", context, status=status)


ITEM = "questionnaires/<int:pk>/items/<int:item_pk>/"

urlpatterns: list[URLPattern] = [
    path("questionnaires/<int:pk>/", QuestionnaireDetailView.as_view(), name="questionnaire-detail"),
    path(ITEM, ItemPage.as_view(), name="questionnaire-item"),
    path(f"{ITEM}accept/", ItemAcceptView.as_view(), name="questionnaire-item-accept"),
    path(f"{ITEM}reject/", ItemRejectView.as_view(), name="questionnaire-item-reject"),
    path(f"{ITEM}edit/", ItemEditView.as_view(), name="questionnaire-item-edit"),
    path(f"{ITEM}use-entry/", ItemUseEntryView.as_view(), name="questionnaire-item-use-entry"),
]
