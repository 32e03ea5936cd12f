"""Reading and writing questionnaire files: CSV, XLSX (any layout) and Google VSAQ JSON."""

from trustroom.answers.questionnaires.formats.base import (
    FORMATS,
    AnswerColumns,
    ParsedQuestion,
    ParsedQuestionnaire,
    QuestionnaireFormatError,
    SheetLayout,
)

__all__ = [
    "FORMATS",
    "AnswerColumns",
    "ParsedQuestion",
    "ParsedQuestionnaire",
    "QuestionnaireFormatError",
    "SheetLayout",
]
