"""Checks on an XLSX file before openpyxl touches it: the zip archive and every XML part in it.

Refused, each with its own message:
- an OLE2 compound file (`D0 CF 11 E0 A1 B1 1A E1`): Excel's password-protected .xlsx and the legacy
  .xls format both are one;
- macro-enabled workbooks (an `xl/vbaProject.bin` part, a macroEnabled content type, a .xlsm name) and
  binary workbooks (.xlsb);
- zip bombs: more than `MAX_ZIP_MEMBERS` parts, a declared unpacked total over
  `MAX_UNCOMPRESSED_BYTES`, a large part compressed more than `MAX_COMPRESSION_RATIO`:1, and, while
  every part is unpacked once here, an actual unpacked size over the declared one or over the limit;
- any XML part holding a DOCTYPE or ENTITY declaration (billion laughs, external entities): Office Open
  XML never needs a DTD. Parts in an encoding other than UTF-8, UTF-16 or ASCII are refused too, so the
  scan for those declarations cannot be dodged by an exotic encoding.

openpyxl itself parses XML through defusedxml when it is installed (it is a dependency):
`require_defused_openpyxl` refuses to go on otherwise.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from collections.abc import Callable

from .base import QuestionnaireFormatError
from .limits import (
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    RATIO_MIN_BYTES,
)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTED_MESSAGE = (
    "The file is an encrypted (password-protected) or legacy .xls workbook: save it as an unprotected .xlsx."
)
MACRO_MESSAGE = (
    "The workbook is macro-enabled (it contains VBA macros, xl/vbaProject.bin): "
    "save it as a macro-free .xlsx workbook."
)
BINARY_MESSAGE = "The file is a binary Excel workbook (.xlsb): save it as an .xlsx workbook."

_MIB = 1024 * 1024
_CHUNK = 64 * 1024
_NEEDLES = ("<!doctype", "<!entity")
_NEEDLE_TAIL = max(len(needle) for needle in _NEEDLES) - 1
_XML_DECLARATION = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']"
)
_ALLOWED_ENCODINGS = frozenset({"utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii"})
_SPREADSHEET_TYPES = (b"spreadsheetml.sheet.main+xml", b"spreadsheetml.template.main+xml")


def check_xlsx_archive(data: bytes, *, filename: str = "") -> None:
    """Raise QuestionnaireFormatError unless `data` is a plain (macro-free, unencrypted) XLSX zip
    that is safe to hand to openpyxl."""
    if data.startswith(OLE2_MAGIC):
        raise QuestionnaireFormatError(ENCRYPTED_MESSAGE)
    lowered_name = filename.lower()
    if lowered_name.endswith((".xlsm", ".xltm")):
        raise QuestionnaireFormatError(MACRO_MESSAGE)
    if lowered_name.endswith(".xlsb"):
        raise QuestionnaireFormatError(BINARY_MESSAGE)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception:
        raise QuestionnaireFormatError(
            "The file is not a valid .xlsx workbook (its zip structure is damaged)."
        ) from None
    with archive:
        members = archive.infolist()
        _check_members(members)
        names = {member.filename.lower() for member in members}
        if any(name.endswith("vbaproject.bin") for name in names):
            raise QuestionnaireFormatError(MACRO_MESSAGE)
        content_types = _unpack_and_scan(archive, members)
    _check_content_types(content_types, names)


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise QuestionnaireFormatError(
            f"The workbook holds {len(members):,} zip parts, more than the limit of {MAX_ZIP_MEMBERS:,} "
            "(it may be a zip bomb)."
        )
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise QuestionnaireFormatError(
            f"The workbook would unpack to {declared / _MIB:,.0f} MiB, more than the limit of "
            f"{MAX_UNCOMPRESSED_BYTES // _MIB} MiB (it may be a zip bomb)."
        )
    for member in members:
        if member.flag_bits & 0x1:
            raise QuestionnaireFormatError(ENCRYPTED_MESSAGE)
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise QuestionnaireFormatError(
                f'The workbook part "{member.filename}" uses a compression method Excel does not use '
                f"({member.compress_type}); save the file again from Excel."
            )
        if member.file_size > RATIO_MIN_BYTES:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise QuestionnaireFormatError(
                    f'The workbook part "{member.filename}" is compressed {ratio:,.0f}:1, more than the '
                    f"limit of {MAX_COMPRESSION_RATIO}:1 (it may be a zip bomb)."
                )


def _unpack_and_scan(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> bytes | None:
    """Unpack every part once, counting the bytes that actually come out and scanning XML for DTDs.

    Returns the bytes of [Content_Types].xml (None when missing).
    """
    total = 0
    content_types: bytes | None = None
    for member in members:
        if member.is_dir():
            continue
        is_content_types = member.filename == "[Content_Types].xml"
        kept: list[bytes] = []
        scan: Callable[[bytes], None] | None = None
        unpacked = 0
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    unpacked += len(chunk)
                    total += len(chunk)
                    if unpacked > member.file_size or total > MAX_UNCOMPRESSED_BYTES:
                        raise QuestionnaireFormatError(
                            f'The workbook part "{member.filename}" unpacks to more than it declares or '
                            f"than the limit of {MAX_UNCOMPRESSED_BYTES // _MIB} MiB (it may be a zip bomb)."
                        )
                    if scan is None and unpacked == len(chunk):
                        scan = _xml_scanner(member.filename, chunk)
                    if scan is not None:
                        scan(chunk)
                    if is_content_types:
                        kept.append(chunk)
        except QuestionnaireFormatError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
            raise QuestionnaireFormatError(
                f'The workbook part "{member.filename}" is damaged; save the file again from Excel.'
            ) from None
        if is_content_types:
            content_types = b"".join(kept)
    return content_types


def _xml_scanner(name: str, first: bytes) -> Callable[[bytes], None] | None:
    """A function to feed the part's chunks to, raising on a DOCTYPE/ENTITY; None when not XML."""
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or first[:2] in (b"<\x00", b"\x00<"):
        encoding = (
            "utf-16"
            if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            else ("utf-16-le" if first[:2] == b"<\x00" else "utf-16-be")
        )
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    else:
        if not first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return None  # not XML (an image, a printer settings blob): expat would not parse it
        declared = _XML_DECLARATION.match(first)
        if declared and declared.group(1).decode("ascii").lower() not in _ALLOWED_ENCODINGS:
            raise QuestionnaireFormatError(
                f'The workbook part "{name}" declares the text encoding '
                f'"{declared.group(1).decode("ascii")}", which Excel never uses.'
            )
        decoder = None
    tail = [""]

    def feed(chunk: bytes) -> None:
        text = decoder.decode(chunk) if decoder else chunk.decode("latin-1")
        window = tail[0] + text.lower()
        if any(needle in window for needle in _NEEDLES):
            raise QuestionnaireFormatError(
                f'The workbook part "{name}" contains a DOCTYPE or ENTITY declaration, which workbooks '
                "never need (it may be an XML entity attack)."
            )
        tail[0] = window[-_NEEDLE_TAIL:]

    return feed


def _check_content_types(content_types: bytes | None, names: set[str]) -> None:
    if content_types is None:
        if "mimetype" in names and "content.xml" in names:
            raise QuestionnaireFormatError(
                "The file is an OpenDocument spreadsheet (.ods): save it as an .xlsx workbook."
            )
        raise QuestionnaireFormatError("The file is a zip archive, not an Excel workbook (.xlsx).")
    lowered = content_types.lower()
    if b"macroenabled" in lowered:
        raise QuestionnaireFormatError(MACRO_MESSAGE)
    if b"sheet.binary" in lowered:
        raise QuestionnaireFormatError(BINARY_MESSAGE)
    if not any(kind in lowered for kind in _SPREADSHEET_TYPES):
        if b"wordprocessingml" in lowered:
            raise QuestionnaireFormatError("The file is a Word document, not an Excel workbook (.xlsx).")
        if b"presentationml" in lowered:
            raise QuestionnaireFormatError("The file is a PowerPoint file, not an Excel workbook (.xlsx).")
        raise QuestionnaireFormatError("The file is a zip archive, not an Excel workbook (.xlsx).")


def require_defused_openpyxl() -> None:
    """Refuse to parse when openpyxl would read XML without defusedxml (belt and braces: the scan
    above already refuses DTDs). openpyxl is kept off lxml (OPENPYXL_LXML=False, set in `trustroom`),
    so both its `fromstring` and `iterparse` are defusedxml's."""
    import openpyxl
    from openpyxl.xml import functions

    defused = all(
        getattr(function, "__module__", "").startswith("defusedxml")
        for function in (functions.iterparse, functions.fromstring)
    )
    if not (openpyxl.DEFUSEDXML and defused):
        raise RuntimeError(
            "openpyxl is not parsing XML through defusedxml (is OPENPYXL_DEFUSEDXML set to False?); "
            "refusing to read untrusted workbooks."
        )
