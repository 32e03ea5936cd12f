"""/o/<org_slug>/access/: the access overview, and the base of the inventory, grants, requests and groups
pages (scoped by the organization mixin, with policy answers for the templates)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone

from trustroom.access import selectors_requests as selectors
from trustroom.access import state
from trustroom.access.models import AccessGrant, AccessRequest, System
from trustroom.tenancy.views import OrgPageView


class AccessPage(OrgPageView):
    def get_object_or_404(self, model: type[Model], key: str = "pk", **lookups: Any) -> Any:
        """One of the organization's `model` rows by the URL's id; another organization's is missing."""
        obj = model._default_manager.filter(pk=self.kwargs[key], **lookups).first()
        if obj is None:
            raise Http404(f"No such {model._meta.verbose_name}.")
        return obj


class OverviewView(AccessPage):
    model = AccessGrant

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        now = timezone.now()
        user = self.principal.user if self.principal.is_member else None
        counts = {
            "systems": System.objects.count(),
            "active_grants": AccessGrant.objects.filter(state.active_grants_q(now)).count(),
            "waiting_for_you": selectors.waiting_for(user).count() if user else 0,
            "open_tasks": selectors.open_tasks().count(),
            "overdue_tasks": selectors.overdue_tasks(now).count(),
        }
        context = {
            "page_title": "Access",
            "counts": counts,
            "can_request": self.allows("add", AccessRequest) and user is not None,
        }
        return self.page("access/overview_page.html", context)


urlpatterns: list[URLPattern] = [
    path("", OverviewView.as_view(), name="overview"),
]
