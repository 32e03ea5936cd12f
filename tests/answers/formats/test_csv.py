"""Reading CSV questionnaires: encodings, delimiters, header detection by name and by content."""

from __future__ import annotations

import pytest

from trustroom.answers.questionnaires.formats import (
    ParsedQuestionnaire,
    QuestionnaireFormatError,
    parse_questionnaire,
)

SEMICOLON = (
    "Vendor questionnaire 2025\r\n"
    ";;\r\n"
    "ID;Category;Question;Answer\r\n"
    "1;Access;Do you enforce MFA, for all admins?;Yes\r\n"
    "2;Access;Are access reviews done quarterly?;\r\n"
    ";;;\r\n"
    "3;Crypto;Is data encrypted at rest, and how?;\r\n"
)

UNNAMED_HEADERS = (
    "Nr,Area,Text,Vendor input\n"
    "1,Access,Do you enforce multi-factor authentication?,Yes\n"
    "2,Access,Are access rights reviewed quarterly?,No\n"
    "3,Crypto,Is data encrypted at rest?,\n"
    "4,Crypto,Which TLS versions are accepted?,\n"
)


def parse(text: str | bytes, filename: str = "questionnaire.csv") -> ParsedQuestionnaire:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_questionnaire(data, filename=filename)


def test_semicolon_csv_with_a_title_line_and_blank_lines_before_the_header() -> None:
    parsed = parse(SEMICOLON)
    assert parsed.format == "csv"
    assert parsed.delimiter == ";"
    (layout,) = parsed.layouts
    assert (layout.sheet, layout.header_row, layout.question_column, layout.answer_column) == ("", 3, 3, 4)
    assert [q.row for q in parsed.questions] == [4, 5, 7]
    assert [q.question for q in parsed.questions] == [
        "Do you enforce MFA, for all admins?",
        "Are access reviews done quarterly?",
        "Is data encrypted at rest, and how?",
    ]
    assert [q.question_id for q in parsed.questions] == ["C4", "C5", "C7"]
    assert parsed.questions[0].existing_answer == "Yes"
    assert parsed.questions[0].answer_cell is None
    assert parsed.questions[0].cells == ("1", "Access", "Do you enforce MFA, for all admins?", "Yes")


def test_tab_separated() -> None:
    parsed = parse("Question\tResponse\nDo you have an ISMS, certified or not?\tYes\n")
    assert parsed.delimiter == "\t"
    assert parsed.questions[0].existing_answer == "Yes"


def test_headers_that_name_nothing_fall_back_to_content_detection() -> None:
    parsed = parse(UNNAMED_HEADERS)
    (layout,) = parsed.layouts
    assert (layout.header_row, layout.question_column, layout.answer_column) == (1, 3, 4)
    assert layout.headers == ("Nr", "Area", "Text", "Vendor input")
    assert [q.existing_answer for q in parsed.questions] == ["Yes", "No", "", ""]


def test_no_header_row_at_all() -> None:
    parsed = parse(
        "Do you enforce multi-factor authentication?,Yes\n"
        "Are access rights reviewed quarterly?,No\n"
        "Is customer data encrypted at rest?,Yes\n"
    )
    (layout,) = parsed.layouts
    assert (layout.header_row, layout.headers, layout.question_column, layout.answer_column) == (0, (), 1, 2)
    assert [q.row for q in parsed.questions] == [1, 2, 3]


def test_exact_answer_header_is_preferred_over_comments() -> None:
    parsed = parse("Comments,Question,Answer\n,Do you log admin actions?,Yes\n")
    assert parsed.layouts[0].answer_column == 3
    parsed = parse("Question,Comments,Vendor response\nDo you log admin actions?,,Yes\n")
    assert parsed.layouts[0].answer_column == 3
    parsed = parse("Question,Comments\nDo you log admin actions?,Yes\n")
    assert parsed.layouts[0].answer_column == 2


def test_rows_with_an_empty_question_are_not_questions() -> None:
    parsed = parse(
        "ID,Question,Answer\n1,Do you log admin actions?,\n2,,Yes\n,,\n3,Do you keep logs a year?,\n"
    )
    assert [q.row for q in parsed.questions] == [2, 5]


def test_utf8_with_bom_and_cp1252_fallback() -> None:
    text = "Question,Answer\nDo you support the café's SSO \u2013 SAML?,\n"
    parsed = parse(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert parsed.encoding == "utf-8-sig"
    assert parsed.layouts[0].headers == ("Question", "Answer")
    assert parsed.questions[0].question == "Do you support the café's SSO \u2013 SAML?"
    parsed = parse(text.encode("cp1252"))
    assert parsed.encoding == "cp1252"
    assert parsed.questions[0].question == "Do you support the café's SSO \u2013 SAML?"


def test_utf16_text_from_excel() -> None:
    parsed = parse("Question\tAnswer\r\nDo you back up daily?\tYes\r\n".encode("utf-16"))
    assert parsed.encoding == "utf-16"
    assert parsed.questions[0].existing_answer == "Yes"


def test_multiline_quoted_cells_keep_their_record_number() -> None:
    parsed = parse(
        'Question,Answer\n"Describe your backups:\nfrequency and retention.",\nDo you test restores?,\n'
    )
    assert [q.row for q in parsed.questions] == [2, 3]
    assert parsed.questions[0].question == "Describe your backups:\nfrequency and retention."


def test_no_question_column_lists_the_headers() -> None:
    with pytest.raises(QuestionnaireFormatError) as caught:
        parse("Ref,Owner\nR1,Alice\n")
    assert str(caught.value).startswith('No question column found. Headers found: "Ref", "Owner".')


def test_binary_data_is_not_csv() -> None:
    with pytest.raises(QuestionnaireFormatError, match="binary data"):
        parse(b"Question,Answer\n\x00\x01\x02", filename="q.csv")


def test_a_text_file_named_xlsx_says_so_when_it_is_not_csv_either() -> None:
    with pytest.raises(QuestionnaireFormatError, match=r"named \.xlsx but is not an Excel workbook"):
        parse("just some notes\n", filename="q.xlsx")


def test_a_csv_named_xls_is_still_read() -> None:
    parsed = parse("Question,Answer\nDo you back up daily?,Yes\n", filename="export.xls")
    assert parsed.format == "csv"


def test_html_disguised_as_a_spreadsheet() -> None:
    with pytest.raises(QuestionnaireFormatError, match="HTML or XML"):
        parse("<html><table><tr><td>Question</td></tr></table></html>", filename="q.xls")


def test_empty_and_oversized_files() -> None:
    with pytest.raises(QuestionnaireFormatError, match="empty"):
        parse(b"")
    with pytest.raises(QuestionnaireFormatError, match="more than the limit of 10 MiB"):
        parse(b"Question\n" + b"x" * (10 * 1024 * 1024))


def test_an_oversized_cell_names_the_line() -> None:
    with pytest.raises(QuestionnaireFormatError, match="CSV line 2: field larger than field limit"):
        parse("Question,Answer\n" + "x" * 200_000 + ",\n")


def test_a_data_row_mentioning_control_is_not_taken_for_a_header() -> None:
    parsed = parse(
        "1,Access control,Do you enforce MFA for all admins?,Yes\n"
        "2,Access control,Are access rights reviewed quarterly?,No\n"
        "3,Data protection,Is customer data encrypted at rest?,Yes\n"
    )
    (layout,) = parsed.layouts
    assert (layout.header_row, layout.question_column, layout.answer_column) == (0, 3, 4)
    assert len(parsed.questions) == 3


def test_a_single_question_column() -> None:
    parsed = parse("Questions\nDo you have a DPO?\n\nSecurity training\nIs training yearly?\n")
    (layout,) = parsed.layouts
    assert (layout.header_row, layout.question_column, layout.answer_column) == (1, 1, None)
    assert [q.question for q in parsed.questions] == [
        "Do you have a DPO?",
        "Security training",
        "Is training yearly?",
    ]


def test_section_heading_rows_in_a_csv() -> None:
    parsed = parse(
        "Ref,Question,Answer\n"
        "Access Control,,\n"
        "1,Do you enforce MFA?,Yes\n"
        "Encryption,,\n"
        "2,Is data encrypted at rest?,\n"
    )
    assert [(q.row, q.section) for q in parsed.questions] == [(3, "Access Control"), (5, "Encryption")]
