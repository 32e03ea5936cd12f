"""parse_untrusted: the same result from a child process, and the limits hold."""

from __future__ import annotations

import time

import pytest

from tests.answers.formats import builders
from tests.answers.formats.test_csv import SEMICOLON
from trustroom.answers.questionnaires.formats import (
    QuestionnaireFormatError,
    parse_questionnaire,
    parse_untrusted,
)
from trustroom.answers.questionnaires.formats.sandbox import LIMITS_MESSAGE, SELFTEST_ENV


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("titled.xlsx", builders.titled_workbook()),
        ("two.xlsx", builders.two_sheet_workbook()),
        ("semicolon.csv", SEMICOLON.encode("cp1252")),
        ("webapp.json", (builders.FIXTURES / "webapp.json").read_bytes()),
    ],
)
def test_the_child_returns_what_parse_questionnaire_returns(name: str, data: bytes) -> None:
    assert parse_untrusted(data, filename=name) == parse_questionnaire(data, filename=name)


def test_errors_come_back_as_questionnaire_format_errors() -> None:
    with pytest.raises(QuestionnaireFormatError, match="encrypted"):
        parse_untrusted(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, filename="q.xlsx")
    with pytest.raises(QuestionnaireFormatError, match=r"No question column found\. Headers found: Sheet1"):
        parse_untrusted(builders.no_question_column_workbook(), filename="q.xlsx")
    data = builders.shared_strings_workbook(builders.BILLION_LAUGHS)
    with pytest.raises(QuestionnaireFormatError, match="DOCTYPE or ENTITY"):
        parse_untrusted(data, filename="q.xlsx")


def test_the_size_limit_is_checked_before_a_child_starts() -> None:
    with pytest.raises(QuestionnaireFormatError, match="empty"):
        parse_untrusted(b"", filename="q.csv")


def test_a_cpu_hog_is_killed_at_the_cpu_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SELFTEST_ENV, "cpu")
    started = time.monotonic()
    with pytest.raises(QuestionnaireFormatError) as caught:
        parse_untrusted(SEMICOLON.encode(), filename="q.csv", cpu_seconds=1, wall_seconds=30)
    assert str(caught.value) == LIMITS_MESSAGE
    assert "could not be read within the CPU and memory limits" in str(caught.value)
    assert time.monotonic() - started < 10


def test_a_memory_hog_dies_at_the_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SELFTEST_ENV, "memory")
    with pytest.raises(QuestionnaireFormatError, match="CPU and memory limits"):
        parse_untrusted(SEMICOLON.encode(), filename="q.csv", memory_bytes=256 * 1024 * 1024, wall_seconds=30)


def test_the_wall_clock_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SELFTEST_ENV, "sleep")
    started = time.monotonic()
    with pytest.raises(QuestionnaireFormatError, match="took longer than 1 seconds"):
        parse_untrusted(SEMICOLON.encode(), filename="q.csv", wall_seconds=1)
    assert time.monotonic() - started < 10


def test_a_crashing_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SELFTEST_ENV, "crash")
    with pytest.raises(QuestionnaireFormatError, match="CPU and memory limits"):
        parse_untrusted(SEMICOLON.encode(), filename="q.csv")


def test_a_300_question_workbook_is_quick() -> None:
    data = builders.large_workbook(300)
    started = time.monotonic()
    parsed = parse_untrusted(data, filename="big.xlsx")
    elapsed = time.monotonic() - started
    assert len(parsed.questions) == 300
    assert parsed.questions[-1].answer_cell == "D301"
    assert elapsed < 5, elapsed


def test_the_child_gets_none_of_the_parents_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from trustroom.answers.questionnaires.formats import sandbox

    seen: dict[str, str] = {}
    real_run = sandbox._run

    def spy(argv: list[str], env: dict[str, str], wall_seconds: float) -> tuple[bytes, bool]:
        seen.update(env)
        return real_run(argv, env, wall_seconds)

    monkeypatch.setenv("DATABASE_URL", "postgres://user:secret@db/trustroom")
    monkeypatch.setenv("OPENPYXL_DEFUSEDXML", "False")
    monkeypatch.setattr(sandbox, "_run", spy)
    parsed = parse_untrusted(builders.control_workbook(), filename="q.xlsx")
    assert len(parsed.questions) == 4
    assert "DATABASE_URL" not in seen
    assert seen["OPENPYXL_DEFUSEDXML"] == "True"
