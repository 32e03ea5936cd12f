"""Shared helpers of the questionnaire tests: a bank loaded from the demo data, files made in the test."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from trustroom.answers import services
from trustroom.answers.bank_data import DEMO_BANK
from trustroom.answers.models import AnswerEntry
from trustroom.tenancy.principal import Principal


def load_demo_bank(actor: Principal, *, keys: Sequence[str] | None = None) -> dict[str, AnswerEntry]:
    """The demo bank's entries (all, or those keys) created through the services in the actor's org."""
    made = {}
    for answer in DEMO_BANK:
        if keys is not None and answer.key not in keys:
            continue
        made[answer.key] = services.create_entry(
            actor=actor,
            key=answer.key,
            question=answer.question,
            variants=list(answer.variants),
            short_answer=answer.short_answer,
            detailed_answer=answer.detailed_answer,
            tags=list(answer.tags),
        )
    return made


QUESTIONS = (
    ("Q1", "How often are user access rights reviewed?"),
    ("Q2", "Do you encrypt customer data at rest?"),
    ("Q3", "What is your parental leave policy for warehouse staff?"),
)


def csv_bytes(
    rows: Sequence[Sequence[Any]], *, header: Sequence[str] = ("Ref", "Question", "Notes")
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def questions_csv() -> bytes:
    return csv_bytes([(ref, question, "") for ref, question in QUESTIONS])


def xlsx_bytes(
    rows: Sequence[Sequence[Any]], *, header: Sequence[str] = ("ID", "Question", "Response")
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Security"
    sheet.append(["Vendor security assessment"])
    sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def questions_xlsx() -> bytes:
    return xlsx_bytes([(ref, question, None) for ref, question in QUESTIONS])
