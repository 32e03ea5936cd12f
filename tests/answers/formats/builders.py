"""Questionnaire files built in the tests: realistic XLSX and CSV layouts, and hostile files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vsaq"
HEADER_FILL = PatternFill(fill_type="solid", start_color="FF1F4E79", end_color="FF1F4E79")
SECTION_FILL = PatternFill(fill_type="solid", start_color="FFD9E1F2", end_color="FFD9E1F2")

ACCESS_QUESTIONS = [
    "Do you enforce multi-factor authentication for all administrative access?",
    "Are user access rights reviewed at least quarterly?",
    "Describe how you revoke access when an employee leaves.",
]
CRYPTO_QUESTIONS = [
    "Is customer data encrypted at rest?",
    "Which TLS versions do your public endpoints accept?",
]


def to_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def titled_workbook() -> bytes:
    """Title rows with merged cells above a header in row 5, section heading rows, styles and widths."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Security"
    ws["A1"] = "Acme Corp - Vendor Security Questionnaire"
    ws["A1"].font = Font(bold=True, size=16)
    ws.merge_cells("A1:D1")
    ws["A2"] = "Please answer every question in column C. Return the file by 30 June."
    ws.merge_cells("A2:D2")
    ws["A3"] = "Version 3.1"
    for column, text in zip("ABCD", ["#", "Question", "Answer", "Notes"], strict=True):
        cell = ws[f"{column}5"]
        cell.value = text
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = HEADER_FILL
    ws.column_dimensions["B"].width = 80
    ws.column_dimensions["C"].width = 45
    row = 6
    for section, questions in (("Access Control", ACCESS_QUESTIONS), ("Encryption", CRYPTO_QUESTIONS)):
        ws.cell(row, 1, section).fill = SECTION_FILL
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        row += 1
        for number, question in enumerate(questions, start=1):
            ws.cell(row, 1, f"{section[0]}.{number}")
            ws.cell(row, 2, question).alignment = Alignment(wrap_text=True)
            row += 1
    ws["C7"] = "Yes, for every administrator."  # an answer already given
    return to_bytes(wb)


def control_workbook() -> bytes:
    """Control ID | Domain | Question | Vendor Response | Comments, header in row 1."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Controls"
    ws.append(["Control ID", "Domain", "Question", "Vendor Response", "Comments"])
    rows = [
        ("AC-01", "Access Control", ACCESS_QUESTIONS[0], "Yes", ""),
        ("AC-02", "Access Control", ACCESS_QUESTIONS[1], "", "Reviewed by IT"),
        ("CR-01", "Cryptography", CRYPTO_QUESTIONS[0], "", ""),
        ("CR-02", "Cryptography", CRYPTO_QUESTIONS[1], "", ""),
    ]
    for values in rows:
        ws.append(list(values))
    return to_bytes(wb)


def two_sheet_workbook() -> bytes:
    """A cover sheet without questions, a questions sheet and a hidden list sheet."""
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover["A1"] = "Supplier Assurance Questionnaire"
    cover.merge_cells("A1:C1")
    cover["A3"] = "Supplier name:"
    cover["A4"] = "Completed by:"
    cover["A5"] = "Date:"
    cover["A7"] = "Complete the Questions sheet; contact procurement with any doubt."
    questions = wb.create_sheet("Questions")
    questions.append(["Ref", "Question", "Response"])
    for number, question in enumerate(ACCESS_QUESTIONS + CRYPTO_QUESTIONS, start=1):
        questions.append([f"Q{number}", question, ""])
    lists = wb.create_sheet("Lists")
    lists.append(["Choice", "Question"])
    lists.append(["Yes", "Is this a question on a hidden sheet?"])
    lists.sheet_state = "hidden"
    return to_bytes(wb)


def no_answer_column_workbook() -> bytes:
    """Nr | Requirement | Guidance: no answer column, so the export adds one in D."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Requirements"
    ws.append(["Nr", "Requirement", "Guidance"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    ws.append(["1", "Describe your incident response process.", "Include escalation times."])
    ws.append(["2", "Provide your most recent penetration test summary.", ""])
    ws.append(["3", "Do you maintain an asset inventory?", "Hardware and software."])
    return to_bytes(wb)


def no_question_column_workbook() -> bytes:
    wb = Workbook()
    first = wb.active
    first.title = "Sheet1"
    first.append(["Ref", "Owner", "Due date"])
    first.append(["R-1", "Alice", "2025-06-30"])
    second = wb.create_sheet("Sheet2")
    second.append(["Asset", "Location"])
    second.append(["Laptop", "Berlin"])
    return to_bytes(wb)


def large_workbook(count: int = 300) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Questionnaire"
    ws.append(["ID", "Category", "Question", "Answer", "Comments"])
    for number in range(1, count + 1):
        ws.append(
            [f"Q-{number:04d}", "General", f"Question number {number}: do you do thing {number}?", "", ""]
        )
    return to_bytes(wb)


# --- hostile files -----------------------------------------------------------------------------


def replace_part(data: bytes, name: str, content: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook `data` with part `name` replaced by `content` (and `extra` parts added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info))
        for extra_name, extra_content in (extra or {}).items():
            target.writestr(extra_name, extra_content)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">
<si><t>Question</t></si><si><t>&lol9;</t></si></sst>"""

XXE_WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>"""


SHARED_STRINGS = b"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">
<si><t>Question</t></si><si><t>Do you run background checks on new staff?</t></si></sst>"""

SHEET_WITH_SHARED_STRINGS = b"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>
</sheetData></worksheet>"""


def shared_strings_workbook(shared_strings: bytes = SHARED_STRINGS) -> bytes:
    """A workbook whose sheet's cells are shared strings from `shared_strings` (xl/sharedStrings.xml)."""
    data = to_bytes(Workbook())
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    types = types.replace(b"</Types>", override + b"</Types>")
    data = replace_part(data, "[Content_Types].xml", types)
    data = replace_part(data, "xl/worksheets/sheet1.xml", SHEET_WITH_SHARED_STRINGS)
    return replace_part(data, "", b"", extra={"xl/sharedStrings.xml": shared_strings})


def macro_workbook() -> bytes:
    """An .xlsm: a vbaProject.bin part and the macro-enabled main content type."""
    data = control_workbook()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return replace_part(
        data, "[Content_Types].xml", types, extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 64}
    )


def zeros_zip(size: int, *, name: str = "xl/worksheets/sheet1.xml", members: int = 1) -> bytes:
    """A zip whose member(s) unpack to `size` bytes of zeros each (a zip bomb when large)."""
    out = io.BytesIO()
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for number in range(members):
            with archive.open(name if members == 1 else f"{name}.{number}", "w", force_zip64=True) as member:
                left = size
                while left > 0:
                    member.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
    return out.getvalue()


def many_members_zip(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for number in range(count):
            archive.writestr(f"xl/part{number}.xml", b"<a/>")
    return out.getvalue()


def lying_size_zip() -> bytes:
    """A workbook whose sheet part declares 100 bytes but unpacks to far more."""
    data = control_workbook()
    name = "xl/worksheets/sheet1.xml"
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    real = info.file_size.to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    # The sizes sit in the local header (offset 22) and the central directory entry (offset 24).
    local = info.header_offset
    patched = bytearray(data)
    assert patched[local + 22 : local + 26] == real
    patched[local + 22 : local + 26] = fake
    central = 0
    while True:
        central = data.index(b"PK\x01\x02", central)
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_length] == name.encode():
            break
        central += 4
    assert patched[central + 24 : central + 28] == real
    patched[central + 24 : central + 28] = fake
    return bytes(patched)
