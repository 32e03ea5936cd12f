"""Support access pages: the organization's grants (/o/<slug>/settings/support-access/) and the staff
member's own list of organizations they may currently enter (/accounts/support/).

Views validate input and call `trustroom.identity.support_access`; they never write models themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from trustroom.audit.selectors import change_summary
from trustroom.identity import support_access
from trustroom.identity.forms import SupportAccessGrantForm
from trustroom.identity.models import SUPPORT_ACCESS_MAX_DAYS, SupportAccessGrant
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for

EVENTS_PER_PAGE = 25


class SupportAccessView(OrgPageView):
    """Every member reads the grants and the staff's recorded actions; owners grant access."""

    model = SupportAccessGrant

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(SupportAccessGrantForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", SupportAccessGrant)
        form = SupportAccessGrantForm(request.POST)
        if form.is_valid():
            try:
                grant = support_access.grant_support_access(
                    actor=self.principal,
                    staff_email=form.cleaned_data["staff_email"],
                    scope=form.cleaned_data["scope"],
                    reason=form.cleaned_data["reason"],
                    expires_at=form.expires_at(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{grant.staff_user.email} has support access ({grant.get_scope_display().lower()}) "
                    f"until {grant.expires_at:%d %b %Y %H:%M} UTC.",
                )
                return redirect("identity:support-access", org_slug=self.organization.slug)
        return self.render_page(form, status=status_for(form))

    def render_page(self, form: SupportAccessGrantForm, *, status: int = 200) -> HttpResponse:
        policy = policies.policy_for(SupportAccessGrant)
        now = timezone.now()
        grants = [(grant, grant.status(now)) for grant in support_access.grants()]
        page = Paginator(support_access.support_events(), EVENTS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context = {
            "organization": self.organization,
            "principal": self.principal,
            "grants": grants,
            "events": [(event, change_summary(event.changes)) for event in page.object_list],
            "events_page": page,
            "form": form,
            "max_days": SUPPORT_ACCESS_MAX_DAYS,
            "can_grant": policy.allows(self.principal, "add"),
            "can_revoke": policy.allows(self.principal, "delete"),
            "page_title": "Support access",
        }
        return render(self.request, "identity/support_access.html", context, status=status)


class SupportAccessRevokeView(OrgPageView):
    """GET asks for confirmation; POST ends the grant at once (owners)."""

    model = SupportAccessGrant
    permission_action = "delete"

    def get_grant(self) -> SupportAccessGrant:
        grant = support_access.grants().filter(pk=self.kwargs["pk"]).first()
        if grant is None:
            raise Http404("No such support access grant.")
        return grant

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        policies.check(self.principal, "delete", grant)
        context = {
            "organization": self.organization,
            "grant": grant,
            "status": grant.status(),
            "page_title": "Revoke support access",
        }
        return render(request, "identity/support_access_revoke.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        try:
            support_access.revoke_support_access(actor=self.principal, grant=grant)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Support access of {grant.staff_user.email} was revoked.")
        return redirect("identity:support-access", org_slug=self.organization.slug)


@require_GET
@never_cache
@login_required
def my_support_access(request: HttpRequest) -> HttpResponse:
    """For platform staff: the organizations whose owners currently let them in, with until when."""
    context = {
        "is_staff": support_access.is_platform_staff(request.user),
        "entries": support_access.organizations_with_active_grant(request.user),
        "page_title": "Support access",
    }
    return render(request, "identity/my_support_access.html", context)
