"""Reading Google VSAQ questionnaire templates."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.answers.formats.builders import FIXTURES
from trustroom.answers.questionnaires.formats import (
    ParsedQuestionnaire,
    QuestionnaireFormatError,
    parse_questionnaire,
)
from trustroom.answers.questionnaires.formats.vsaq import SECTION_SEPARATOR, load_vsaq_json


def parse_fixture(name: str) -> ParsedQuestionnaire:
    return parse_questionnaire((FIXTURES / name).read_bytes(), filename=name)


def test_webapp_has_73_answerable_items() -> None:
    parsed = parse_fixture("webapp.json")
    assert parsed.format == "vsaq"
    assert parsed.title == "Web Application Security Questionnaire"
    assert len(parsed.questions) == 73
    assert Counter(q.kind for q in parsed.questions) == {
        "radiogroup": 37,
        "box": 15,
        "line": 11,
        "checkgroup": 10,
    }
    assert parsed.layouts == ()


def test_infrastructure_has_96_answerable_items() -> None:
    parsed = parse_fixture("infrastructure.json")
    assert len(parsed.questions) == 96
    assert parsed.title == "Infrastructure Security Questionnaire"


def test_items_carry_id_block_path_choices_and_condition() -> None:
    parsed = parse_fixture("webapp.json")
    by_id = {q.question_id: q for q in parsed.questions}
    name = by_id["application_name"]
    assert (name.kind, name.question, name.sheet, name.row) == ("line", "The name of the application:", "", 0)
    assert name.section == SECTION_SEPARATOR.join(["Application", "Application Metadata"])
    assert name.section == "Application \u203a Application Metadata"
    contact = by_id["application_vm_securitycontact"]
    assert contact.kind == "radiogroup"
    assert [choice_id for choice_id, _ in contact.choices] == [
        "application_vm_securitycontact_yes",
        "application_vm_securitycontact_no",
    ]
    assert contact.choices[0][1].startswith("Yes, we have a published security email contact")
    xsrf = by_id["application_authz_xsrf"]
    assert xsrf.condition  # shown only when its blocks' conditions hold
    assert "application_authentication_requires_login" in xsrf.condition
    assert len({q.question_id for q in parsed.questions}) == 73  # ids are unique


def test_tips_and_info_are_not_questions_and_html_is_plain_text() -> None:
    parsed = parse_fixture("webapp.json")
    ids = {q.question_id for q in parsed.questions}
    assert "warn_application_vm_securitycontact" not in ids  # a "tip"
    texts = " ".join(q.question for q in parsed.questions)
    assert "<p>" not in texts
    assert "<strong>" not in texts
    assert (
        '<script src="http://www.example.com/contacts.js">' in texts
    )  # escaped in the source: shown as code
    ssl = next(q for q in parsed.questions if q.question_id == "application_ssl")  # a group without own id
    assert "<code>" not in ssl.choices[0][1]
    assert "http://" in ssl.choices[0][1]


def test_comment_lines_and_string_concatenation_are_undone() -> None:
    text = '// licence\n// more\n{"questionnaire": [{"type": "block", "text": "T", "items": [\n'
    text += '{"type": "box", "id": "q1", "text": "Part one, " +\n   "part two."}]}]}\n'
    document = load_vsaq_json(text)
    assert document["questionnaire"][0]["items"][0]["text"] == "Part one, part two."
    parsed = parse_questionnaire(text.encode(), filename="custom.json")
    assert parsed.questions[0].question == "Part one, part two."
    assert parsed.questions[0].section == ""


def test_yesno_items() -> None:
    document = {
        "questionnaire": [
            {
                "type": "block",
                "text": "Root",
                "items": [{"type": "yesno", "id": "mfa", "text": "MFA?", "yes": "Y", "no": "N"}],
            }
        ]
    }
    parsed = parse_questionnaire(json.dumps(document).encode(), filename="q.json")
    assert parsed.questions[0].choices == (("yes", "Y"), ("no", "N"))


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(QuestionnaireFormatError, match=r"not valid JSON: .* at line 3, column"):
        parse_questionnaire(b'// c\n{"questionnaire": [\n  {"type": }\n]}', filename="q.json")


def test_json_that_is_not_vsaq() -> None:
    with pytest.raises(QuestionnaireFormatError, match='no "questionnaire" list'):
        parse_questionnaire(b'{"findings": []}', filename="q.json")


def test_duplicate_and_missing_ids_are_named() -> None:
    items = [{"type": "line", "id": "a", "text": "A?"}, {"type": "line", "id": "a", "text": "B?"}]
    document = {
        "questionnaire": [
            {"type": "block", "text": "Root", "items": [{"type": "block", "text": "Sub", "items": items}]}
        ]
    }
    with pytest.raises(QuestionnaireFormatError, match='In block "Sub": the item id "a" is used twice'):
        parse_questionnaire(json.dumps(document).encode(), filename="q.json")
    document["questionnaire"][0]["items"][0]["items"] = [{"type": "box", "text": "No id?"}]
    with pytest.raises(QuestionnaireFormatError, match=r'item 1 \(a "box" item\) has no id'):
        parse_questionnaire(json.dumps(document).encode(), filename="q.json")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(QuestionnaireFormatError, match="nested"):
        parse_questionnaire(b"[" * 100_000 + b"]" * 100_000, filename="q.json")
    block: dict = {"type": "line", "id": "x", "text": "x"}
    for _ in range(60):
        block = {"type": "block", "text": "b", "items": [block]}
    with pytest.raises(QuestionnaireFormatError, match="nested more than"):
        parse_questionnaire(json.dumps({"questionnaire": [block]}).encode(), filename="q.json")
