"""Writing answers out: CSV (any input format) and VSAQ's answers JSON. XLSX: `xlsx_export.py`.

`write_csv` for a CSV input keeps every record and column of the original as it was (lines before the
header, rows that are not questions) and adds four columns at the end: answer, answer_key, confidence,
status. A header already named exactly one of these (case-insensitive) is filled instead of added again
(its original text stays where we have no answer). For XLSX or VSAQ input it writes a new table: sheet
and row (VSAQ: section and question_id), the question (XLSX with a single sheet: all of that sheet's
header columns), then the four columns.

CSV formula injection: a cell we write that starts with = + - @ (or tab / carriage return) gets a
leading apostrophe, so a spreadsheet shows it as text. For CSV input only our columns are guarded (the
customer's own cells are kept byte for byte); for XLSX/VSAQ input every cell of the output is ours.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence

from trustroom.web.cells import safe_cell

from .base import AnswerColumns, ParsedQuestion, ParsedQuestionnaire, QuestionnaireFormatError
from .csvfile import read_table

OUTPUT_COLUMNS = ("answer", "answer_key", "confidence", "status")


def guard(text: str) -> str:
    """`text`, with a leading apostrophe when a spreadsheet would read it as a formula."""
    return safe_cell(text)


def _values(result: AnswerColumns | None) -> dict[str, str]:
    if result is None:
        return dict.fromkeys(OUTPUT_COLUMNS, "")
    return {
        "answer": guard(result.answer),
        "answer_key": guard(result.answer_key),
        "confidence": f"{result.confidence:.2f}" if result.answer else "",
        "status": guard(result.status),
    }


def _write_rows(rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def write_csv(original: bytes, parsed: ParsedQuestionnaire, results: Mapping[int, AnswerColumns]) -> str:
    """The questionnaire as CSV with the four answer columns (results keyed by question position)."""
    unknown = sorted(set(results) - {question.position for question in parsed.questions})
    if unknown:
        raise ValueError(f"No question at position(s) {unknown[:5]}.")
    if parsed.format == "csv":
        return _write_csv_input(original, parsed, results)
    if parsed.format == "vsaq":
        header = ["section", "question_id", "question"]
        rows = [[q.section, q.question_id, q.question] for q in parsed.questions]
        return _write_table(header, rows, parsed.questions, results)
    if len(parsed.layouts) == 1 and parsed.layouts[0].headers:
        headers = list(parsed.layouts[0].headers)
        rows = [
            [q.sheet, str(q.row), *q.cells[: len(headers)], *[""] * (len(headers) - len(q.cells))]
            for q in parsed.questions
        ]
        return _write_table(["sheet", "row", *headers], rows, parsed.questions, results)
    rows = [[q.sheet, str(q.row), q.question] for q in parsed.questions]
    return _write_table(["sheet", "row", "question"], rows, parsed.questions, results)


def _existing_columns(header: Sequence[str]) -> dict[str, int]:
    """Output column name -> 0-based index of a header cell already named so (the first one)."""
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        name = text.strip().casefold()
        if name in OUTPUT_COLUMNS and name not in found:
            found[name] = index
    return found


def _fill(row: list[str], result: AnswerColumns | None, existing: dict[str, int]) -> list[str]:
    """`row` with the result in its own columns named like ours (a row without result keeps its
    cells, and so does an existing answer cell where we have no answer), then our added columns."""
    values = _values(result)
    if result is not None:
        for name, index in existing.items():
            if values[name] or name != "answer":
                row[index] = values[name]
    return row + [values[name] for name in OUTPUT_COLUMNS if name not in existing]


def _write_table(
    header: list[str],
    rows: list[list[str]],
    questions: Sequence[ParsedQuestion],
    results: Mapping[int, AnswerColumns],
) -> str:
    existing = _existing_columns(header)
    out = [header + [name for name in OUTPUT_COLUMNS if name not in existing]]
    for row, question in zip(rows, questions, strict=True):
        out.append(_fill([guard(text) for text in row], results.get(question.position), existing))
    return _write_rows(out)


def _write_csv_input(
    original: bytes, parsed: ParsedQuestionnaire, results: Mapping[int, AnswerColumns]
) -> str:
    table = read_table(original, delimiter=parsed.delimiter)
    records = table.records
    header_index = parsed.layouts[0].header_row - 1 if parsed.layouts else -1
    by_row = {q.row: results.get(q.position) for q in parsed.questions}
    body_start = max(header_index, 0)
    width = max((len(record) for record in records[body_start:]), default=0)
    out: list[list[str]] = []
    if header_index >= 0:
        existing = _existing_columns(records[header_index])
    else:
        existing = {}
        out.append([""] * width + list(OUTPUT_COLUMNS))  # the file had no header row: add one
    for index, record in enumerate(records):
        if index < header_index:
            out.append(record)
            continue
        row = record + [""] * (width - len(record))
        if index == header_index:
            out.append(row + [name for name in OUTPUT_COLUMNS if name not in existing])
        else:
            out.append(_fill(row, by_row.get(index + 1), existing))
    return _write_rows(out, parsed.delimiter or ",")


_WORD = re.compile(r"[a-z]+")


def _normal(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".")


def _first_word(text: str) -> str:
    match = _WORD.match(text.casefold().lstrip())
    return match.group() if match else ""


def matching_choices(question: ParsedQuestion, answer: str) -> list[str]:
    """The ids of the choices an answer picks: by choice text or id, else by a leading yes/no."""
    parts = [answer] if question.kind != "checkgroup" else [answer, *re.split(r"[\n;]+", answer)]
    picked: list[str] = []
    for part in parts:
        wanted = _normal(part)
        for choice_id, text in question.choices:
            if wanted and wanted in (_normal(text), choice_id.casefold()) and choice_id not in picked:
                picked.append(choice_id)
    if picked or question.kind != "radiogroup":
        return picked
    word = _first_word(answer)
    if word not in ("yes", "no"):
        return []
    candidates = [
        choice_id
        for choice_id, text in question.choices
        if _first_word(text) == word or choice_id.casefold().endswith(f"_{word}")
    ]
    return candidates if len(candidates) == 1 else []


def write_vsaq_answers(parsed: ParsedQuestionnaire, answers: Mapping[int, str]) -> str:
    """VSAQ's answers JSON: an object of item id -> answer text.

    VSAQ keeps a radio or check group's answer on its choices ({choice id: "checked"}) and a yes/no
    item's as "yes"/"no"; those are added (or used) where the answer names a choice, so VSAQ shows the
    selection when the file is loaded. The group's own id keeps the full answer text for the reader.
    """
    if parsed.format != "vsaq":
        raise QuestionnaireFormatError(
            f"Only VSAQ questionnaires can be exported as VSAQ answers (this one is {parsed.format})."
        )
    by_position = {question.position: question for question in parsed.questions}
    values: dict[str, str] = {}
    for position, text in sorted(answers.items()):
        question = by_position.get(position)
        if question is None:
            raise ValueError(f"No question at position {position}.")
        if not text.strip():
            continue
        word = _first_word(text)
        if question.kind == "yesno" and word in ("yes", "no"):
            values[question.question_id] = word
        elif question.kind in ("check", "radio"):
            values[question.question_id] = "checked" if word == "yes" else text
        else:
            values[question.question_id] = text
            for choice_id in matching_choices(question, text):
                values[choice_id] = "checked"
    return json.dumps(values, ensure_ascii=False, indent=2) + "\n"
