"""Reading and writing questionnaire files: CSV, XLSX (any layout) and Google VSAQ JSON.

No Django here: parsing runs in a resource-limited child process (`parse_untrusted`). Modules:
`detect` (format by content), `csvfile`, `xlsx`, `vsaq`, `layout` (header and column detection shared
by CSV and XLSX), `safety` (zip and XML checks before openpyxl opens a workbook), `limits`, `sandbox`,
`export` (CSV, VSAQ answers) and `xlsx_export`.
"""

from trustroom.answers.questionnaires.formats.base import (
    FORMATS,
    AnswerColumns,
    ParsedQuestion,
    ParsedQuestionnaire,
    QuestionnaireFormatError,
    SheetLayout,
)
from trustroom.answers.questionnaires.formats.detect import parse_questionnaire
from trustroom.answers.questionnaires.formats.export import write_csv, write_vsaq_answers
from trustroom.answers.questionnaires.formats.sandbox import parse_untrusted
from trustroom.answers.questionnaires.formats.xlsx_export import write_xlsx

__all__ = [
    "FORMATS",
    "AnswerColumns",
    "ParsedQuestion",
    "ParsedQuestionnaire",
    "QuestionnaireFormatError",
    "SheetLayout",
    "parse_questionnaire",
    "parse_untrusted",
    "write_csv",
    "write_vsaq_answers",
    "write_xlsx",
]
