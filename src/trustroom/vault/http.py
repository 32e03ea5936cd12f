"""The one way the vault hands a PDF to a browser: attachment, server-made name, no sniffing, no caching."""

from __future__ import annotations

from django.http import HttpResponse


def pdf_attachment(content: bytes, *, filename: str) -> HttpResponse:
    """`filename` must be made by the server (e.g. `Document.download_filename`), never taken from input."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(content))
    return response
