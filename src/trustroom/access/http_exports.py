"""The one way the access app hands an evidence file to a browser or an API client: an attachment with a
server-made name, no sniffing, no caching (like `trustroom.vault.http`)."""

from __future__ import annotations

from django.http import HttpResponse

from trustroom.access.services.review_exports import Export


def attachment(export: Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(export.content))
    return response
