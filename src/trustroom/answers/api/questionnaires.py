"""API of questionnaires, under /api/v1/orgs/<org_slug>/:

- questionnaires/: list; POST (multipart: file, title, customer, due_on) reads the file in a sandbox,
  keeps it encrypted and answers every question from the bank (201 with the counts per status);
  retrieve; PATCH (title, customer, due_on); DELETE (owners and admins).
- questionnaires/<id>/reanswer/ (POST): answer again the questions nobody approved or wrote.
- questionnaires/<id>/export/?kind=original|csv (GET): the file with its answers, as an attachment.
- questionnaires/<id>/items/ (filter by status, sheet) and items/<id>/: the questions and answers;
  POST items/<id>/accept/, reject/, edit/ (answer, save_to_bank, new_key, public), use-entry/ (entry).
- questionnaires/answer/ (POST {"questions": [...]}): answer questions from the bank, storing nothing
  (the API counterpart of `trustroom questionnaire answer`).

The viewsets read input and call `trustroom.answers.questionnaires.services`; a refused input is a 400
naming the field, a refused role a 403, another organization's id a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.answers.api.questionnaire_serializers import (
    AnswerRequestSerializer,
    AnswerResponseSerializer,
    ExportQuery,
    ItemEditSerializer,
    ItemFilters,
    QuestionnaireItemSerializer,
    QuestionnaireSerializer,
    QuestionnaireUpdateSerializer,
    QuestionnaireUploadSerializer,
    UseEntrySerializer,
)
from trustroom.answers.models import AnswerEntry, ItemStatus, Questionnaire, QuestionnaireItem
from trustroom.answers.questionnaires import exporting, selectors, services
from trustroom.answers.questionnaires.answering import BankAnswerer
from trustroom.answers.questionnaires.exporting import CONTENT_TYPES
from trustroom.answers.views.questionnaire_page import attachment
from trustroom.assessments.api.common import query_filters
from trustroom.tenancy.api import OrgResourceViewSet


class QuestionnaireViewSetBase(OrgResourceViewSet):
    """POST actions on an existing questionnaire or item change it: the policy is asked for "change"."""

    change_actions: frozenset[str] = frozenset()
    view_actions: frozenset[str] = frozenset()

    def policy_action(self, request: Request) -> str:
        if self.action in self.change_actions:
            return "change"
        if self.action in self.view_actions:
            return "view"
        return super().policy_action(request)


EXPORT_RESPONSES = {
    (200, content_type.split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY, description=description)
    for content_type, description in (
        (CONTENT_TYPES["xlsx"], "kind=original of an XLSX questionnaire: the workbook with the answers."),
        (
            CONTENT_TYPES["csv"],
            "kind=csv, or original of a CSV: the rows plus answer, answer_key, confidence and status.",
        ),
        (CONTENT_TYPES["json"], "kind=original of a VSAQ questionnaire: the answers file."),
    )
}


@extend_schema_view(
    list=extend_schema(summary="List questionnaires, newest first (with counts per status)"),
    retrieve=extend_schema(summary="One questionnaire: details, where the questions were found, counts"),
    create=extend_schema(
        summary="Upload a questionnaire: its questions are answered from the bank",
        description="Multipart upload of a CSV, XLSX or Google VSAQ JSON file (`file`, at most 10 MB) "
        "with an optional `title`, `customer` and `due_on`. The file is read with CPU and memory limits "
        "and kept encrypted. A file that cannot be read is refused with 400 and the reason on `file`; "
        "nothing is stored.",
        request={"multipart/form-data": QuestionnaireUploadSerializer},
        responses={201: QuestionnaireSerializer},
    ),
    partial_update=extend_schema(
        summary="Change the title, customer or due date",
        request=QuestionnaireUpdateSerializer,
        responses=QuestionnaireSerializer,
    ),
    destroy=extend_schema(summary="Delete a questionnaire and its answers (owners and admins)"),
    reanswer=extend_schema(
        summary="Answer again from the bank the questions nobody approved or wrote",
        request=None,
        responses={
            200: OpenApiResponse(
                QuestionnaireSerializer,
                description="The questionnaire, with the number of changed items in the X-Items-Changed "
                "header.",
            )
        },
    ),
    export=extend_schema(
        summary="Download the questionnaire with its answers",
        description="`kind=original` writes the answers into the uploaded file's own format (XLSX, "
        "CSV, or a VSAQ answers JSON); `kind=csv` gives the rows as CSV with answer, answer_key, "
        "confidence and status columns. An attachment with a server-made name; audit-logged.",
        parameters=[OpenApiParameter("kind", str, enum=list(exporting.EXPORT_KINDS), default="original")],
        responses=EXPORT_RESPONSES,
    ),
    answer=extend_schema(
        summary="Answer questions from the bank without storing anything",
        description="For each question: the answer, the cited entry's key, the confidence and the "
        "status (generated, or needs_review with the reasons and, when abstaining, a suggestion). "
        "The API counterpart of `trustroom questionnaire answer`.",
        request=AnswerRequestSerializer,
        responses=AnswerResponseSerializer,
    ),
)
class QuestionnairesViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, QuestionnaireViewSetBase
):
    policy_model = Questionnaire
    serializer_class = QuestionnaireSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    change_actions = frozenset({"reanswer"})
    view_actions = frozenset({"answer"})  # writes nothing: every member (and a read token) may ask

    def scoped_queryset(self) -> QuerySet[Any]:
        return selectors.questionnaires_with_counts()

    def _fresh(self, questionnaire: Questionnaire, code: int = status.HTTP_200_OK) -> Response:
        questionnaire = self.scoped_queryset().get(pk=questionnaire.pk)
        return Response(QuestionnaireSerializer(questionnaire).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = QuestionnaireUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload = data["file"]
        if upload.size > services.MAX_UPLOAD_BYTES:  # refused before it is read into memory
            raise serializers.ValidationError(
                {
                    "file": [
                        f"The file is {upload.size / 1024 / 1024:.1f} MB; at most "
                        f"{services.MAX_UPLOAD_BYTES // 1024 // 1024} MB is allowed."
                    ]
                }
            )
        questionnaire = services.import_questionnaire(
            actor=self.principal,
            content=upload.read(),
            filename=upload.name or "",
            title=data["title"],
            customer=data["customer"],
            due_on=data["due_on"],
        )
        return self._fresh(questionnaire, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        questionnaire = self.get_object()
        body = QuestionnaireUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.update_questionnaire(
            actor=self.principal, questionnaire=questionnaire, **body.validated_data
        )
        return self._fresh(questionnaire)

    def perform_destroy(self, instance: Questionnaire) -> None:
        services.delete_questionnaire(actor=self.principal, questionnaire=instance)

    @action(detail=True, methods=["post"])
    def reanswer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        questionnaire = self.get_object()
        changed = services.reanswer_questionnaire(actor=self.principal, questionnaire=questionnaire)
        response = self._fresh(questionnaire)
        response["X-Items-Changed"] = str(changed)
        return response

    @action(detail=True, methods=["get"])
    def export(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.get_object()
        kind = query_filters(request, ExportQuery).get("kind", "original")
        exported = exporting.export_questionnaire(
            actor=self.principal, questionnaire=questionnaire, kind=kind
        )
        return attachment(exported)

    @action(detail=False, methods=["post"])
    def answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = AnswerRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        questions = body.validated_data["questions"]
        proposals = BankAnswerer.for_current_organization().propose_all(questions)
        results = [
            {
                "question": question,
                "answer": proposed.answer,
                "answer_key": proposed.key,
                "confidence": round(proposed.confidence, 4),
                "status": proposed.status,
                "suggestion": proposed.suggestion.key if proposed.suggestion is not None else None,
                "reasons": proposed.reasons,
            }
            for question, proposed in zip(questions, proposals, strict=True)
        ]
        return Response(AnswerResponseSerializer({"results": results}).data)


QUESTIONNAIRE_PK = OpenApiParameter(
    "questionnaire_pk", int, OpenApiParameter.PATH, description="The questionnaire's id."
)
ITEM_RESPONSES = {200: QuestionnaireItemSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="A questionnaire's questions and answers, in file order",
        parameters=[
            QUESTIONNAIRE_PK,
            OpenApiParameter("status", str, enum=ItemStatus.values, description="Only this status."),
            OpenApiParameter("sheet", str, description="Only this sheet's (XLSX)."),
        ],
    ),
    retrieve=extend_schema(summary="One question and its answer", parameters=[QUESTIONNAIRE_PK]),
    accept=extend_schema(
        summary="Accept the answer as it stands (approved)",
        parameters=[QUESTIONNAIRE_PK],
        request=None,
        responses=ITEM_RESPONSES,
    ),
    reject=extend_schema(
        summary="Reject the answer: cleared, and its entry not proposed again for this question",
        parameters=[QUESTIONNAIRE_PK],
        request=None,
        responses=ITEM_RESPONSES,
    ),
    edit=extend_schema(
        summary="Write the answer (manual); optionally save it back to the bank",
        description='`save_to_bank`: "" (no), "update" (replace the cited entry\'s answer; this question '
        'becomes one of its phrasings) or "new" (a new entry `new_key`, public if `public`). All or '
        "nothing.",
        parameters=[QUESTIONNAIRE_PK],
        request=ItemEditSerializer,
        responses=ITEM_RESPONSES,
    ),
    use_entry=extend_schema(
        summary="Answer with a bank entry (e.g. the suggestion): approved",
        parameters=[QUESTIONNAIRE_PK],
        request=UseEntrySerializer,
        responses=ITEM_RESPONSES,
    ),
)
class QuestionnaireItemsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, QuestionnaireViewSetBase):
    policy_model = QuestionnaireItem
    serializer_class = QuestionnaireItemSerializer
    change_actions = frozenset({"accept", "reject", "edit", "use_entry"})

    def questionnaire(self) -> Questionnaire:
        found = Questionnaire.objects.filter(pk=self.kwargs["questionnaire_pk"]).first()
        if found is None:
            raise Http404("No such questionnaire.")
        return found

    def scoped_queryset(self) -> QuerySet[Any]:
        questionnaire = self.questionnaire()
        if self.action != "list":
            return selectors.items_of(questionnaire)
        filters = query_filters(self.request, ItemFilters)
        return selectors.items_of(questionnaire, status=filters.get("status", ""), sheet=filters.get("sheet"))

    def _render(self, items: list[QuestionnaireItem], **kwargs: Any) -> Any:
        rows = selectors.review_rows(items)
        freshness = {row.item.entry_id: row.freshness for row in rows if row.freshness is not None}
        context = self.get_serializer_context() | {"freshness": freshness}
        return QuestionnaireItemSerializer(items, context=context, **kwargs).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._render(list(page or []), many=True))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._render([self.get_object()], many=True)[0])

    def _fresh(self, item: QuestionnaireItem) -> Response:
        item = self.scoped_queryset().get(pk=item.pk)
        return Response(self._render([item], many=True)[0])

    @action(detail=True, methods=["post"])
    def accept(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        return self._fresh(services.accept_item(actor=self.principal, item=item))

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        return self._fresh(services.reject_item(actor=self.principal, item=item))

    @action(detail=True, methods=["post"])
    def edit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        body = ItemEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.edit_item(actor=self.principal, item=item, **body.validated_data)
        return self._fresh(result.item)

    @action(detail=True, methods=["post"], url_path="use-entry")
    def use_entry(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        body = UseEntrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = AnswerEntry.objects.filter(pk=body.validated_data["entry"]).first()  # this org's only
        if entry is None:
            raise serializers.ValidationError({"entry": ["No such entry in the organization's bank."]})
        return self._fresh(services.use_entry(actor=self.principal, item=item, entry=entry))


def register(router: SimpleRouter) -> None:
    router.register(r"questionnaires", QuestionnairesViewSet, basename="questionnaire")
    router.register(
        r"questionnaires/(?P<questionnaire_pk>[0-9]+)/items",
        QuestionnaireItemsViewSet,
        basename="questionnaire-item",
    )
