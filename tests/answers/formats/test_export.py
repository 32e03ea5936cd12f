"""Writing answers back: into the customer's workbook, as CSV, and as VSAQ answers JSON."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from tests.answers.formats import builders
from tests.answers.formats.test_csv import SEMICOLON, UNNAMED_HEADERS
from trustroom.answers.questionnaires.formats import (
    AnswerColumns,
    ParsedQuestionnaire,
    QuestionnaireFormatError,
    parse_questionnaire,
    write_csv,
    write_vsaq_answers,
    write_xlsx,
)


def parse(data: bytes, filename: str) -> ParsedQuestionnaire:
    return parse_questionnaire(data, filename=filename)


def reopen(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


# --- write_xlsx ------------------------------------------------------------------------------------


def test_answers_go_into_the_answer_cells_and_the_rest_is_kept() -> None:
    original = builders.titled_workbook()
    parsed = parse(original, "q.xlsx")
    out = write_xlsx(original, parsed, {0: "Yes, enforced by our IdP.", 3: "AES-256 for all stores."})
    ws = reopen(out)["Security"]
    assert ws["C7"].value == "Yes, enforced by our IdP."
    assert ws["C11"].value == "AES-256 for all stores."
    assert ws["C8"].value is None
    assert ws["C7"].alignment.wrap_text is True
    # formatting, widths, merged cells and other cells survive
    assert ws["A1"].value == "Acme Corp - Vendor Security Questionnaire"
    assert ws["A1"].font.bold is True and ws["A1"].font.size == 16
    assert ws["B5"].font.bold is True
    assert ws["B5"].fill.fgColor.rgb == "FF1F4E79"
    assert ws.column_dimensions["B"].width == 80
    assert ws.column_dimensions["C"].width == 45
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B7"].value == builders.ACCESS_QUESTIONS[0]
    # re-parsing the export finds the answers as existing answers
    again = parse(out, "q.xlsx")
    assert [q.existing_answer for q in again.questions][:2] == ["Yes, enforced by our IdP.", ""]


def test_other_sheets_are_untouched() -> None:
    original = builders.two_sheet_workbook()
    parsed = parse(original, "q.xlsx")
    out = write_xlsx(original, parsed, {0: "Yes."})
    before, after = reopen(original), reopen(out)
    assert after.sheetnames == before.sheetnames
    for name in ("Cover", "Lists"):
        assert [list(r) for r in after[name].values] == [list(r) for r in before[name].values]
    assert after["Lists"].sheet_state == "hidden"
    assert after["Questions"]["C2"].value == "Yes."


def test_a_sheet_without_answer_column_gets_an_answer_header_styled_like_the_headers() -> None:
    original = builders.no_answer_column_workbook()
    parsed = parse(original, "q.xlsx")
    out = write_xlsx(original, parsed, {0: "We follow NIST 800-61.", 2: "Yes, in our CMDB."})
    ws = reopen(out)["Requirements"]
    assert ws["D1"].value == "Answer"
    assert ws["D1"].font.bold is True
    assert ws["D1"].fill.fgColor.rgb == ws["C1"].fill.fgColor.rgb == "FF1F4E79"
    assert ws["D2"].value == "We follow NIST 800-61."
    assert ws["D3"].value is None
    assert ws["D4"].value == "Yes, in our CMDB."
    assert ws.column_dimensions["D"].width == 60
    assert parse(out, "q.xlsx").layouts[0].answer_column == 4


def test_answers_that_look_like_formulas_stay_text() -> None:
    original = builders.control_workbook()
    parsed = parse(original, "q.xlsx")
    out = write_xlsx(original, parsed, {1: '=HYPERLINK("http://evil")', 2: "ok\x07 with a bell"})
    ws = reopen(out)["Controls"]
    assert ws["D3"].data_type == "s"
    assert ws["D3"].value == '=HYPERLINK("http://evil")'
    assert ws["D4"].value == "ok with a bell"


def test_write_xlsx_only_takes_xlsx_and_known_positions() -> None:
    csv_parsed = parse(SEMICOLON.encode(), "q.csv")
    with pytest.raises(QuestionnaireFormatError, match=r"Only questionnaires uploaded as \.xlsx"):
        write_xlsx(SEMICOLON.encode(), csv_parsed, {0: "x"})
    original = builders.control_workbook()
    with pytest.raises(ValueError, match="No question at position"):
        write_xlsx(original, parse(original, "q.xlsx"), {99: "x"})


# --- write_csv ---------------------------------------------------------------------------------------


RESULT = AnswerColumns(
    answer="Yes, for all admins.", answer_key="mfa-admins", confidence=0.876, status="generated"
)


def test_csv_output_keeps_every_row_and_adds_four_columns() -> None:
    parsed = parse(UNNAMED_HEADERS.encode(), "q.csv")
    out = rows(
        write_csv(UNNAMED_HEADERS.encode(), parsed, {0: RESULT, 2: AnswerColumns(status="needs_review")})
    )
    original = rows(UNNAMED_HEADERS)
    assert len(out) == len(original)
    for written, source in zip(out, original, strict=True):
        assert written[: len(source)] == source
    assert out[0][4:] == ["answer", "answer_key", "confidence", "status"]
    assert out[1][4:] == ["Yes, for all admins.", "mfa-admins", "0.88", "generated"]
    assert out[2][4:] == ["", "", "", ""]
    assert out[3][4:] == ["", "", "", "needs_review"]


def test_csv_output_keeps_lines_before_the_header_the_delimiter_and_fills_an_existing_answer_column() -> None:
    data = SEMICOLON.encode()
    parsed = parse(data, "q.csv")
    text = write_csv(data, parsed, {1: RESULT})
    out = rows(text, ";")
    assert out[0] == ["Vendor questionnaire 2025"]
    assert out[1] == ["", "", ""]
    assert out[2] == [
        "ID",
        "Category",
        "Question",
        "Answer",
        "answer_key",
        "confidence",
        "status",
    ]  # no second "answer"
    assert out[3] == [
        "1",
        "Access",
        "Do you enforce MFA, for all admins?",
        "Yes",
        "",
        "",
        "",
    ]  # kept: no new answer
    assert out[4] == [
        "2",
        "Access",
        "Are access reviews done quarterly?",
        "Yes, for all admins.",
        "mfa-admins",
        "0.88",
        "generated",
    ]
    assert out[5] == ["", "", "", "", "", "", ""]
    assert len(out) == 7


def test_csv_without_header_row_gets_one() -> None:
    data = (
        b"Do you enforce MFA for admins?,Yes\nAre access rights reviewed?,No\nIs data encrypted at rest?,\n"
    )
    parsed = parse(data, "q.csv")
    out = rows(write_csv(data, parsed, {2: RESULT}))
    assert out[0] == ["", "", "answer", "answer_key", "confidence", "status"]
    assert out[1:] == [
        ["Do you enforce MFA for admins?", "Yes", "", "", "", ""],
        ["Are access rights reviewed?", "No", "", "", "", ""],
        ["Is data encrypted at rest?", "", "Yes, for all admins.", "mfa-admins", "0.88", "generated"],
    ]


def test_formula_injection_is_guarded_in_our_columns_only() -> None:
    data = b"Question,Note\nDo you log admin actions?,=SUM(1+1)\n"
    parsed = parse(data, "q.csv")
    evil = AnswerColumns(answer="=cmd|' /C calc'!A0", answer_key="@key", confidence=0.5, status="generated")
    out = rows(write_csv(data, parsed, {0: evil}))
    assert out[1] == [
        "Do you log admin actions?",
        "=SUM(1+1)",
        "'=cmd|' /C calc'!A0",
        "'@key",
        "0.50",
        "generated",
    ]
    for start in "+-@\t":
        (row,) = rows(write_csv(data, parsed, {0: AnswerColumns(answer=f"{start}1", confidence=1.0)}))[1:]
        assert row[2] == f"'{start}1"


def test_csv_export_of_a_single_sheet_workbook_uses_its_headers() -> None:
    original = builders.control_workbook()
    parsed = parse(original, "q.xlsx")
    out = rows(write_csv(original, parsed, {0: RESULT}))
    assert out[0] == [
        "sheet", "row", "Control ID", "Domain", "Question", "Vendor Response", "Comments",
        "answer", "answer_key", "confidence", "status",
    ]  # fmt: skip
    assert out[1] == [
        "Controls", "2", "AC-01", "Access Control", builders.ACCESS_QUESTIONS[0], "Yes", "",
        "Yes, for all admins.", "mfa-admins", "0.88", "generated",
    ]  # fmt: skip
    assert out[3][5:7] == ["", ""]  # padded to the header width
    assert len(out) == 1 + len(parsed.questions)


def test_csv_export_of_a_multi_sheet_workbook() -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "A"
    wb.active.append(["Question", "Answer"])
    wb.active.append(["Do you patch monthly?", ""])
    other = wb.create_sheet("B")
    other.append(["Question", "Answer"])
    other.append(["-Do you scan containers?", ""])
    original = builders.to_bytes(wb)
    parsed = parse(original, "q.xlsx")
    out = rows(write_csv(original, parsed, {1: RESULT}))
    assert out == [
        ["sheet", "row", "question", "answer", "answer_key", "confidence", "status"],
        ["A", "2", "Do you patch monthly?", "", "", "", ""],
        ["B", "2", "'-Do you scan containers?", "Yes, for all admins.", "mfa-admins", "0.88", "generated"],
    ]


def test_csv_export_of_vsaq() -> None:
    data = (builders.FIXTURES / "webapp.json").read_bytes()
    parsed = parse(data, "webapp.json")
    out = rows(write_csv(data, parsed, {0: RESULT}))
    assert out[0] == ["section", "question_id", "question", "answer", "answer_key", "confidence", "status"]
    assert out[1][:3] == [
        "Application \u203a Application Metadata",
        "application_name",
        "The name of the application:",
    ]
    assert out[1][3] == "Yes, for all admins."
    assert len(out) == 74


# --- write_vsaq_answers -------------------------------------------------------------------------------


def test_vsaq_answers_json() -> None:
    data = (builders.FIXTURES / "webapp.json").read_bytes()
    parsed = parse(data, "webapp.json")
    position = {q.question_id: q.position for q in parsed.questions}
    answers = {
        position["application_name"]: "Trustroom",
        position["application_vm_securitycontact"]: "Yes, security@example.com, triaged within a day.",
        position[
            "application_ssl"
        ]: "The web application is flexible — users can reach it over HTTP or over HTTPS.",
        position["application_description"]: "   ",
    }
    values = json.loads(write_vsaq_answers(parsed, answers))
    assert values["application_name"] == "Trustroom"
    assert values["application_vm_securitycontact"].startswith("Yes, security@")
    assert values["application_vm_securitycontact_yes"] == "checked"
    assert "application_vm_securitycontact_no" not in values
    assert values["application_ssl_mixed"] == "checked"
    assert "application_description" not in values


def test_vsaq_yesno_and_checkgroup_answers() -> None:
    document = {
        "questionnaire": [
            {
                "type": "block",
                "text": "Root",
                "items": [
                    {"type": "yesno", "id": "mfa", "text": "MFA?", "yes": "Yes", "no": "No"},
                    {"type": "checkgroup", "id": "os", "text": "Which OS?", "defaultChoice": False,
                     "choices": [{"os_linux": "Linux"}, {"os_windows": "Windows"}, {"os_mac": "macOS"}]},
                ],
            }
        ]
    }  # fmt: skip
    parsed = parse(json.dumps(document).encode(), "q.json")
    values = json.loads(write_vsaq_answers(parsed, {0: "No, not yet.", 1: "Linux\nmacOS"}))
    assert values == {"mfa": "no", "os": "Linux\nmacOS", "os_linux": "checked", "os_mac": "checked"}
    with pytest.raises(QuestionnaireFormatError, match="Only VSAQ"):
        write_vsaq_answers(parse(builders.control_workbook(), "q.xlsx"), {})


def test_rich_text_data_validation_comments_and_frozen_panes_survive() -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Question", "Answer"])
    ws["A2"] = CellRichText(["Do you ", TextBlock(InlineFont(b=True), "encrypt"), " data at rest?"])
    ws["A3"] = "Do you rotate keys?"
    ws["A3"].comment = Comment("Asked by legal", "Legal")
    choices = DataValidation(type="list", formula1='"Yes,No,N/A"')
    ws.add_data_validation(choices)
    choices.add("B2:B3")
    ws.freeze_panes = "A2"
    original = builders.to_bytes(wb)
    parsed = parse(original, "q.xlsx")
    assert parsed.questions[0].question == "Do you encrypt data at rest?"
    out = openpyxl.load_workbook(
        io.BytesIO(write_xlsx(original, parsed, {0: "Yes", 1: "No"})), rich_text=True
    )
    sheet = out.active
    assert isinstance(sheet["A2"].value, CellRichText)
    assert sheet["A2"].value[1].font.b is True
    assert (sheet["B2"].value, sheet["B3"].value) == ("Yes", "No")
    assert str(sheet.data_validations.dataValidation[0].sqref) == "B2:B3"
    assert sheet["A3"].comment.text == "Asked by legal"
    assert sheet.freeze_panes == "A2"


def test_csv_export_of_a_workbook_fills_its_own_answer_column() -> None:
    original = builders.large_workbook(2)
    parsed = parse(original, "q.xlsx")
    out = rows(write_csv(original, parsed, {1: RESULT}))
    assert out[0] == [
        "sheet", "row", "ID", "Category", "Question", "Answer", "Comments", "answer_key", "confidence", "status",
    ]  # fmt: skip
    assert out[2][5:] == ["Yes, for all admins.", "", "mfa-admins", "0.88", "generated"]


def test_a_csv_we_exported_can_be_uploaded_and_exported_again() -> None:
    data = UNNAMED_HEADERS.encode()
    first = write_csv(data, parse(data, "q.csv"), {0: RESULT, 1: RESULT}).encode()
    parsed = parse(first, "q.csv")
    assert parsed.layouts[0].headers[4:] == ("answer", "answer_key", "confidence", "status")
    again = rows(
        write_csv(first, parsed, {1: AnswerColumns(answer="No.", answer_key="reviews", confidence=0.4)})
    )
    assert again[0] == ["Nr", "Area", "Text", "Vendor input", "answer", "answer_key", "confidence", "status"]
    assert again[1][4:] == ["Yes, for all admins.", "mfa-admins", "0.88", "generated"]  # no new result: kept
    assert again[2][4:] == ["No.", "reviews", "0.40", "needs_review"]
