"""Hostile workbooks are refused before openpyxl reads them, each with its own message, and fast."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import openpyxl
import pytest

from tests.answers.formats import builders
from trustroom.answers.questionnaires.formats import QuestionnaireFormatError, parse_questionnaire
from trustroom.answers.questionnaires.formats.safety import check_xlsx_archive, require_defused_openpyxl

FAST_SECONDS = 3.0


@contextmanager
def refused(match: str) -> Iterator[None]:
    started = time.monotonic()
    with pytest.raises(QuestionnaireFormatError, match=match):
        yield
    assert time.monotonic() - started < FAST_SECONDS


def parse(data: bytes, filename: str = "questionnaire.xlsx") -> None:
    parse_questionnaire(data, filename=filename)


def test_ole2_compound_file_is_an_encrypted_or_legacy_workbook() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096
    with refused(
        r"encrypted \(password-protected\) or legacy \.xls workbook: save it as an unprotected \.xlsx"
    ):
        parse(data)
    with refused("encrypted"):
        parse(data, filename="old.xls")


def test_a_workbook_with_vba_project_is_refused() -> None:
    data = builders.replace_part(
        builders.control_workbook(), "", b"", extra={"xl/vbaProject.bin": b"\0" * 512}
    )
    with refused(r"macro-enabled .*save it as a macro-free \.xlsx"):
        parse(data)


def test_an_xlsm_with_macro_content_type_and_vba_project_is_refused() -> None:
    with refused("macro-enabled"):
        parse(builders.macro_workbook(), filename="tool.xlsx")
    with refused("macro-enabled"):
        parse(builders.control_workbook(), filename="tool.xlsm")


def test_a_macro_enabled_content_type_alone_is_refused() -> None:
    data = builders.control_workbook()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    types = types.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    with refused("macro-enabled"):
        parse(builders.replace_part(data, "[Content_Types].xml", types))


def test_zip_bomb_by_declared_total_size() -> None:
    with refused(r"would unpack to 2\d\d MiB, more than the limit of 200 MiB \(it may be a zip bomb\)"):
        parse(builders.zeros_zip(210 * 1024 * 1024))


def test_zip_bomb_by_compression_ratio() -> None:
    with refused(r'part "xl/worksheets/sheet1.xml" is compressed [\d,]+:1, more than the limit of 100:1'):
        parse(builders.zeros_zip(20 * 1024 * 1024))


def test_too_many_zip_members() -> None:
    with refused("holds 2,001 zip parts, more than the limit of 2,000"):
        parse(builders.many_members_zip(2001))


def test_a_part_that_unpacks_to_more_than_it_declares() -> None:
    with refused(r'part "xl/worksheets/sheet1.xml" is damaged'):
        parse(builders.lying_size_zip())


def test_billion_laughs_in_shared_strings() -> None:
    data = builders.shared_strings_workbook(builders.BILLION_LAUGHS)
    with refused(r'part "xl/sharedStrings.xml" contains a DOCTYPE or ENTITY declaration'):
        parse(data)


def test_external_entity_in_the_workbook_part() -> None:
    data = builders.replace_part(builders.control_workbook(), "xl/workbook.xml", builders.XXE_WORKBOOK)
    with refused(r'part "xl/workbook.xml" contains a DOCTYPE or ENTITY declaration'):
        parse(data)


def test_a_doctype_in_utf16_or_split_across_chunks_is_found() -> None:
    utf16 = builders.BILLION_LAUGHS.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    data = builders.shared_strings_workbook(utf16)
    with refused("DOCTYPE or ENTITY"):
        parse(data)
    padded = b'<?xml version="1.0"?>' + b" " * (64 * 1024 - 25) + b"<!DOCTYPE x []><sst/>"
    data = builders.shared_strings_workbook(padded)
    with refused("DOCTYPE or ENTITY"):
        parse(data)


def test_an_exotic_xml_encoding_is_refused() -> None:
    part = b'<?xml version="1.0" encoding="cp037"?><sst/>'
    data = builders.shared_strings_workbook(part)
    with refused(r'declares the text encoding "cp037"'):
        parse(data)


def test_zips_that_are_not_workbooks() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with refused(r"a zip archive, not an Excel workbook"):
        parse(out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with refused(r"OpenDocument spreadsheet \(\.ods\)"):
        parse(out.getvalue())
    with refused("damaged"):
        parse(b"PK\x03\x04" + b"\0" * 100)


def test_a_plain_workbook_passes_the_checks() -> None:
    check_xlsx_archive(builders.titled_workbook())
    parsed = parse_questionnaire(builders.shared_strings_workbook(), filename="q.xlsx")
    assert parsed.questions[0].question == "Do you run background checks on new staff?"


def test_openpyxl_parses_through_defusedxml() -> None:
    require_defused_openpyxl()
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")
    assert functions.fromstring.__module__.startswith("defusedxml")
    # Without our own scan, openpyxl would still refuse the entity declarations (via defusedxml).
    data = builders.shared_strings_workbook(builders.BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        list(wb.active.values)
    assert "Entit" in type(caught.value).__name__ or "Entit" in repr(caught.value.__cause__)
    assert time.monotonic() - started < FAST_SECONDS
