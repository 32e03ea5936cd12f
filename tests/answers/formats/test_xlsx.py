"""Reading XLSX questionnaires of several real-world layouts."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from tests.answers.formats import builders
from trustroom.answers.questionnaires.formats import (
    ParsedQuestionnaire,
    QuestionnaireFormatError,
    parse_questionnaire,
)
from trustroom.answers.questionnaires.formats.limits import MAX_QUESTIONS


def parse(data: bytes) -> ParsedQuestionnaire:
    return parse_questionnaire(data, filename="questionnaire.xlsx")


def test_title_rows_and_merged_cells_above_a_header_in_row_5() -> None:
    parsed = parse(builders.titled_workbook())
    assert parsed.format == "xlsx"
    (layout,) = parsed.layouts
    assert (layout.sheet, layout.header_row, layout.question_column, layout.answer_column) == (
        "Security",
        5,
        2,
        3,
    )
    assert layout.headers == ("#", "Question", "Answer", "Notes")
    assert layout.question_count == 5
    assert [q.row for q in parsed.questions] == [7, 8, 9, 11, 12]
    assert [q.position for q in parsed.questions] == [0, 1, 2, 3, 4]
    first = parsed.questions[0]
    assert first.question == builders.ACCESS_QUESTIONS[0]
    assert first.question_id == "Security!B7"
    assert first.answer_cell == "C7"
    assert first.existing_answer == "Yes, for every administrator."
    assert first.cells == ("A.1", builders.ACCESS_QUESTIONS[0], "Yes, for every administrator.")


def test_section_heading_rows_become_the_section_of_the_questions_below() -> None:
    parsed = parse(builders.titled_workbook())
    assert [q.section for q in parsed.questions] == ["Access Control"] * 3 + ["Encryption"] * 2


def test_control_id_domain_question_vendor_response_comments() -> None:
    parsed = parse(builders.control_workbook())
    (layout,) = parsed.layouts
    assert layout.headers == ("Control ID", "Domain", "Question", "Vendor Response", "Comments")
    assert (layout.header_row, layout.question_column, layout.answer_column) == (1, 3, 4)
    assert [q.answer_cell for q in parsed.questions] == ["D2", "D3", "D4", "D5"]
    assert [q.question_id for q in parsed.questions][:2] == ["Controls!C2", "Controls!C3"]
    assert [q.existing_answer for q in parsed.questions] == ["Yes", "", "", ""]


def test_every_sheet_is_read_and_a_cover_sheet_or_hidden_sheet_is_skipped_with_the_reason() -> None:
    parsed = parse(builders.two_sheet_workbook())
    assert [layout.sheet for layout in parsed.layouts] == ["Questions"]
    assert len(parsed.questions) == 5
    assert {q.sheet for q in parsed.questions} == {"Questions"}
    skipped = dict(parsed.skipped)
    assert skipped["Lists"] == "hidden sheet"
    assert skipped["Cover"].startswith("no question column")


def test_questions_on_several_sheets_are_numbered_across_the_workbook() -> None:
    wb = Workbook()
    first = wb.active
    first.title = "Access"
    first.append(["Question", "Answer"])
    first.append([builders.ACCESS_QUESTIONS[0], ""])
    second = wb.create_sheet("Crypto")
    second.append(["Requirement", "Response"])
    second.append([builders.CRYPTO_QUESTIONS[0], "Yes"])
    second.append([builders.CRYPTO_QUESTIONS[1], ""])
    parsed = parse(builders.to_bytes(wb))
    assert [(q.position, q.question_id, q.answer_cell) for q in parsed.questions] == [
        (0, "Access!A2", "B2"),
        (1, "Crypto!A2", "B2"),
        (2, "Crypto!A3", "B3"),
    ]
    assert [layout.question_count for layout in parsed.layouts] == [1, 2]


def test_a_sheet_without_answer_column_answers_into_the_first_empty_column() -> None:
    parsed = parse(builders.no_answer_column_workbook())
    (layout,) = parsed.layouts
    assert layout.answer_column is None
    assert layout.headers == ("Nr", "Requirement", "Guidance")
    assert [q.answer_cell for q in parsed.questions] == ["D2", "D3", "D4"]
    assert [q.existing_answer for q in parsed.questions] == ["", "", ""]


def test_no_question_column_lists_the_headers_found_per_sheet() -> None:
    with pytest.raises(QuestionnaireFormatError) as caught:
        parse(builders.no_question_column_workbook())
    message = str(caught.value)
    assert message.startswith("No question column found. Headers found: ")
    assert 'Sheet1: "Ref", "Owner", "Due date"; Sheet2: "Asset", "Location"' in message


def test_columns_like_id_number_category_and_section_are_never_the_question_column() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Question ID", "Question No.", "Section", "Category", "Question", "Answer"])
    ws.append(["Q1", "1", "Access control questions", "Identity", builders.ACCESS_QUESTIONS[0], ""])
    parsed = parse(builders.to_bytes(wb))
    assert parsed.layouts[0].question_column == 5
    assert parsed.layouts[0].answer_column == 6


def test_content_based_detection_when_no_header_names_the_question_column() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Ref", "Topic", "Text", "Vendor input"])
    for number, question in enumerate(builders.ACCESS_QUESTIONS + builders.CRYPTO_QUESTIONS, start=1):
        ws.append([number, "Security", question, "Yes" if number % 2 else "No"])
    parsed = parse(builders.to_bytes(wb))
    (layout,) = parsed.layouts
    assert (layout.header_row, layout.question_column, layout.answer_column) == (1, 3, 4)
    assert [q.cells[0] for q in parsed.questions] == ["1", "2", "3", "4", "5"]  # whole numbers without ".0"


def test_values_are_read_not_formulas_and_dates_as_iso() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Question", "Answer", "Due"])
    ws.append([builders.ACCESS_QUESTIONS[0], "=1+1", None])
    data = builders.to_bytes(wb)
    parsed = parse(data)
    # openpyxl saved no cached value for the formula: values-only reading yields nothing, never "=1+1"
    assert parsed.questions[0].existing_answer == ""


def test_too_many_questions_are_refused() -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Big")
    ws.append(["Question", "Answer"])
    for number in range(MAX_QUESTIONS + 1):
        ws.append([f"Do you do thing {number}?", ""])
    with pytest.raises(QuestionnaireFormatError, match="more than 10,000 questions"):
        parse(builders.to_bytes(wb))


def test_long_cells_are_cut() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Question", "Answer"])
    ws.append(["Do you " + "really " * 5000 + "encrypt?", ""])
    (question,) = parse(builders.to_bytes(wb)).questions
    assert len(question.question) == 20_000
    assert question.question.endswith("…")


def test_a_damaged_workbook_says_so() -> None:
    data = builders.replace_part(builders.control_workbook(), "xl/workbook.xml", b"<workbook><sheets>")
    with pytest.raises(QuestionnaireFormatError, match="could not be opened"):
        parse(data)


def test_to_dict_round_trip_through_json() -> None:
    import json

    parsed = parse(builders.titled_workbook())
    assert ParsedQuestionnaire.from_dict(json.loads(json.dumps(parsed.to_dict()))) == parsed
