"""`write_xlsx`: the customer's own workbook with the answers written into its answer cells.

The original is loaded normally (not read-only; macros never kept, formulas kept), so formatting, other
sheets, column widths, styles, data validations and merged cells stay as they were; only the answer
cells change. A sheet without an answer column gets an "Answer" header (styled like the header cell to
its left) in the first empty column, and the answers go under it. Written cells wrap their text.
Answer text is always written as text: an answer starting with "=" does not become a formula.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Mapping
from copy import copy
from typing import Any

from .base import ParsedQuestion, ParsedQuestionnaire, QuestionnaireFormatError, SheetLayout
from .limits import MAX_XLSX_CELL_CHARS, clip
from .safety import check_xlsx_archive

ANSWER_HEADER = "Answer"
NEW_COLUMN_WIDTH = 60
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")  # control characters XML cannot hold


def write_xlsx(original: bytes, parsed: ParsedQuestionnaire, answers: Mapping[int, str]) -> bytes:
    """The original workbook with `answers` (ParsedQuestion.position -> text) in the answer cells."""
    if parsed.format != "xlsx":
        raise QuestionnaireFormatError(
            f"Only questionnaires uploaded as .xlsx can be exported as .xlsx (this one is {parsed.format})."
        )
    by_position = {question.position: question for question in parsed.questions}
    unknown = sorted(set(answers) - set(by_position))
    if unknown:
        raise ValueError(f"No question at position(s) {unknown[:5]}.")
    check_xlsx_archive(original)
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(original), keep_vba=False, rich_text=True)
        except MemoryError:
            raise
        except Exception:
            raise QuestionnaireFormatError("The original workbook could not be opened again.") from None
        answered_sheets: set[str] = set()
        for position, text in sorted(answers.items()):
            question = by_position[position]
            if question.answer_cell:
                _write(workbook, question, text)
                answered_sheets.add(question.sheet)
        for layout in parsed.layouts:
            if layout.answer_column is None and layout.header_row and layout.sheet in answered_sheets:
                _add_answer_header(workbook[layout.sheet], parsed, layout)
        out = io.BytesIO()
        workbook.save(out)
    return out.getvalue()


def _sheet(workbook: Any, name: str) -> Any:
    if name not in workbook.sheetnames:
        raise QuestionnaireFormatError(f'The workbook has no sheet "{name}" any more; upload it again.')
    return workbook[name]


def _write(workbook: Any, question: ParsedQuestion, text: str) -> None:
    from openpyxl.cell.cell import MergedCell

    sheet = _sheet(workbook, question.sheet)
    cell = sheet[question.answer_cell]
    if isinstance(cell, MergedCell):
        merged = next(r for r in sheet.merged_cells.ranges if question.answer_cell in r)
        cell = sheet.cell(merged.min_row, merged.min_col)
        if f"{question.sheet}!{cell.coordinate}" == question.question_id:
            raise QuestionnaireFormatError(
                f"{question.sheet}!{question.answer_cell} is merged into the question cell; "
                "unmerge it to receive the answer."
            )
    value = clip(_ILLEGAL.sub("", text), MAX_XLSX_CELL_CHARS)
    cell.value = value
    if value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    alignment = copy(cell.alignment)
    alignment.wrap_text = True
    cell.alignment = alignment


def _add_answer_header(sheet: Any, parsed: ParsedQuestionnaire, layout: SheetLayout) -> None:
    """ "Answer" over the new answer column, styled like the header row's last header cell."""
    from openpyxl.utils import column_index_from_string, get_column_letter
    from openpyxl.utils.cell import coordinate_from_string

    cell = next(q.answer_cell for q in parsed.questions if q.sheet == layout.sheet and q.answer_cell)
    column = column_index_from_string(coordinate_from_string(cell)[0])
    header = sheet.cell(layout.header_row, column)
    if header.value not in (None, ""):
        return
    header.value = ANSWER_HEADER
    if layout.headers:
        last = sheet.cell(layout.header_row, len(layout.headers))
        if last.has_style:
            header._style = copy(last._style)
    dimensions = sheet.column_dimensions.values()
    covered = any((dimension.min or 0) <= column <= (dimension.max or 0) for dimension in dimensions)
    if not covered:  # the sheet sets no width of its own there (a <col> range may span several columns)
        sheet.column_dimensions[get_column_letter(column)].width = NEW_COLUMN_WIDTH
