"""Reading a Google VSAQ questionnaire template (JSON with a licence comment and nested blocks).

A VSAQ template is `{"questionnaire": [block]}`; a block has `text` and `items`, items nest further
blocks. The answerable items are "line" and "box" (free text), "yesno", "radiogroup" and "checkgroup"
(with `choices`: a list of one-entry objects, choice id -> text) and a lone "check"/"radio"; "info",
"tip", "spacer" and "upload" items are not questions. Each answerable item becomes a question whose id
is the item id and whose section is its block path (block texts joined by SECTION_SEPARATOR); the root
block's text is the questionnaire's title. `cond` expressions are kept as the question's condition.

The files are not strict JSON: they open with `//` comment lines and join long strings with `+`
("..." + "..."), as JavaScript would; both are undone before json.loads. Item text may hold HTML; the
question text is that text as plain text.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from .base import ParsedQuestion, ParsedQuestionnaire, QuestionnaireFormatError
from .limits import MAX_QUESTIONS, clip

ANSWERABLE = frozenset({"line", "box", "yesno", "radiogroup", "checkgroup", "check", "radio"})
GROUPS = frozenset({"radiogroup", "checkgroup"})
SECTION_SEPARATOR = " \u203a "  # "Application > Application Metadata", with a single guillemet
MAX_DEPTH = 40

_STRING = r'"(?:[^"\\\n]|\\.)*"'
_STRING_CHAIN = re.compile(rf"{_STRING}(?:\s*\+\s*{_STRING})*")
_STRING_LITERAL = re.compile(_STRING)
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|br|li|ul|ol|div|tr|td|th|h[1-6]|table)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def looks_like_vsaq(text: str) -> bool:
    """The text, past blank and `//` comment lines, starts a JSON object."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        return stripped.startswith("{")
    return False


def _join_strings(match: re.Match[str]) -> str:
    chain = match.group()
    literals = _STRING_LITERAL.findall(chain)
    if len(literals) == 1:
        return chain
    joined = "".join(json.loads(literal) for literal in literals)
    return json.dumps(joined, ensure_ascii=False) + "\n" * chain.count("\n")  # keep line numbers


def load_vsaq_json(text: str) -> Any:
    """The JSON value of a VSAQ file: full-line `//` comments dropped, `"a" + "b"` joined."""
    lines = ["" if line.lstrip().startswith("//") else line for line in text.split("\n")]
    try:
        source = _STRING_CHAIN.sub(_join_strings, "\n".join(lines))
        return json.loads(source)
    except json.JSONDecodeError as exc:
        raise QuestionnaireFormatError(
            f"The questionnaire is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise QuestionnaireFormatError("The questionnaire's JSON is nested too deeply.") from None


def plain_text(value: Any) -> str:
    """Item text as plain text: HTML tags dropped, entities decoded, whitespace collapsed."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "<" in text:
        text = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
    return " ".join(html.unescape(text).split())


def parse_vsaq(text: str) -> ParsedQuestionnaire:
    document = load_vsaq_json(text)
    if not isinstance(document, dict) or not isinstance(document.get("questionnaire"), list):
        raise QuestionnaireFormatError(
            'The JSON file is not a VSAQ questionnaire: it has no "questionnaire" list at the top.'
        )
    items = document["questionnaire"]
    title = ""
    if len(items) == 1 and isinstance(items[0], dict) and items[0].get("type") == "block":
        title = plain_text(items[0].get("text"))
        root_cond = items[0].get("cond")
        items = items[0].get("items") or []
        conditions = [str(root_cond)] if root_cond else []
    else:
        conditions = []
    reader = _Reader()
    reader.walk(items, [], conditions, "the questionnaire")
    if not reader.questions:
        raise QuestionnaireFormatError("The VSAQ questionnaire holds no answerable items.")
    return ParsedQuestionnaire(format="vsaq", layouts=(), questions=tuple(reader.questions), title=title)


class _Reader:
    def __init__(self) -> None:
        self.questions: list[ParsedQuestion] = []
        self.seen: set[str] = set()

    def walk(self, items: Any, path: list[str], conditions: list[str], where: str) -> None:
        if not isinstance(items, list):
            raise QuestionnaireFormatError(f'In {where}: "items" is not a list.')
        if len(path) > MAX_DEPTH:
            raise QuestionnaireFormatError(f"In {where}: blocks are nested more than {MAX_DEPTH} deep.")
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise QuestionnaireFormatError(f"In {where}: item {number} is not an object.")
            kind = item.get("type")
            cond = item.get("cond")
            own = [*conditions, str(cond)] if cond else conditions
            if kind == "block":
                block = plain_text(item.get("text"))
                inner = f'block "{clip(block, 60)}"' if block else f"item {number} of {where}"
                self.walk(item.get("items") or [], [*path, block] if block else path, own, inner)
            elif kind in ANSWERABLE:
                self.add(item, str(kind), path, own, where, number)

    def add(
        self, item: dict[str, Any], kind: str, path: list[str], conditions: list[str], where: str, number: int
    ) -> None:
        item_id = item.get("id")
        choices = _choices(item, kind, item_id or f"{number} of {where}")
        if not isinstance(item_id, str) or not item_id.strip():
            if kind not in GROUPS or not choices:
                raise QuestionnaireFormatError(f'In {where}: item {number} (a "{kind}" item) has no id.')
            item_id = self.group_id(choices)  # VSAQ answers a group by its choice ids; it needs no own id
        if item_id in self.seen:
            raise QuestionnaireFormatError(f'In {where}: the item id "{item_id}" is used twice.')
        self.seen.add(item_id)
        if len(self.questions) >= MAX_QUESTIONS:
            raise QuestionnaireFormatError(
                f"The questionnaire holds more than {MAX_QUESTIONS:,} questions (the limit)."
            )
        self.questions.append(
            ParsedQuestion(
                position=len(self.questions),
                sheet="",
                row=0,
                question_id=clip(item_id, 200),
                question=clip(plain_text(item.get("text")) or item_id),
                section=SECTION_SEPARATOR.join(path),
                kind=kind,
                choices=choices,
                condition=" && ".join(conditions),
            )
        )

    def group_id(self, choices: tuple[tuple[str, str], ...]) -> str:
        """An id for a group without one: its choice ids' common prefix ("application_ssl")."""
        ids = [choice_id for choice_id, _ in choices]
        prefix = ids[0]
        for other in ids[1:]:
            while not other.startswith(prefix):
                prefix = prefix[:-1]
        prefix = prefix.rstrip("_-:. ")
        if len(choices) > 1 and prefix and prefix not in self.seen:
            return prefix
        return f"{choices[0][0]}_group"


def _choices(item: dict[str, Any], kind: str, item_id: Any) -> tuple[tuple[str, str], ...]:
    if kind == "yesno":
        return (("yes", plain_text(item.get("yes")) or "Yes"), ("no", plain_text(item.get("no")) or "No"))
    if kind not in GROUPS:
        return ()
    choices = item.get("choices")
    if not isinstance(choices, list):
        raise QuestionnaireFormatError(f'The "{kind}" item "{item_id}" has no list of choices.')
    found: list[tuple[str, str]] = []
    for choice in choices:
        if not isinstance(choice, dict) or len(choice) != 1:
            raise QuestionnaireFormatError(
                f'A choice of the item "{item_id}" is not an object with one entry (choice id: text).'
            )
        ((choice_id, text),) = choice.items()
        found.append((clip(str(choice_id), 200), clip(plain_text(text))))
    return tuple(found)
