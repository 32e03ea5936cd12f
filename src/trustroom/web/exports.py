"""Files handed to a browser or an API client (CSV and PDF evidence, exports): one shape, one response.

- `Export`: the bytes, a server-made file name and the content type;
- `safe_cell`: spreadsheet cells that would run as formulas are defused (a leading apostrophe);
- `attachment`: the HTTP answer — an attachment, no sniffing, no caching (like `trustroom.vault.http`);
- `CsvRenderer` / `PdfRenderer`: let `?format=csv|pdf` through DRF's content negotiation for actions
  that answer the file themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from rest_framework.renderers import BaseRenderer

from trustroom.web.cells import safe_cell

__all__ = ["CsvRenderer", "Export", "FileRenderer", "PdfRenderer", "attachment", "safe_cell"]


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str


def attachment(export: Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(export.content))
    return response


class FileRenderer(BaseRenderer):
    """Passes the action's own response through; it exists so `?format=` negotiates."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        return data


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class PdfRenderer(FileRenderer):
    media_type = "application/pdf"
    format = "pdf"
