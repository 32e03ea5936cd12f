"""`parse_questionnaire`: read a questionnaire file, its format told by its content.

zip magic -> XLSX; OLE2 magic -> refused (encrypted workbook or legacy .xls); text whose first
meaningful line opens a JSON object -> VSAQ JSON; other text -> CSV. The file name's extension
is only a hint: a .json file is read as VSAQ, and a file named like a workbook that turns out to be text
gets a message saying so if it does not read as CSV either.
"""

from __future__ import annotations

import codecs

from .base import ParsedQuestionnaire, QuestionnaireFormatError
from .csvfile import parse_csv
from .limits import MAX_FILE_BYTES
from .safety import ENCRYPTED_MESSAGE, OLE2_MAGIC, ZIP_MAGICS
from .vsaq import looks_like_vsaq, parse_vsaq
from .xlsx import parse_xlsx

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".xltx", ".ods", ".numbers")


def check_size(data: bytes) -> None:
    if not data:
        raise QuestionnaireFormatError("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise QuestionnaireFormatError(
            f"The file is {len(data) / (1024 * 1024):.1f} MiB, more than the limit of "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MiB."
        )


def parse_questionnaire(data: bytes, *, filename: str) -> ParsedQuestionnaire:
    """The questions of a CSV, XLSX or VSAQ JSON file; QuestionnaireFormatError says what is wrong."""
    check_size(data)
    name = filename.lower()
    if data.startswith(OLE2_MAGIC):
        raise QuestionnaireFormatError(ENCRYPTED_MESSAGE)
    if data.startswith(ZIP_MAGICS):
        return parse_xlsx(data, filename=filename)
    head = _text_head(data)
    if name.endswith(".json") or looks_like_vsaq(head):
        return parse_vsaq(_utf8_text(data))
    if head.lstrip().startswith("<"):
        raise QuestionnaireFormatError(
            "The file is HTML or XML, not a questionnaire: open it in Excel and save it as an .xlsx workbook."
        )
    try:
        return parse_csv(data)
    except QuestionnaireFormatError as exc:
        if name.endswith(WORKBOOK_EXTENSIONS):
            extension = name[name.rindex(".") :]
            raise QuestionnaireFormatError(
                f"The file is named {extension} but is not an Excel workbook, nor readable as CSV: {exc}"
            ) from None
        raise


def _text_head(data: bytes) -> str:
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def _utf8_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuestionnaireFormatError(
            f"The questionnaire JSON is not UTF-8 text (byte {exc.start} cannot be read)."
        ) from None
