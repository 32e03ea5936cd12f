"""One page of a filtered list, and what its page links need to keep the filters."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest


def filtered_page(request: HttpRequest, found: Any, per_page: int) -> dict[str, Any]:
    """Context for a list page: `page_obj` (the `page` asked for, or the nearest that exists), the
    `filters` as given, and `query`, the filters without the page (for the page links)."""
    page = Paginator(found, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page_obj": page, "filters": request.GET, "query": query.urlencode()}
