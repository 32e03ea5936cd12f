"""API of the answer bank, under /api/v1/orgs/<org_slug>/:

answer-entries/ (CRUD; `freshness` — state and reasons — computed when read, read-only; the records
backing each entry under `evidence`), answer-entries/<id>/evidence/ (GET lists, POST links a record:
`{"kind": "certification", "record": 12}`), answer-entries/<id>/evidence/<evidence id>/ (DELETE
unlinks it) and answer-entries/duplicates/ (near-identical entries: duplicates and conflicts).

The viewset validates shapes and ids and calls `trustroom.answers.services`, which validate the rest;
their ValidationErrors answer 400 with the field and the reason (`trustroom.api.exceptions`), and
nothing is written. Records are taken by id from the caller's organization only: another organization's
id answers like a missing one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from trustroom.answers import selectors, services
from trustroom.answers.bank_list import BankFilters, BankRow, bank_listing, filter_rows
from trustroom.answers.models import EVIDENCE_FIELDS, AnswerEntry, AnswerEvidence, AnswerVisibility
from trustroom.answers.selectors import EntryPair
from trustroom.answers.state import (
    EVIDENCE_RELATED,
    Freshness,
    FreshnessState,
    entry_freshness,
    evidence_stale_reasons,
)
from trustroom.tenancy.api import NULLABLE_EMAIL, OrgResourceViewSet, StrictInputMixin, email_or_none
from trustroom.tenancy.selectors import members_of

# The kinds of backing record (named in the OpenAPI schema: AnswerEvidenceKindEnum).
EVIDENCE_KIND_CHOICES = tuple((kind, kind) for kind in EVIDENCE_FIELDS)

# --- Output ---------------------------------------------------------------------------------------------


class AnswerFreshnessSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=FreshnessState.choices, read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)


class AnswerEvidenceSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=EVIDENCE_KIND_CHOICES, read_only=True)
    record_id = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField()
    stale_reasons = serializers.SerializerMethodField()

    class Meta:
        model = AnswerEvidence
        fields = ["id", "kind", "record_id", "record", "stale_reasons", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_record_id(self, evidence: AnswerEvidence) -> int:
        return int(getattr(evidence, f"{evidence.kind}_id"))

    @extend_schema_field(OpenApiTypes.STR)
    def get_record(self, evidence: AnswerEvidence) -> str:
        return str(evidence.record)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_stale_reasons(self, evidence: AnswerEvidence) -> list[str]:
        """Why the record is stale now (empty: it still backs the answer); each record judged once."""
        known: dict[tuple[str, int], list[str]] = self.context.setdefault("record_reasons", {})
        record = (evidence.kind, self.get_record_id(evidence))
        if record not in known:
            known[record] = evidence_stale_reasons(evidence, now=self.context.get("now") or timezone.now())
        return known[record]


class AnswerEntrySerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    freshness = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = AnswerEntry
        fields = [
            "id",
            "key",
            "question",
            "variants",
            "short_answer",
            "detailed_answer",
            "tags",
            "visibility",
            "owner",
            "next_review_on",
            "freshness",
            "evidence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_owner(self, entry: AnswerEntry) -> str | None:
        return email_or_none(entry.owner)

    @extend_schema_field(AnswerFreshnessSerializer)
    def get_freshness(self, entry: AnswerEntry) -> dict[str, Any]:
        freshness: Freshness = self.context["freshness"][entry.pk]
        return {"state": str(freshness.state), "reasons": list(freshness.reasons)}

    @extend_schema_field(AnswerEvidenceSerializer(many=True))
    def get_evidence(self, entry: AnswerEntry) -> list[dict[str, Any]]:
        items = self.context["evidence"].get(entry.pk, [])
        return list(AnswerEvidenceSerializer(items, many=True, context=self.context).data)


class AnswerEntryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnswerEntry
        fields = ["id", "key", "question", "short_answer", "tags", "visibility"]
        read_only_fields = fields


class AnswerEntryPairSerializer(serializers.Serializer):
    first = AnswerEntryRefSerializer(read_only=True)
    second = AnswerEntryRefSerializer(read_only=True)
    shared_tags = serializers.ListField(child=serializers.CharField(), read_only=True)


class AnswerDuplicateReportSerializer(serializers.Serializer):
    duplicates = AnswerEntryPairSerializer(many=True, read_only=True)
    conflicts = AnswerEntryPairSerializer(many=True, read_only=True)


# --- Input ----------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A member of the organization, by user id."""

    def get_queryset(self) -> QuerySet[Any]:
        organization = getattr(self.context.get("view"), "organization", None)
        if organization is None:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            pk__in=members_of(organization).values_list("user_id", flat=True)
        )


def _phrases(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(allow_blank=True), required=False, **kwargs)


class AnswerEntryWriteSerializer(StrictInputMixin, serializers.Serializer):
    """Shapes only; the service checks lengths, the key's form and uniqueness, and the owner."""

    key = serializers.CharField(help_text="Stable identifier: letters, digits, hyphens, underscores.")
    question = serializers.CharField()
    variants = _phrases(help_text="Other phrasings of the question.")
    short_answer = serializers.CharField()
    detailed_answer = serializers.CharField(required=False, allow_blank=True)
    tags = _phrases(help_text="Tags; stored lowercase, sorted, without duplicates.")
    visibility = serializers.ChoiceField(choices=AnswerVisibility.choices, required=False)
    owner = MemberField(required=False, allow_null=True, help_text="User id of a member.")
    next_review_on = serializers.DateField(required=False, allow_null=True, help_text="A UTC date.")


class AnswerEvidenceWriteSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=EVIDENCE_KIND_CHOICES)
    record = serializers.IntegerField(min_value=1, help_text="Id of the organization's record of that kind.")


class BankQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tag = serializers.CharField(required=False, allow_blank=True, max_length=40)
    visibility = serializers.ChoiceField(choices=AnswerVisibility.choices, required=False)
    freshness = serializers.ChoiceField(choices=FreshnessState.choices, required=False)
    owner = serializers.IntegerField(required=False, min_value=1)


def _query_filters(request: Request) -> BankFilters:
    """The list's query parameters: a bad one is a 400 naming it, never silently ignored."""
    names = BankQuerySerializer().fields
    body = BankQuerySerializer(data={k: v for k, v in request.query_params.items() if k in names})
    body.is_valid(raise_exception=True)
    data = dict(body.validated_data)
    return BankFilters.from_cleaned_data(data)


# --- Views ----------------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Text in the key, question, variants or answers."),
    OpenApiParameter("tag", str, description="Only entries with this tag."),
    OpenApiParameter("visibility", str, enum=AnswerVisibility.values, description="Only this visibility."),
    OpenApiParameter("freshness", str, enum=FreshnessState.values, description="Only this freshness now."),
    OpenApiParameter("owner", int, description="Only entries owned by this user id."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List answer-bank entries (freshness computed now)", parameters=LIST_PARAMETERS
    ),
    retrieve=extend_schema(summary="One answer-bank entry, with its evidence and freshness"),
    create=extend_schema(
        summary="Add an entry", request=AnswerEntryWriteSerializer, responses={201: AnswerEntrySerializer}
    ),
    update=extend_schema(
        summary="Change an entry (key, question and short answer required; fields not given are kept)",
        request=AnswerEntryWriteSerializer,
        responses=AnswerEntrySerializer,
    ),
    partial_update=extend_schema(
        summary="Change an entry", request=AnswerEntryWriteSerializer, responses=AnswerEntrySerializer
    ),
    destroy=extend_schema(summary="Delete an entry (owners and admins)", responses={204: None}),
    evidence=extend_schema(
        methods=["GET"], summary="The records backing an entry", responses=AnswerEvidenceSerializer(many=True)
    ),
    remove_evidence=extend_schema(
        summary="Unlink a record from an entry (owners and admins; the record itself is unchanged)",
        parameters=[OpenApiParameter("evidence_pk", int, OpenApiParameter.PATH, description="Evidence id.")],
        responses={204: None},
    ),
    duplicates=extend_schema(
        summary="Duplicate and conflicting entries (near-identical questions)",
        responses=AnswerDuplicateReportSerializer,
    ),
)
class AnswerEntriesViewSet(OrgResourceViewSet):
    policy_model = AnswerEntry
    serializer_class = AnswerEntrySerializer
    evidence_actions = frozenset({"evidence", "remove_evidence"})

    def get_policy_model(self) -> type[Any] | None:
        return AnswerEvidence if getattr(self, "action", None) in self.evidence_actions else AnswerEntry

    def scoped_queryset(self) -> QuerySet[Any]:
        return AnswerEntry.objects.select_related("owner")

    def render_entries(self, entries: list[AnswerEntry], freshness: dict[int, Freshness]) -> Any:
        evidence: dict[int, list[AnswerEvidence]] = defaultdict(list)
        items = AnswerEvidence.objects.filter(entry__in=[e.pk for e in entries]).select_related(
            *EVIDENCE_RELATED
        )
        for item in items:
            evidence[item.entry_id].append(item)
        context = self.get_serializer_context() | {
            "freshness": freshness,
            "evidence": evidence,
            "now": timezone.now(),
        }
        return AnswerEntrySerializer(entries, many=True, context=context).data

    def respond(self, entry: AnswerEntry, code: int = status.HTTP_200_OK) -> Response:
        entry = self.scoped_queryset().get(pk=entry.pk)
        data = self.render_entries([entry], {entry.pk: entry_freshness(entry)})[0]
        return Response(data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = _query_filters(request)
        rows = filter_rows(bank_listing().rows, filters)
        page: list[BankRow] = self.paginate_queryset(rows) or []  # type: ignore[arg-type]
        freshness = {row.entry.pk: row.freshness for row in page}
        return self.get_paginated_response(self.render_entries([row.entry for row in page], freshness))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.respond(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = AnswerEntryWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        entry = services.create_entry(actor=self.principal, **body.validated_data)
        return self.respond(entry, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        partial = kwargs.get("partial", False)
        body = AnswerEntryWriteSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        entry = services.update_entry(actor=self.principal, entry=entry, **body.validated_data)
        return self.respond(entry)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_entry(actor=self.principal, entry=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["POST"],
        summary="Link a record backing the entry (linking one already linked changes nothing: 200)",
        request=AnswerEvidenceWriteSerializer,
        responses={201: AnswerEvidenceSerializer, 200: AnswerEvidenceSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def evidence(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        if request.method == "GET":
            items = AnswerEvidence.objects.filter(entry=entry).select_related(*EVIDENCE_RELATED)
            context = self.get_serializer_context() | {"now": timezone.now()}
            return Response(AnswerEvidenceSerializer(items, many=True, context=context).data)
        body = AnswerEvidenceWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kind, record_id = body.validated_data["kind"], body.validated_data["record"]
        model = services.EVIDENCE_MODELS[kind]
        record = model._default_manager.filter(pk=record_id).first()
        if record is None:
            raise serializers.ValidationError(
                {"record": [f"No {model._meta.verbose_name} with this id in the organization."]}
            )
        existed = AnswerEvidence.objects.filter(entry=entry, **{kind: record}).exists()
        item = services.add_evidence(actor=self.principal, entry=entry, **{kind: record})
        item = AnswerEvidence.objects.select_related(*EVIDENCE_RELATED).get(pk=item.pk)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(AnswerEvidenceSerializer(item, context={"now": timezone.now()}).data, status=code)

    @action(detail=True, methods=["delete"], url_path=r"evidence/(?P<evidence_pk>[0-9]+)")
    def remove_evidence(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        item = AnswerEvidence.objects.filter(entry=entry, pk=kwargs["evidence_pk"]).first()
        if item is None:
            raise Http404("No such evidence.")
        services.remove_evidence(actor=self.principal, evidence=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=False, methods=["get"])
    def duplicates(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = selectors.duplicate_and_conflicting_entries()

        def pairs(found: list[EntryPair]) -> list[dict[str, Any]]:
            return [{"first": p.first, "second": p.second, "shared_tags": list(p.shared_tags)} for p in found]

        data = {"duplicates": pairs(report.duplicates), "conflicts": pairs(report.conflicts)}
        return Response(AnswerDuplicateReportSerializer(data).data)


def register(router: SimpleRouter) -> None:
    router.register(r"answer-entries", AnswerEntriesViewSet, basename="answer-entry")
