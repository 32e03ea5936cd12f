"""Grant pages: the filterable list (htmx), record one by hand, a grant's detail with its privilege
change and revocation; and the revocation tasks with their "confirm revoked" action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from trustroom.access import selectors_requests as selectors
from trustroom.access import state
from trustroom.access.models import AccessGrant, RevocationTask
from trustroom.access.services import grants
from trustroom.access.services.revocations import complete_revocation_task
from trustroom.access.views.overview import AccessPage
from trustroom.access.views.requests_forms import (
    GrantFilterForm,
    GrantForm,
    PrivilegeForm,
    ReasonForm,
)
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for

GRANTS_PER_PAGE = 50
STATE_BADGE = {
    state.GrantState.ACTIVE: "active",
    state.GrantState.EXPIRED: "expired",
    state.GrantState.REVOKED: "",
}


def grant_rows(found: list[AccessGrant], now: Any) -> list[dict[str, Any]]:
    rows = []
    for grant in found:
        current = state.grant_state(grant, now)
        rows.append({"grant": grant, "state": current, "badge": STATE_BADGE[current]})
    return rows


class GrantListView(AccessPage):
    model = AccessGrant

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.GET.copy()
        data.pop("page", None)
        form = GrantFilterForm(data or None)
        filters = selectors.GrantFilters()
        if form.is_bound and form.is_valid():
            cleaned = form.cleaned_data
            filters = selectors.GrantFilters(
                system_id=cleaned["system"].pk if cleaned["system"] else None,
                kind=cleaned["kind"],
                person=cleaned["person"].strip(),
                state=cleaned["state"],
            )
        now = timezone.now()
        page = Paginator(selectors.grants(filters, now=now), GRANTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context = {
            "page_title": "Access grants",
            "form": form,
            "filters": filters,
            "page": page,
            "rows": grant_rows(list(page.object_list), now),
            "can_add": self.allows("add", AccessGrant),
        }
        template = "access/grants_rows.html" if self.is_htmx else "access/grants_list.html"
        refused = form.is_bound and bool(form.errors) and not self.is_htmx
        return self.page(template, context, status=400 if refused else 200)


class GrantCreateView(AccessPage):
    model = AccessGrant
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(GrantForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = GrantForm(request.POST)
        if form.is_valid():
            try:
                grant = grants.record_grant(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The grant for {grant.person_email} was recorded.")
                return redirect("access:grant-detail", org_slug=self.organization.slug, pk=grant.pk)
        return self.render_form(form)

    def render_form(self, form: GrantForm) -> HttpResponse:
        context = {
            "page_title": "Record a grant",
            "form": form,
            "cancel_url": reverse("access:grant-list", kwargs={"org_slug": self.organization.slug}),
        }
        return self.page("access/inventory_form.html", context, status=status_for(form))


class GrantDetailView(AccessPage):
    model = AccessGrant

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(self.get_grant())

    def get_grant(self) -> AccessGrant:
        grant: AccessGrant = self.get_object_or_404(AccessGrant)
        related = ("environment__system", "user", "granted_by", "revoked_by", "request")
        return AccessGrant.objects.select_related(*related).get(pk=grant.pk)

    def render_page(
        self,
        grant: AccessGrant,
        *,
        revoke_form: ReasonForm | None = None,
        privilege_form: PrivilegeForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        current = state.grant_state(grant)
        can_change = self.allows("change", grant)
        context = {
            "page_title": f"{grant.person_email} on {grant.environment}",
            "grant": grant,
            "state": current,
            "badge": STATE_BADGE[current],
            "tasks": list(RevocationTask.objects.filter(grant=grant).select_related("completed_by")),
            "can_revoke": can_change and grant.revoked_at is None,
            "can_change_privilege": can_change and current == state.GrantState.ACTIVE,
            "revoke_form": revoke_form or ReasonForm(auto_id="id_revoke_%s"),
            "privilege_form": privilege_form
            or PrivilegeForm(initial={"privilege": grant.privilege}, auto_id="id_privilege_%s"),
        }
        return self.page("access/grants_detail.html", context, status=status)


class GrantRevokeView(GrantDetailView):
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        form = ReasonForm(request.POST, auto_id="id_revoke_%s")
        if form.is_valid():
            try:
                grants.revoke_grant(actor=self.principal, grant=grant, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{grant.person_email}'s access was revoked.")
                return redirect("access:grant-detail", org_slug=self.organization.slug, pk=grant.pk)
        return self.render_page(grant, revoke_form=form, status=400)


class GrantPrivilegeView(GrantDetailView):
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        form = PrivilegeForm(request.POST, auto_id="id_privilege_%s")
        if form.is_valid():
            try:
                grants.change_privilege(
                    actor=self.principal, grant=grant, privilege=form.cleaned_data["privilege"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The privilege was changed.")
                return redirect("access:grant-detail", org_slug=self.organization.slug, pk=grant.pk)
        return self.render_page(grant, privilege_form=form, status=400)


class RevocationTaskListView(AccessPage):
    model = RevocationTask

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        show_done = request.GET.get("show") == "done"
        now = timezone.now()
        tasks = RevocationTask.objects.select_related("grant__environment__system", "completed_by")
        tasks = tasks.filter(completed_at__isnull=not show_done)
        if show_done:
            tasks = tasks.order_by("-completed_at", "-pk")[:200]
        rows = [{"task": t, "overdue": state.is_overdue(t.due_at, t.completed_at, now)} for t in tasks]
        context = {
            "page_title": "Revocation tasks",
            "rows": rows,
            "show_done": show_done,
            "can_complete": self.allows("change", RevocationTask),
        }
        return self.page("access/grants_tasks.html", context)


class RevocationTaskCompleteView(AccessPage):
    model = RevocationTask
    permission_action = "change"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        task = self.get_object_or_404(RevocationTask)
        try:
            complete_revocation_task(
                actor=self.principal, task=task, note=request.POST.get("note", "")[:2000]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The revocation was confirmed.")
        return redirect("access:revocation-task-list", org_slug=self.organization.slug)


urlpatterns: list[URLPattern] = [
    path("grants/", GrantListView.as_view(), name="grant-list"),
    path("grants/new/", GrantCreateView.as_view(), name="grant-create"),
    path("grants/<int:pk>/", GrantDetailView.as_view(), name="grant-detail"),
    path("grants/<int:pk>/revoke/", GrantRevokeView.as_view(), name="grant-revoke"),
    path("grants/<int:pk>/privilege/", GrantPrivilegeView.as_view(), name="grant-privilege"),
    path("revocation-tasks/", RevocationTaskListView.as_view(), name="revocation-task-list"),
    path(
        "revocation-tasks/<int:pk>/complete/",
        RevocationTaskCompleteView.as_view(),
        name="revocation-task-complete",
    ),
]
