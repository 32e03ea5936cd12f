"""Export of a questionnaire with its answers: into the uploaded file's own format, or as CSV.

Audit-logged (the answers leave the platform); the original is decrypted in memory for the export only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from trustroom.answers.models import Questionnaire, QuestionnaireFormat, QuestionnaireItem
from trustroom.answers.questionnaires import formats
from trustroom.answers.questionnaires.storage import original_file
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal

EXPORT_KINDS = ("original", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    filename: str
    content_type: str


def _export_name(questionnaire: Questionnaire, extension: str) -> str:
    stem = questionnaire.filename.rsplit(".", 1)[0] if questionnaire.filename else "questionnaire"
    safe = "".join(ch if ch.isalnum() or ch in "-_ ." else "_" for ch in stem).strip() or "questionnaire"
    return f"{safe[:100]}-answered.{extension}"


def export_questionnaire(*, actor: Principal, questionnaire: Questionnaire, kind: str) -> ExportedFile:
    """The questionnaire with its answers: `original` (answers written into the uploaded file's own
    format: XLSX, CSV, or VSAQ answers JSON) or `csv`. Audit-logged (the answers leave the platform)."""
    policies.check(actor, "view", questionnaire)
    if kind not in EXPORT_KINDS:
        raise ValidationError({"kind": f"Choose one of: {', '.join(EXPORT_KINDS)}."})
    questionnaire = Questionnaire.objects.get(pk=questionnaire.pk)
    items = list(QuestionnaireItem.objects.filter(questionnaire=questionnaire).order_by("position"))
    original = original_file(questionnaire)
    parsed = _parsed_from_rows(questionnaire, items)
    results = {
        item.position: formats.AnswerColumns(
            answer=item.answer,
            answer_key=item.entry_key,
            confidence=item.confidence if item.answer else 0.0,
            status=item.status,
        )
        for item in items
    }
    answers = {item.position: item.answer for item in items if item.answer}
    if kind == "original" and questionnaire.format == QuestionnaireFormat.XLSX:
        exported = ExportedFile(
            formats.write_xlsx(original, parsed, answers),
            _export_name(questionnaire, "xlsx"),
            CONTENT_TYPES["xlsx"],
        )
    elif kind == "original" and questionnaire.format == QuestionnaireFormat.VSAQ:
        exported = ExportedFile(
            formats.write_vsaq_answers(parsed, answers).encode(),
            _export_name(questionnaire, "json"),
            CONTENT_TYPES["json"],
        )
    else:
        exported = ExportedFile(
            # With a byte-order mark, so that Excel reads the UTF-8 as UTF-8.
            formats.write_csv(original, parsed, results).encode("utf-8-sig"),
            _export_name(questionnaire, "csv"),
            CONTENT_TYPES["csv"],
        )
    with transaction.atomic():
        record_event(
            actor=actor,
            action="questionnaire.exported",
            target=questionnaire,
            changes={
                "kind": kind,
                "filename": exported.filename,
                "answered": len(answers),
                "items": len(items),
            },
        )
    return exported


def _parsed_from_rows(
    questionnaire: Questionnaire, items: list[QuestionnaireItem]
) -> formats.ParsedQuestionnaire:
    """The parse result as it was at import, rebuilt from the stored layout and items."""
    return formats.ParsedQuestionnaire.from_dict(
        {
            "format": questionnaire.format,
            "layouts": questionnaire.layouts,
            "skipped": questionnaire.skipped,
            "questions": [
                {
                    "position": item.position,
                    "sheet": item.sheet,
                    "row": item.row,
                    "question_id": item.question_id,
                    "question": item.question,
                    "section": item.section,
                    "answer_cell": item.answer_cell or None,
                    "existing_answer": item.existing_answer,
                    "cells": item.cells or [],
                }
                for item in items
            ],
        }
    )
