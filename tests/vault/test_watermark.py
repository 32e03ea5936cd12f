"""Watermarking: the viewer's lines on every page, as text pypdf can extract."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from trustroom.vault.samples import sample_pdf
from trustroom.vault.watermark import watermark_pdf

LINE = "Confidential — issued to Jane Doe <jane@acme.test> — 2026-11-23 20:41 UTC"


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_every_page_of_a_ten_page_pdf_carries_the_lines() -> None:
    original = sample_pdf(title="SOC 2 Type 2 report", lines=["Period 2025-10-01 to 2026-09-30"], pages=10)
    assert not any("jane@acme.test" in text for text in _texts(original))
    stamped = watermark_pdf(original, lines=[LINE, "Do not distribute."])
    texts = _texts(stamped)
    assert len(texts) == 10
    for number, text in enumerate(texts, start=1):
        assert "jane@acme.test" in text, f"page {number} lacks the e-mail"
        assert "Do not distribute." in text
        assert "Period 2025-10-01 to 2026-09-30" in text  # the original content is kept


def test_rotated_and_odd_sized_pages() -> None:
    writer = PdfWriter()
    bare = writer.add_blank_page(width=300, height=500)
    del bare["/Resources"]  # resources left to the page tree: the general merge path
    rotated = writer.add_blank_page(width=842, height=595)
    rotated.rotate(90)
    buffer = io.BytesIO()
    writer.write(buffer)
    stamped = watermark_pdf(buffer.getvalue(), lines=[LINE])
    reader = PdfReader(io.BytesIO(stamped))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert "jane@acme.test" in page.extract_text()
    assert reader.pages[1].rotation == 0  # rotation folded into the content, so the stamp reads upright


def test_characters_outside_the_font_do_not_break_it() -> None:
    stamped = watermark_pdf(sample_pdf(title="x", lines=["y"]), lines=["Issued to 李雷 <li@acme.test>"])
    assert "li@acme.test" in _texts(stamped)[0]
