"""Where the questions are in a table (a CSV file or one sheet): header row, question and answer columns.

Shared by the CSV and XLSX readers. A table is a sequence of rows, row 1 first, each a sequence of cell
texts (already stripped; trailing empty cells may be missing). Detection goes by header names first: the
header row is the row within the first `HEADER_SCAN_ROWS` rows whose cell best names a question column
("Question", "Requirement", "Control description", ...; never an id, number, category or section
column). When no header names one, the question column is found by content: the column whose cells are
mostly question-like (ending in "?" or starting with a question word). The answer column is named
"Answer"/"Response" (preferred), "Vendor response", "Yes/No", "Comments"... or, failing names, holds
mostly yes/no values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .limits import HEADER_SCAN_ROWS, MAX_COLUMNS, clip

Row = Sequence[str]
Rows = Sequence[Row]

_TOKEN = re.compile(r"[a-z0-9]+")
_LEADING_NUMBERING = re.compile(r"^[\W\d_]+")
_FIRST_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ID_TOKENS = _words(
    "id ids no nr num number numbers ref refs reference code key index idx seq sequence sn sr sl"
)
CATEGORY_TOKENS = _words(
    "category categories subcategory section sections domain domains area areas group type owner status "
    "family chapter theme framework standard topic priority weight score level date"
)
ANSWER_TOKENS = _words("answer answers response responses reply replies")
NOTE_TOKENS = _words(
    "comment comments remark remarks note notes explanation justification details clarification"
)
QUESTION_TOKENS = _words("question questions")
QUESTIONISH_TOKENS = _words(
    "requirement requirements control controls query queries description item items criteria criterion "
    "statement objective"
)
QUESTION_STARTS = _words(
    "do does did is are was were has have had can could will would should shall may must how what which "
    "who whom whose when where why describe explain list provide please indicate specify state confirm "
    "outline detail identify"
)
YES_NO_VALUES = frozenset(
    {"yes", "no", "y", "n", "n/a", "na", "n.a", "true", "false", "partial", "partially", "planned"}
    | {"not applicable", "in progress"}
)

MAX_HEADER_CHARS = 60  # a longer cell is content, not a header name
HEADER_SAMPLE_ROWS = 500  # a header candidate is judged by the cells of this many rows below it
MIN_CONTENT_QUESTIONS = 3  # content-based detection needs at least this many question-like cells
SECTION_MAX_CHARS = 200


@dataclass(frozen=True)
class TableLayout:
    header_row: int  # 1-based; 0 when the table has no header row
    headers: tuple[str, ...]
    question_column: int  # 1-based
    answer_column: int | None  # 1-based
    first_data_row: int  # 1-based: questions are looked for from this row on


@dataclass(frozen=True)
class RowQuestion:
    row: int  # 1-based
    question: str
    section: str
    existing_answer: str
    cells: tuple[str, ...]


def cell(row: Row, column: int | None) -> str:
    """The text of `row` at the 1-based `column` ("" past its end or for None)."""
    if column is None or column > len(row):
        return ""
    return row[column - 1]


def filled_columns(row: Row) -> list[int]:
    return [index for index, text in enumerate(row, start=1) if text]


def trimmed(row: Row) -> tuple[str, ...]:
    """`row` without its trailing empty cells."""
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return tuple(row[:end])


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _id_like(text: str, tokens: list[str]) -> bool:
    if "#" in text:
        return True
    return any(t in ID_TOKENS and not (t == "no" and "yes" in tokens) for t in tokens)


def question_header_score(text: str) -> int:
    """How strongly a header cell names the question column (0 = not at all)."""
    if not text or len(text) > MAX_HEADER_CHARS or text.endswith("?"):
        return 0
    tokens = _tokens(text)
    if not tokens or _id_like(text, tokens):
        return 0
    if any(t in CATEGORY_TOKENS or t in ANSWER_TOKENS or t in NOTE_TOKENS for t in tokens):
        return 0
    if set(tokens) <= QUESTION_TOKENS:
        return 100
    if any(t in QUESTION_TOKENS for t in tokens):
        return 90
    if len(tokens) == 1 and tokens[0] in QUESTIONISH_TOKENS:
        return 70
    if any(t in QUESTIONISH_TOKENS for t in tokens):
        return 60
    return 0


def answer_header_score(text: str) -> int:
    """How strongly a header cell names the answer column (0 = not at all)."""
    if not text or len(text) > MAX_HEADER_CHARS:
        return 0
    tokens = _tokens(text)
    if not tokens or _id_like(text, tokens):
        return 0
    if set(tokens) <= ANSWER_TOKENS:
        return 100
    if any(t in ANSWER_TOKENS for t in tokens):
        return 80
    if {"yes", "no"} <= set(tokens) or tokens == ["y", "n"]:
        return 60
    if any(t in NOTE_TOKENS for t in tokens):
        return 40
    return 0


def is_question_like(text: str) -> bool:
    """Reads like a question: ends in "?" or starts (after any numbering) with a question word."""
    text = text.strip()
    if len(text) < 12:
        return False
    if text.endswith("?"):
        return True
    match = _FIRST_WORD.match(_LEADING_NUMBERING.sub("", text).lower())
    return match is not None and match.group() in QUESTION_STARTS


def is_yes_no(text: str) -> bool:
    folded = text.casefold().strip().rstrip(".")
    return folded in YES_NO_VALUES or bool(re.match(r"(yes|no)\b", folded))


def find_layout(rows: Rows) -> TableLayout | None:
    """The layout of the table, or None when no column holds questions."""
    return _layout_by_header(rows) or _layout_by_content(rows)


def _column_texts(rows: Rows, column: int, start: int) -> list[str]:
    return [text for row in rows[start:] if (text := cell(row, column))]


def _layout_by_header(rows: Rows) -> TableLayout | None:
    best: tuple[tuple[int, int, float], int, int] | None = None  # ((score, -row, avg length), row, column)
    for index in range(min(HEADER_SCAN_ROWS, len(rows))):
        row = rows[index]
        columns = filled_columns(row)
        holds_questions = any(is_question_like(row[column - 1]) for column in columns)
        for column in columns:
            score = question_header_score(row[column - 1])
            if not score or (len(columns) < 2 and score < 90):
                continue  # a lone cell is a title line unless it says "Question"
            if holds_questions and score < 90:
                continue  # a data row mentioning "control" or "description", not a header row
            below = _column_texts(rows[index + 1 : index + 1 + HEADER_SAMPLE_ROWS], column, 0)
            if not below:
                continue
            average = sum(len(text) for text in below) / len(below)
            if average < 12:
                score -= 50  # holds ids or short labels, not questions
            key = (score, -index, average)
            if best is None or key > best[0]:
                best = (key, index, column)
    if best is None or best[0][0] <= 0:
        return None
    _, index, column = best
    headers = trimmed(rows[index])
    first_data_row = index + 2
    answer = _answer_by_header(headers, column) or _answer_by_content(rows, column, first_data_row)
    return TableLayout(index + 1, headers, column, answer, first_data_row)


def _layout_by_content(rows: Rows) -> TableLayout | None:
    like: dict[int, int] = {}
    filled: dict[int, int] = {}
    length: dict[int, int] = {}
    first: dict[int, int] = {}
    for index, row in enumerate(rows):
        for column, text in enumerate(row[:MAX_COLUMNS], start=1):
            if not text:
                continue
            if is_question_like(text):
                like[column] = like.get(column, 0) + 1
                length[column] = length.get(column, 0) + len(text)
                first.setdefault(column, index)
            if column in first:
                filled[column] = filled.get(column, 0) + 1
    candidates = [
        (count, length[column] / count, -column)
        for column, count in like.items()
        if count >= MIN_CONTENT_QUESTIONS and count * 2 >= filled[column]
    ]
    if not candidates:
        return None
    column = -max(candidates)[2]
    first_question = first[column]
    header_index = None
    for index in range(first_question - 1, -1, -1):
        row = rows[index]
        columns = filled_columns(row)
        if not columns:
            continue
        if (
            len(columns) >= 2
            and not is_question_like(cell(row, column))
            and all(len(row[c - 1]) <= MAX_HEADER_CHARS for c in columns)
        ):
            header_index = index
        break
    if header_index is None:
        headers: tuple[str, ...] = ()
        header_row, first_data_row = 0, first_question + 1
    else:
        headers = trimmed(rows[header_index])
        header_row, first_data_row = header_index + 1, header_index + 2
    answer = _answer_by_header(headers, column) or _answer_by_content(rows, column, first_data_row)
    return TableLayout(header_row, headers, column, answer, first_data_row)


def _answer_by_header(headers: Row, question_column: int) -> int | None:
    best: tuple[int, int] | None = None
    for column, text in enumerate(headers, start=1):
        if column == question_column:
            continue
        score = answer_header_score(text)
        if score and (best is None or (score, -column) > (best[0], -best[1])):
            best = (score, column)
    return best[1] if best else None


def _answer_by_content(rows: Rows, question_column: int, first_data_row: int) -> int | None:
    """A column beside the questions that holds mostly yes/no values, if any."""
    counts: dict[int, list[int]] = {}  # column -> [filled, yes/no]
    for row in rows[first_data_row - 1 :]:
        if not cell(row, question_column):
            continue
        for column, text in enumerate(row[:MAX_COLUMNS], start=1):
            if text and column != question_column:
                entry = counts.setdefault(column, [0, 0])
                entry[0] += 1
                entry[1] += is_yes_no(text)
    candidates = [(yes, -column) for column, (count, yes) in counts.items() if yes * 10 >= count * 6]
    return -max(candidates)[1] if candidates else None


def _looks_like_heading(text: str) -> bool:
    return (
        len(text) <= 100 and "\n" not in text and not text.endswith(("?", ".")) and not is_question_like(text)
    )


def extract_questions(rows: Rows, layout: TableLayout) -> list[RowQuestion]:
    """The question rows below the header, with the section heading each falls under.

    A row whose question cell is empty is not a question; when it holds text in one cell only (and
    not in the answer column) it is a section heading. A row with text in the question cell only is a
    heading, not a question, when it does not read like one and most question rows hold more cells.
    """
    qc, ac = layout.question_column, layout.answer_column
    start = max(layout.first_data_row - 1, 0)
    header_text = cell(layout.headers, qc).casefold()
    data = rows[start:]
    with_question = [row for row in data if cell(row, qc)]
    multi_cell = sum(1 for row in with_question if len(filled_columns(row)) >= 2)
    single_cell_headings = multi_cell * 2 > len(with_question)
    section = ""
    found: list[RowQuestion] = []
    for offset, row in enumerate(data):
        columns = filled_columns(row)
        if not columns:
            continue
        question = cell(row, qc)
        if not question:
            if len(columns) == 1 and columns[0] != ac:
                section = clip(" ".join(row[columns[0] - 1].split()), SECTION_MAX_CHARS)
            continue
        if header_text and question.casefold() == header_text:
            continue  # the header row repeated further down
        if not any(ch.isalpha() for ch in question):
            continue
        if len(columns) == 1 and single_cell_headings and _looks_like_heading(question):
            section = clip(question, SECTION_MAX_CHARS)
            continue
        found.append(RowQuestion(start + offset + 1, question, section, cell(row, ac), trimmed(row)))
    return found


def describe_headers(rows: Rows) -> str:
    """The header-looking cells of a table, for an error message: `"Ref", "Owner"`."""
    candidate: Row | None = None
    for row in rows[:HEADER_SCAN_ROWS]:
        columns = filled_columns(row)
        if len(columns) >= 2:
            candidate = row
            break
        if columns and candidate is None:
            candidate = row
    if candidate is None:
        return "(empty)"
    texts = [clip(" ".join(text.split()), 40) for text in candidate if text]
    shown = ", ".join(f'"{text}"' for text in texts[:8])
    return shown + (f" and {len(texts) - 8} more" if len(texts) > 8 else "")


def column_letter(column: int) -> str:
    """Excel's name of the 1-based `column`: 1 -> "A", 28 -> "AB"."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
