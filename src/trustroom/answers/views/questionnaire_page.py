"""The base of the questionnaire pages: scoped by the organization mixin, with lookups, policy checks,
links to the bank and the attachment response of exports."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from trustroom.answers.models import Questionnaire, QuestionnaireItem
from trustroom.answers.questionnaires.exporting import ExportedFile
from trustroom.answers.questionnaires.selectors import ReviewRow
from trustroom.tenancy.views import OrgPageView


def entry_url(org_slug: str, entry_id: int | None, key: str) -> str:
    """The bank page of a cited entry: its own page if the bank has one, else the bank list searched by
    its key ("" when the bank has no page at all)."""
    if entry_id is not None:
        try:
            return reverse("answers:entry-detail", kwargs={"org_slug": org_slug, "pk": entry_id})
        except NoReverseMatch:
            pass
    try:
        return reverse("answers:bank", kwargs={"org_slug": org_slug}) + "?" + urlencode({"q": key})
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class ItemView:
    """What one row of the review table shows."""

    row: ReviewRow
    entry_url: str
    suggestion_url: str

    @property
    def item(self) -> QuestionnaireItem:
        return self.row.item


def attachment(exported: ExportedFile) -> HttpResponse:
    """An export as a download: server-made name, attachment, no sniffing, not cached."""
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exported.filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(exported.content))
    return response


class QuestionnairePage(OrgPageView):
    model: type[Questionnaire] | type[QuestionnaireItem] = Questionnaire

    def get_questionnaire(self) -> Questionnaire:
        """One of the organization's questionnaires by the URL's pk; another organization's is missing."""
        questionnaire = Questionnaire.objects.filter(pk=self.kwargs["pk"]).first()
        if questionnaire is None:
            raise Http404("No such questionnaire.")
        return questionnaire

    def get_item(self, questionnaire: Questionnaire) -> QuestionnaireItem:
        item = (
            QuestionnaireItem.objects.filter(pk=self.kwargs["item_pk"], questionnaire=questionnaire)
            .select_related("entry", "suggestion", "reviewed_by")
            .first()
        )
        if item is None:
            raise Http404("No such question.")
        return item

    def detail_url(self, questionnaire: Questionnaire) -> str:
        return reverse(
            "answers:questionnaire-detail",
            kwargs={"org_slug": self.organization.slug, "pk": questionnaire.pk},
        )

    def back_url(self, questionnaire: Questionnaire, anchor: str = "") -> str:
        """Where a plain (no JavaScript) POST returns: the review page the reviewer came from (`next`,
        with its filters and page) if it is this questionnaire's, else the review page."""
        detail = self.detail_url(questionnaire)
        given = self.request.POST.get("next") or self.request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(given, allowed_hosts=None) and given.startswith(detail)
        url = given.split("#", 1)[0] if safe else detail
        return f"{url}#{anchor}" if anchor else url

    def item_view(self, row: ReviewRow) -> ItemView:
        slug = self.organization.slug
        item = row.item
        suggestion = item.suggestion
        return ItemView(
            row=row,
            entry_url=entry_url(slug, item.entry_id, item.entry_key) if item.entry_key else "",
            suggestion_url=entry_url(slug, suggestion.pk, suggestion.key) if suggestion is not None else "",
        )
