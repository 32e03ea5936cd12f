"""The audit log pages: the filterable list, one event, and the chain check on request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from trustroom.audit import selectors
from trustroom.audit.forms import AuditEventFilterForm
from trustroom.audit.models import AuditEvent
from trustroom.audit.verify import verify_chain
from trustroom.tenancy.mixins import OrgScopedViewMixin

EVENTS_PER_PAGE = 50


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    change_summary: str


def _wants_partial(request: HttpRequest) -> bool:
    # htmx swaps a fragment in; a history restore (back button after a cache miss) needs the whole page.
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


class _AuditView(OrgScopedViewMixin, TemplateView):
    model = AuditEvent
    partial_template_name = ""

    def get_template_names(self) -> list[str]:
        if self.partial_template_name and _wants_partial(self.request):
            return [self.partial_template_name]
        return super().get_template_names()

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        # The same URL answers a fragment or a page depending on this header: caches must tell them apart.
        patch_vary_headers(response, ["HX-Request"])
        return response


class AuditEventListView(_AuditView):
    template_name = "audit/event_list.html"
    partial_template_name = "audit/_event_results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = AuditEventFilterForm(
            self.request.GET,
            target_types=selectors.target_types(),
            actions=selectors.recorded_actions(),
        )
        page: Page[Any] | None = None
        rows: list[EventRow] = []
        filters = None
        if form.is_valid():
            filters = form.filters()
            paginator = Paginator(selectors.events(filters), EVENTS_PER_PAGE)
            page = paginator.get_page(self.request.GET.get("page"))
            rows = [EventRow(event, selectors.change_summary(event.changes)) for event in page.object_list]
        context.update(
            page_title="Audit log",
            form=form,
            filters=filters,
            page=page,
            rows=rows,
        )
        return context


class AuditEventDetailView(_AuditView):
    template_name = "audit/event_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        event = selectors.event_by_id(int(self.kwargs["pk"]))
        if event is None:
            raise Http404("No such audit event.")
        context.update(
            page_title=f"Audit event #{event.seq}",
            event=event,
            changes_json=json.dumps(event.changes, indent=2, sort_keys=True, ensure_ascii=False),
        )
        return context


class ChainStatusView(_AuditView):
    """Runs the verifier for this organization when asked (a full walk of the log: not on every view)."""

    template_name = "audit/chain_status.html"
    partial_template_name = "audit/_chain_status.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(page_title="Audit chain check", report=verify_chain())
        return context
