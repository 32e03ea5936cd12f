"""`trustroom questionnaire answer`: CSV keeps the input's columns and adds the four; XLSX written in place."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests.answers.questionnaires.helpers import csv_bytes, load_demo_bank, questions_csv, questions_xlsx
from tests.factories import principal_for
from trustroom.answers.models import Questionnaire
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(org_a: Any, owner_a: Any) -> Any:
    with org_scope(org_a):
        return load_demo_bank(principal_for(owner_a, org_a))


def _answer(tmp_path: Path, content: bytes, name: str, out_name: str, *extra: str) -> tuple[Path, str]:
    source = tmp_path / name
    source.write_bytes(content)
    out = tmp_path / out_name
    stdout = io.StringIO()
    call_command(
        "questionnaire",
        "answer",
        "--org",
        "alpha-co",
        str(source),
        "--out",
        str(out),
        "--no-progress",
        *extra,
        stdout=stdout,
    )
    return out, stdout.getvalue()


def test_csv_output_keeps_columns_and_adds_answer_key_confidence_status(tmp_path: Path, bank: Any) -> None:
    out, said = _answer(tmp_path, questions_csv(), "in.csv", "out.csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["Ref", "Question", "Notes", "answer", "answer_key", "confidence", "status"]
    assert [r["Ref"] for r in rows] == ["Q1", "Q2", "Q3"]
    assert rows[0]["answer_key"] == "access-review" and rows[0]["status"] == "generated"
    assert rows[0]["answer"].startswith(bank["access-review"].short_answer)
    assert 0.45 <= float(rows[0]["confidence"]) <= 1
    assert rows[2]["answer_key"] == "" and rows[2]["answer"] == "" and rows[2]["status"] == "needs_review"
    assert "Answered 2 of 3 questions" in said
    with org_scope(bank["access-review"].organization):
        assert not Questionnaire.objects.exists()  # the CLI stores nothing


def test_xlsx_in_xlsx_out_writes_the_answer_column(tmp_path: Path, bank: Any) -> None:
    out, _ = _answer(tmp_path, questions_xlsx(), "in.xlsx", "out.xlsx")
    sheet = load_workbook(out)["Security"]
    assert str(sheet["C4"].value).startswith(bank["access-review"].short_answer)
    assert sheet["A1"].value == "Vendor security assessment"


def test_xlsx_in_csv_out(tmp_path: Path, bank: Any) -> None:
    out, _ = _answer(tmp_path, questions_xlsx(), "in.xlsx", "out.csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["answer_key"] == "access-review"
    assert {"answer", "answer_key", "confidence", "status"} <= set(rows[0])


def test_no_question_column_says_which_headers_it_found_and_writes_nothing(tmp_path: Path, bank: Any) -> None:
    content = csv_bytes([("1", "Sales", "Jane")], header=("Ref", "Owner", "Team"))
    with pytest.raises(CommandError) as error:
        _answer(tmp_path, content, "people.csv", "out.csv")
    assert "Owner" in str(error.value) and "Team" in str(error.value)
    assert not (tmp_path / "out.csv").exists()
    assert not list(tmp_path.glob(".trustroom-*"))


def test_unknown_org_missing_file_and_bad_output_format(tmp_path: Path, bank: Any) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(questions_csv())
    with pytest.raises(CommandError, match="No organization"):
        call_command(
            "questionnaire", "answer", "--org", "nope", str(source), "--out", str(tmp_path / "o.csv")
        )
    with pytest.raises(CommandError, match="No such file"):
        call_command("questionnaire", "answer", "--org", "alpha-co", "missing.csv", "--out", "o.csv")
    with pytest.raises(CommandError, match="output format"):
        call_command(
            "questionnaire", "answer", "--org", "alpha-co", str(source), "--out", str(tmp_path / "o.txt")
        )
    with pytest.raises(CommandError, match="XLSX only for an XLSX input"):
        call_command(
            "questionnaire", "answer", "--org", "alpha-co", str(source), "--out", str(tmp_path / "o.xlsx")
        )
