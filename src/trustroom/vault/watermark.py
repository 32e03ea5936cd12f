"""Stamp a PDF for one viewer: their lines of text on every page, as real (extractable) text.

The overlay is drawn once per distinct page size with reportlab and added to the output once, as a
form XObject; each page then gets its original content wrapped in `q … Q` (so its graphics state cannot
leak into the stamp) followed by a call of that form. No page's content stream is parsed or rewritten,
so the cost per page is small and constant. Page rotation is folded into the content first, so the
stamp reads upright on rotated pages. A page that inherits its resources from the page tree is merged
the slower, general way (pypdf's `merge_page`). The output is a fresh file (not an incremental update),
so no unstamped revision is left inside it.
"""

from __future__ import annotations

import io
import math

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

FONT = "Helvetica"
FONT_SIZE = 7.5
LINE_GAP = 9.5
MARGIN = 14
_TEXT = Color(0.20, 0.20, 0.20, alpha=0.85)
_DIAGONAL = Color(0.55, 0.10, 0.10, alpha=0.10)


def safe_text(text: str) -> str:
    """Text the standard PDF fonts can show (Windows-1252); anything else becomes "?"."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return cleaned.encode("cp1252", errors="replace").decode("cp1252")


def _fit(text: str, size: float, width: float) -> str:
    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "...", FONT, size) > width:
        text = text[:-1]
    return text + "..."


def _overlay(width: float, height: float, lines: list[str]) -> PageObject:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    if lines:
        diagonal = lines[0]
        angle = math.degrees(math.atan2(height, width))
        span = math.hypot(width, height) * 0.8
        size = max(10.0, min(36.0, span / max(1.0, stringWidth(diagonal, FONT, 1))))
        canvas.saveState()
        canvas.setFillColor(_DIAGONAL)
        canvas.setFont(FONT, size)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(angle)
        canvas.drawCentredString(0, -size / 3, _fit(diagonal, size, span))
        canvas.restoreState()
    canvas.setFillColor(_TEXT)
    canvas.setFont(FONT, FONT_SIZE)
    y = MARGIN + LINE_GAP * (len(lines) - 1)
    for line in lines:
        canvas.drawString(MARGIN, y, _fit(line, FONT_SIZE, width - 2 * MARGIN))
        y -= LINE_GAP
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0]


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _form(writer: PdfWriter, overlay: PageObject, width: float, height: float) -> IndirectObject:
    """The overlay page as a form XObject of the output document."""
    contents = overlay.get_contents()
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]
            ),
            NameObject("/Resources"): overlay["/Resources"].clone(writer),
        }
    )
    return writer._add_object(form)


def watermark_pdf(pdf: bytes, *, lines: list[str]) -> bytes:
    """Return a copy of `pdf` with `lines` stamped at the foot of every page (and the first line across)."""
    cleaned = [safe_text(line) for line in lines if line and line.strip()]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    overlays: dict[tuple[float, float], PageObject] = {}
    forms: dict[tuple[float, float], tuple[NameObject, IndirectObject]] = {}
    opening = _stream(writer, b"q\n")
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        left, bottom = float(box.left), float(box.bottom)
        key = (round(width, 2), round(height, 2))
        overlay = overlays.get(key)
        if overlay is None:
            overlay = overlays[key] = _overlay(width, height, cleaned)
        resources = page.get("/Resources")
        if resources is None:  # inherited from the page tree: take the general path
            if left or bottom:
                page.merge_transformed_page(overlay, Transformation().translate(left, bottom), expand=False)
            else:
                page.merge_page(overlay, expand=False)
            continue
        if key not in forms:
            forms[key] = (NameObject(f"/TrustroomStamp{len(forms)}"), _form(writer, overlay, width, height))
        name, form = forms[key]
        resources = resources.get_object()
        xobjects = resources.get("/XObject")
        if xobjects is None:
            xobjects = DictionaryObject()
            resources[NameObject("/XObject")] = xobjects
        xobjects.get_object()[name] = form
        contents = page.get("/Contents")
        parts: list[IndirectObject] = []
        if contents is not None:
            resolved = contents.get_object()
            parts = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
        closing = _stream(writer, f"\nQ\nq 1 0 0 1 {left:g} {bottom:g} cm {name} Do Q\n".encode())
        page[NameObject("/Contents")] = ArrayObject([opening, *parts, closing])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
