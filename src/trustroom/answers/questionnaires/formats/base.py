"""What reading a questionnaire file yields, whatever its format (CSV, XLSX, VSAQ JSON).

Plain data, no Django: the parser runs in a resource-limited child process and sends these back as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FORMATS = ("csv", "xlsx", "vsaq")


class QuestionnaireFormatError(ValueError):
    """The file cannot be read as a questionnaire; the message says what and where, for the user."""


@dataclass(frozen=True)
class SheetLayout:
    """Where the questions are on one sheet (a CSV file is one sheet named "")."""

    sheet: str
    header_row: int  # 1-based row number of the header row; 0 when the table has none (found by content)
    headers: tuple[str, ...]  # the header row's cells as text, in column order
    question_column: int  # 1-based
    answer_column: int | None  # 1-based; None when the sheet has none (export adds one)
    question_count: int = 0


@dataclass(frozen=True)
class ParsedQuestion:
    position: int  # 0-based order in the whole questionnaire; the stable handle for answers
    sheet: str  # sheet title (XLSX), "" (CSV), or "" (VSAQ)
    row: int  # 1-based row in its sheet or CSV file (VSAQ: 0)
    question_id: str  # VSAQ item id; for tables the question cell, e.g. "Security!B7" or "B7"
    question: str
    section: str = ""  # VSAQ block path or the sheet's section heading, for the reviewer
    answer_cell: str | None = None  # XLSX cell to write the answer into, e.g. "C7"
    existing_answer: str = ""  # what the answer column already says
    cells: tuple[str, ...] = ()  # the whole row as text (tables), for CSV output
    kind: str = ""  # VSAQ item type ("line", "box", "yesno", "radiogroup", "checkgroup", ...); "" for tables
    choices: tuple[tuple[str, str], ...] = ()  # VSAQ (choice id, choice text) of radio/check groups
    condition: str = ""  # VSAQ: when the item is shown (its own and its blocks' `cond`, joined with " && ")


@dataclass(frozen=True)
class ParsedQuestionnaire:
    format: str  # one of FORMATS
    layouts: tuple[SheetLayout, ...]
    questions: tuple[ParsedQuestion, ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())  # (sheet, why it holds no questions)
    title: str = ""  # VSAQ: the root block's text; "" otherwise
    encoding: str = ""  # CSV: the text encoding it was read with ("utf-8", "utf-8-sig", "utf-16", "cp1252")
    delimiter: str = ""  # CSV: the field delimiter found ("," ";" or tab)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedQuestionnaire:
        """The inverse of `to_dict` (also after a JSON round trip); keys added later may be missing."""
        return cls(
            format=data["format"],
            layouts=tuple(
                SheetLayout(**{**layout, "headers": tuple(layout["headers"])}) for layout in data["layouts"]
            ),
            questions=tuple(
                ParsedQuestion(
                    **{
                        **question,
                        "cells": tuple(question.get("cells", ())),
                        "choices": tuple((str(cid), str(text)) for cid, text in question.get("choices", ())),
                    }
                )
                for question in data["questions"]
            ),
            skipped=tuple((sheet, why) for sheet, why in data.get("skipped", ())),
            title=data.get("title", ""),
            encoding=data.get("encoding", ""),
            delimiter=data.get("delimiter", ""),
        )


@dataclass(frozen=True)
class AnswerColumns:
    """What answering adds to one question, as the CSV output's four columns say it."""

    answer: str = ""
    answer_key: str = ""  # empty when the matcher abstained
    confidence: float = 0.0
    status: str = "needs_review"
