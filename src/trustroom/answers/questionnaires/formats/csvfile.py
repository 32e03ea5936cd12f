"""Reading a questionnaire from a CSV file (comma, semicolon or tab separated).

The text is UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark (Excel's "Unicode
text"), or else read as Windows-1252. The delimiter is the one of comma, semicolon and tab that splits
the first lines into the most rows of the same width. The header row, question and answer columns are
found as for a sheet (`layout.py`).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass

from .base import ParsedQuestion, ParsedQuestionnaire, QuestionnaireFormatError, SheetLayout
from .layout import column_letter, describe_headers, extract_questions, find_layout
from .limits import MAX_COLUMNS, MAX_QUESTIONS, MAX_ROWS, MAX_TEXT_CHARS, clip

DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 50


@dataclass(frozen=True)
class CsvTable:
    records: list[list[str]]  # every record of the file, fields as written (not stripped)
    encoding: str
    delimiter: str


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return data[len(codecs.BOM_UTF8) :].decode("cp1252", errors="replace"), "cp1252"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise QuestionnaireFormatError(
                f"The file starts like UTF-16 text but is not valid UTF-16 (byte {exc.start})."
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter that cuts the first lines into the most rows of one width (of two or more)."""
    lines = text.splitlines()[:SNIFF_LINES]
    best: tuple[int, int] = (0, 0)
    chosen = DELIMITERS[0]
    for delimiter in DELIMITERS:
        try:
            widths = [
                len(record)
                for record in csv.reader(lines, delimiter=delimiter)
                if len(record) >= 2 and any(field.strip() for field in record)
            ]
        except csv.Error:
            continue
        if not widths:
            continue
        width, rows = Counter(widths).most_common(1)[0]
        if (rows, width) > best:
            best, chosen = (rows, width), delimiter
    return chosen


def read_table(data: bytes, *, delimiter: str = "") -> CsvTable:
    """Every record of the CSV file (also used by the CSV export, which keeps them all).

    `delimiter` given (the one found when the file was parsed) skips sniffing.
    """
    text, encoding = decode(data)
    if "\x00" in text:
        raise QuestionnaireFormatError(
            "The file is neither a spreadsheet (.xlsx), a VSAQ questionnaire (.json) nor CSV text "
            "(it holds binary data)."
        )
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > MAX_ROWS:
                raise QuestionnaireFormatError(
                    f"The CSV file has more than {MAX_ROWS:,} rows; split it into smaller files."
                )
    except csv.Error as exc:
        raise QuestionnaireFormatError(f"CSV line {reader.line_num}: {exc}.") from None
    return CsvTable(records, encoding, delimiter)


def parse_csv(data: bytes) -> ParsedQuestionnaire:
    table = read_table(data)
    rows = [[clip(field.strip()) for field in record[:MAX_COLUMNS]] for record in table.records]
    layout = find_layout(rows)
    if layout is None:
        raise QuestionnaireFormatError(
            f"No question column found. Headers found: {describe_headers(rows)}. "
            'Name the question column "Question" (and the answer column "Answer").'
        )
    found = extract_questions(rows, layout)
    if not found:
        raise QuestionnaireFormatError(
            f'No questions found under the "{layout.headers[layout.question_column - 1]}" column.'
            if layout.headers
            else "No questions found."
        )
    if len(found) > MAX_QUESTIONS:
        raise QuestionnaireFormatError(
            f"The file holds {len(found):,} questions, more than the limit of {MAX_QUESTIONS:,}; split it."
        )
    if sum(sum(map(len, q.cells)) for q in found) > MAX_TEXT_CHARS:
        raise QuestionnaireFormatError(f"The file holds more than {MAX_TEXT_CHARS:,} characters of text.")
    letter = column_letter(layout.question_column)
    questions = tuple(
        ParsedQuestion(
            position=position,
            sheet="",
            row=item.row,
            question_id=f"{letter}{item.row}",
            question=item.question,
            section=item.section,
            existing_answer=item.existing_answer,
            cells=item.cells,
        )
        for position, item in enumerate(found)
    )
    sheet = SheetLayout(
        sheet="",
        header_row=layout.header_row,
        headers=layout.headers,
        question_column=layout.question_column,
        answer_column=layout.answer_column,
        question_count=len(questions),
    )
    return ParsedQuestionnaire(
        format="csv",
        layouts=(sheet,),
        questions=questions,
        encoding=table.encoding,
        delimiter=table.delimiter,
    )
