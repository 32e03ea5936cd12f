"""Reading a questionnaire from an XLSX workbook of any layout, every visible sheet.

The archive is checked first (`safety.py`); openpyxl then reads it in read-only, values-only mode
(cached formula results, no formulas). Each visible sheet gets its own layout (`layout.py`): a header row
within the first rows (title rows and merged cells above it are fine), a question column, an answer
column or none. Hidden sheets, chart sheets and sheets without a question column are listed in
`skipped` with the reason. Sheets are read up to `MAX_ROWS` rows and `MAX_COLUMNS` columns.
"""

from __future__ import annotations

import datetime
import io
import warnings
from typing import Any

from .base import ParsedQuestion, ParsedQuestionnaire, QuestionnaireFormatError, SheetLayout
from .layout import RowQuestion, TableLayout, column_letter, describe_headers, extract_questions, find_layout
from .limits import MAX_COLUMNS, MAX_QUESTIONS, MAX_ROWS, MAX_SHEETS, MAX_TEXT_CHARS, clip
from .safety import check_xlsx_archive, require_defused_openpyxl


def cell_text(value: Any) -> str:
    """A cell's value as the text a reader sees (dates ISO, whole numbers without ".0")."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else str(value)
    elif isinstance(value, datetime.datetime):
        text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    elif isinstance(value, datetime.date | datetime.time):
        text = value.isoformat()
    else:
        text = str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return clip(text.strip())


def _reason(exc: BaseException) -> str:
    text = str(exc).split("\n", 1)[0].split(" from <", 1)[0].strip()
    return clip(text or type(exc).__name__, 200)


def parse_xlsx(data: bytes, *, filename: str = "") -> ParsedQuestionnaire:
    check_xlsx_archive(data, filename=filename)
    require_defused_openpyxl()
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops; nothing for the user
        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
        except (QuestionnaireFormatError, MemoryError):
            raise
        except Exception as exc:
            raise QuestionnaireFormatError(
                f"The workbook could not be opened (it may be damaged): {_reason(exc)}."
            ) from None
        try:
            return _parse_workbook(workbook)
        finally:
            workbook.close()


def _read_rows(sheet: Any, name: str) -> list[list[str]]:
    sheet.reset_dimensions()  # a declared dimension may lie (A1:XFD1048576); read what is there
    rows: list[list[str]] = []
    try:
        for number, values in enumerate(
            sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            end = len(values)
            while end and (values[end - 1] is None or values[end - 1] == ""):
                end -= 1
            if number > MAX_ROWS:
                if end:
                    raise QuestionnaireFormatError(
                        f'Sheet "{name}" has more than {MAX_ROWS:,} rows; split it into smaller sheets.'
                    )
                break
            rows.append([cell_text(value) for value in values[:end]])
    except (QuestionnaireFormatError, MemoryError):
        raise
    except Exception as exc:
        raise QuestionnaireFormatError(
            f'Sheet "{name}" could not be read (it may be damaged): {_reason(exc)}.'
        ) from None
    return rows


def _parse_workbook(workbook: Any) -> ParsedQuestionnaire:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    names = list(workbook.sheetnames)
    if len(names) > MAX_SHEETS:
        raise QuestionnaireFormatError(
            f"The workbook has {len(names)} sheets, more than the limit of {MAX_SHEETS}."
        )
    questions: list[ParsedQuestion] = []
    layouts: list[SheetLayout] = []
    skipped: list[tuple[str, str]] = []
    headers_seen: list[str] = []
    text_chars = 0
    for name in names:
        sheet = workbook[name]
        if not isinstance(sheet, ReadOnlyWorksheet):
            skipped.append((name, "chart sheet"))
            headers_seen.append(f"{name}: (chart sheet)")
            continue
        if sheet.sheet_state != "visible":
            skipped.append((name, "hidden sheet"))
            headers_seen.append(f"{name}: (hidden, skipped)")
            continue
        rows = _read_rows(sheet, name)
        layout = find_layout(rows)
        if layout is None:
            found_headers = describe_headers(rows)
            why = "empty sheet" if found_headers == "(empty)" else f"no question column ({found_headers})"
            skipped.append((name, why))
            headers_seen.append(f"{name}: {found_headers}")
            continue
        found = extract_questions(rows, layout)
        if not found:
            skipped.append((name, f"no questions below the header row {layout.header_row}"))
            headers_seen.append(f"{name}: {describe_headers(rows)}")
            continue
        if len(questions) + len(found) > MAX_QUESTIONS:
            raise QuestionnaireFormatError(
                f"The workbook holds more than {MAX_QUESTIONS:,} questions (the limit); split it."
            )
        text_chars += sum(sum(map(len, item.cells)) for item in found)
        if text_chars > MAX_TEXT_CHARS:
            raise QuestionnaireFormatError(
                f"The workbook holds more than {MAX_TEXT_CHARS:,} characters of question text (the limit)."
            )
        questions.extend(_sheet_questions(name, layout, found, start=len(questions)))
        layouts.append(
            SheetLayout(
                sheet=name,
                header_row=layout.header_row,
                headers=layout.headers,
                question_column=layout.question_column,
                answer_column=layout.answer_column,
                question_count=len(found),
            )
        )
    if not questions:
        raise QuestionnaireFormatError(
            f"No question column found. Headers found: {'; '.join(headers_seen) or '(no sheets)'}. "
            'Name the question column "Question" (and the answer column "Answer").'
        )
    return ParsedQuestionnaire(
        format="xlsx", layouts=tuple(layouts), questions=tuple(questions), skipped=tuple(skipped)
    )


def _sheet_questions(
    name: str, layout: TableLayout, found: list[RowQuestion], *, start: int
) -> list[ParsedQuestion]:
    """The sheet's questions; without an answer column, answers go in the first empty column."""
    answer_column = layout.answer_column or (
        max(len(layout.headers), *(len(item.cells) for item in found)) + 1
    )
    question_letter = column_letter(layout.question_column)
    answer_letter = column_letter(answer_column)
    return [
        ParsedQuestion(
            position=start + offset,
            sheet=name,
            row=item.row,
            question_id=f"{name}!{question_letter}{item.row}",
            question=item.question,
            section=item.section,
            answer_cell=f"{answer_letter}{item.row}",
            existing_answer=item.existing_answer,
            cells=item.cells,
        )
        for offset, item in enumerate(found)
    ]
