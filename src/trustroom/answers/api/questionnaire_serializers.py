"""Serializers of the questionnaire API: output shapes, and input read before the services validate."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trustroom.answers.models import ItemStatus, Questionnaire, QuestionnaireItem
from trustroom.answers.questionnaires import selectors
from trustroom.answers.questionnaires.exporting import EXPORT_KINDS
from trustroom.answers.questionnaires.services import MAX_ANSWER_CHARS, SAVE_TO_BANK_CHOICES
from trustroom.tenancy.api import NULLABLE_EMAIL, StrictInputMixin, email_or_none

MAX_QUESTIONS = 1000
MAX_QUESTION_CHARS = 2000

COUNTS_SCHEMA = {
    "type": "object",
    "description": "Items per status; done = approved + manual.",
    "properties": {
        name: {"type": "integer"} for name in ("total", "done", "percent_done", *ItemStatus.values)
    },
    "required": ["total", "done", "percent_done", *ItemStatus.values],
}
FRESHNESS_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "The cited entry's freshness when read (null: no entry cited).",
    "properties": {
        "state": {"type": "string", "enum": ["fresh", "review_due", "stale"]},
        "reasons": {"type": "array", "items": {"type": "string"}},
    },
}
LAYOUTS_SCHEMA = {
    "type": "array",
    "description": 'Where the questions were found, per sheet (a CSV file is one sheet named "").',
    "items": {
        "type": "object",
        "properties": {
            "sheet": {"type": "string"},
            "header_row": {"type": "integer", "description": "1-based row of the header."},
            "headers": {"type": "array", "items": {"type": "string"}},
            "question_column": {"type": "integer", "description": "1-based."},
            "answer_column": {"type": "integer", "nullable": True, "description": "1-based; null: none."},
            "question_count": {"type": "integer"},
        },
    },
}
SKIPPED_SCHEMA = {
    "type": "array",
    "description": "Sheets without questions: [sheet, why] pairs.",
    "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
}


def counts_of(questionnaire: Questionnaire) -> dict[str, int]:
    progress = selectors.progress_of(questionnaire)
    return {
        "total": progress.total,
        "done": progress.done,
        "percent_done": progress.percent,
        **{status: progress.counts.get(status, 0) for status in ItemStatus.values},
    }


class QuestionnaireSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    layouts = serializers.SerializerMethodField()
    skipped = serializers.SerializerMethodField()

    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "title",
            "customer",
            "due_on",
            "overdue",
            "filename",
            "format",
            "source_size",
            "source_sha256",
            "layouts",
            "skipped",
            "counts",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NULLABLE_EMAIL)
    def get_created_by(self, questionnaire: Questionnaire) -> str | None:
        return email_or_none(questionnaire.created_by)

    @extend_schema_field(COUNTS_SCHEMA)
    def get_counts(self, questionnaire: Questionnaire) -> dict[str, int]:
        return counts_of(questionnaire)

    @extend_schema_field(
        {"type": "boolean", "description": "Past its due date (UTC) with answers still to review."}
    )
    def get_overdue(self, questionnaire: Questionnaire) -> bool:
        return selectors.is_overdue(questionnaire, selectors.progress_of(questionnaire))

    @extend_schema_field(LAYOUTS_SCHEMA)
    def get_layouts(self, questionnaire: Questionnaire) -> list[Any]:
        return list(questionnaire.layouts or [])

    @extend_schema_field(SKIPPED_SCHEMA)
    def get_skipped(self, questionnaire: Questionnaire) -> list[Any]:
        return list(questionnaire.skipped or [])


class QuestionnaireUploadSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(help_text="The questionnaire: CSV, XLSX or Google VSAQ JSON.")
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    customer = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class QuestionnaireUpdateSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(required=False, max_length=200)
    customer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)


class QuestionnaireItemSerializer(serializers.ModelSerializer):
    entry = serializers.IntegerField(source="entry_id", read_only=True, allow_null=True)
    suggestion = serializers.IntegerField(source="suggestion_id", read_only=True, allow_null=True)
    suggestion_key = serializers.SerializerMethodField()
    freshness = serializers.SerializerMethodField()
    reviewed_by = serializers.SerializerMethodField()

    class Meta:
        model = QuestionnaireItem
        fields = [
            "id",
            "position",
            "sheet",
            "row",
            "question_id",
            "section",
            "question",
            "existing_answer",
            "answer",
            "entry",
            "entry_key",
            "suggestion",
            "suggestion_key",
            "confidence",
            "status",
            "rejected_keys",
            "freshness",
            "reviewed_by",
            "reviewed_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_suggestion_key(self, item: QuestionnaireItem) -> str | None:
        return item.suggestion.key if item.suggestion is not None else None

    @extend_schema_field(FRESHNESS_SCHEMA)
    def get_freshness(self, item: QuestionnaireItem) -> dict[str, Any] | None:
        state = self.context.get("freshness", {}).get(item.entry_id) if item.entry_id else None
        if state is None:
            return None
        return {"state": state.state.value, "reasons": list(state.reasons)}

    @extend_schema_field(NULLABLE_EMAIL)
    def get_reviewed_by(self, item: QuestionnaireItem) -> str | None:
        return email_or_none(item.reviewed_by)


class ItemFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    sheet = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ItemEditSerializer(StrictInputMixin, serializers.Serializer):
    answer = serializers.CharField(max_length=MAX_ANSWER_CHARS, trim_whitespace=True)
    save_to_bank = serializers.ChoiceField(
        choices=list(SAVE_TO_BANK_CHOICES),
        required=False,
        allow_blank=True,
        default="",
        help_text='"" (only this questionnaire), "update" (the cited bank entry) or "new" (a new entry).',
    )
    new_key = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=80, help_text='The new entry\'s key ("new").'
    )
    public = serializers.BooleanField(
        required=False, default=False, help_text="The new entry is public (the trust center FAQ)."
    )


class UseEntrySerializer(StrictInputMixin, serializers.Serializer):
    entry = serializers.IntegerField(min_value=1, help_text="Id of a bank entry of this organization.")


class ExportQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(EXPORT_KINDS), required=False, default="original")


class AnswerRequestSerializer(StrictInputMixin, serializers.Serializer):
    questions = serializers.ListField(
        child=serializers.CharField(max_length=MAX_QUESTION_CHARS, trim_whitespace=True),
        min_length=1,
        max_length=MAX_QUESTIONS,
        help_text=f"The questions, in order (at most {MAX_QUESTIONS}).",
    )


class ProposedAnswerSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer = serializers.CharField(help_text="Empty when the bank has no confident answer.")
    answer_key = serializers.CharField(help_text="The cited bank entry's key; empty when none.")
    confidence = serializers.FloatField()
    status = serializers.ChoiceField(
        choices=[ItemStatus.GENERATED, ItemStatus.NEEDS_REVIEW],
        help_text="generated: a confident match of a fresh entry; needs_review: abstained, or the cited "
        "entry is stale or due for review (see reasons).",
    )
    suggestion = serializers.CharField(
        allow_null=True, help_text="When abstaining: the best candidate's key, to consider by hand."
    )
    reasons = serializers.ListField(child=serializers.CharField())


class AnswerResponseSerializer(serializers.Serializer):
    results = ProposedAnswerSerializer(many=True)
