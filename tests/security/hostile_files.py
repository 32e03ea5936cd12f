"""Hostile uploads, built at test time (no binary blobs in the repository).

The workbook-level builders live with the questionnaire format tests (tests/answers/formats/builders.py);
this module adds the files those do not cover and names every case once for the upload corpus.
"""

from __future__ import annotations

import functools
import io
import zlib

from tests.answers.formats import builders
from trustroom.vault.samples import sample_pdf

ZIP_BOMB_BYTES = 210 * 1024 * 1024  # past the 200 MiB unpacked limit, about 1 MiB on the wire
PDF_BOMB_BYTES = 100 * 1024 * 1024  # past pypdf's 75 MB inflate limit, about 1 KiB on the wire
PDF_BOMB_LAYERS = 3


def _deflate_zeros(size: int) -> bytes:
    """`size` zero bytes, deflated, without ever holding them in memory."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1024 * 1024)
    out = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    out.append(compressor.flush())
    return b"".join(out)


@functools.cache
def zip_bomb(member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A ZIP (an .xlsx or .docx by its name) whose member unpacks to ZIP_BOMB_BYTES of zeros."""
    return builders.zeros_zip(ZIP_BOMB_BYTES, name=member)


BILLION_LAUGHS_DTD = builders.BILLION_LAUGHS.split(b"<sst")[0]


def billion_laughs(root: bytes) -> bytes:
    """An XML document with the billion-laughs entity expansion, its root element `root` using it."""
    return BILLION_LAUGHS_DTD + root


NESSUS_LAUGHS = billion_laughs(
    b"<NessusClientData_v2><Report name='&lol9;'><ReportHost name='h'/></Report></NessusClientData_v2>"
)
BURP_LAUGHS = billion_laughs(b"<issues><issue><name>&lol9;</name></issue></issues>")
ZAP_LAUGHS = billion_laughs(b"<OWASPZAPReport><site name='&lol9;'/></OWASPZAPReport>")


@functools.cache
def nested_flate_pdf() -> bytes:
    """A one-page PDF whose content stream is deflated PDF_BOMB_LAYERS times and inflates to PDF_BOMB_BYTES."""
    stream = _deflate_zeros(PDF_BOMB_BYTES)
    for _ in range(PDF_BOMB_LAYERS - 1):
        stream = zlib.compress(stream, 9)
    filters = b"[" + b" ".join([b"/FlateDecode"] * PDF_BOMB_LAYERS) + b"]"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
# A polyglot: a PDF header for sniffers, an HTML page for browsers, and a PDF trailer, but no PDF inside.
HTML_PDF_POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def macro_workbook() -> bytes:
    return builders.macro_workbook()


def laughs_workbook() -> bytes:
    """An .xlsx whose shared strings part carries the billion laughs."""
    return builders.shared_strings_workbook(builders.BILLION_LAUGHS)


def plain_pdf() -> bytes:
    return sample_pdf(title="Report", lines=["A harmless report"])


TRAVERSAL_NAMES = ("../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/cron.d/x.pdf", "a\x00.pdf")
