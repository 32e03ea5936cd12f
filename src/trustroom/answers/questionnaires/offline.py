"""Answer a questionnaire file without storing it: what `trustroom questionnaire answer` does.

Reads the file in the sandboxed parser, answers every question from the organization's bank (in its
scope) and renders the output: CSV (the input's columns plus answer, answer_key, confidence, status),
XLSX (answers written into the original workbook) or VSAQ answers JSON. Writes nothing to the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from trustroom.answers.questionnaires import formats
from trustroom.answers.questionnaires.answering import BankAnswerer, ProposedAnswer

OUTPUT_FORMATS = ("csv", "xlsx", "json")


@dataclass(frozen=True)
class OfflineResult:
    parsed: formats.ParsedQuestionnaire
    proposals: list[ProposedAnswer]
    output: bytes

    def count(self, status: str) -> int:
        return sum(1 for p in self.proposals if p.status == status)

    @property
    def answered(self) -> int:
        return sum(1 for p in self.proposals if p.entry is not None)


def output_format_for(path: str, given: str | None = None) -> str:
    """The output format: as given, else from the output file's extension."""
    name = os.path.basename(path)
    fmt = (given or (name.rsplit(".", 1)[-1] if "." in name else "")).lower()
    if fmt not in OUTPUT_FORMATS:
        raise formats.QuestionnaireFormatError(
            f"Cannot tell the output format from {path!r}: give --format "
            f"(one of {', '.join(OUTPUT_FORMATS)}) or end the output name in .csv, .xlsx or .json."
        )
    return fmt


def answer_file(
    content: bytes,
    *,
    filename: str,
    output_format: str,
    progress: Callable[[int, int], None] | None = None,
) -> OfflineResult:
    """Answer the questionnaire in `content` from the current organization's bank (a scope must be set)."""
    parsed = formats.parse_untrusted(content, filename=filename)
    if not parsed.questions:
        raise formats.QuestionnaireFormatError(f"{filename}: the file holds no questions.")
    if output_format == "xlsx" and parsed.format != "xlsx":
        raise formats.QuestionnaireFormatError(
            f"{filename} is {parsed.format.upper()}: answers go back into an XLSX only for an XLSX input; "
            "write CSV instead."
        )
    if output_format == "json" and parsed.format != "vsaq":
        raise formats.QuestionnaireFormatError(
            f"{filename} is {parsed.format.upper()}: a JSON answers file is made only for a VSAQ input; "
            "write CSV instead."
        )
    answerer = BankAnswerer.for_current_organization()
    proposals: list[ProposedAnswer] = []
    total = len(parsed.questions)
    for done, question in enumerate(parsed.questions, start=1):
        proposals.append(answerer.propose(question.question))
        if progress is not None:
            progress(done, total)
    by_position = dict(zip((q.position for q in parsed.questions), proposals, strict=True))
    if output_format == "xlsx":
        answers = {pos: p.answer for pos, p in by_position.items() if p.answer}
        output = formats.write_xlsx(content, parsed, answers)
    elif output_format == "json":
        answers = {pos: p.answer for pos, p in by_position.items() if p.answer}
        output = formats.write_vsaq_answers(parsed, answers).encode()
    else:
        results = {
            pos: formats.AnswerColumns(
                answer=p.answer, answer_key=p.key, confidence=p.confidence, status=p.status
            )
            for pos, p in by_position.items()
        }
        output = formats.write_csv(content, parsed, results).encode("utf-8")
    return OfflineResult(parsed=parsed, proposals=proposals, output=output)
