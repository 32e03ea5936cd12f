"""Need-to-know request pages: my requests / waiting for me / all, a new request, and a request with its
approval chain, the named approver's approve/deny form, the requester's cancel and the provisioning."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse

from trustroom.access import selectors_requests as selectors
from trustroom.access import state
from trustroom.access.models import (
    AccessApproval,
    AccessGrant,
    AccessRequest,
    ApprovalStep,
    RequestStatus,
)
from trustroom.access.services import requests as request_services
from trustroom.access.views.overview import AccessPage
from trustroom.access.views.requests_forms import AccessRequestForm, DecisionForm
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import status_for

REQUESTS_PER_PAGE = 50
TABS = (("mine", "My requests"), ("waiting", "Waiting for me"), ("all", "All requests"))
STATUS_BADGE = {
    RequestStatus.PENDING_MANAGER: "warn",
    RequestStatus.PENDING_BU_HEAD: "warn",
    RequestStatus.APPROVED: "active",
    RequestStatus.PROVISIONED: "active",
    RequestStatus.DENIED: "expired",
    RequestStatus.CANCELLED: "",
}


class RequestListView(AccessPage):
    model = AccessRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.principal.user if self.principal.is_member else None
        tab = request.GET.get("show", "")
        if tab not in dict(TABS):
            tab = "waiting" if user is not None and selectors.waiting_for(user).exists() else "mine"
        found = AccessRequest.objects.select_related(
            "environment__system", "requester", "line_manager", "business_unit_head"
        )
        if tab == "mine":
            found = found.filter(requester_id=getattr(user, "pk", None))
        elif tab == "waiting":
            found = selectors.waiting_for(user).select_related("environment__system", "requester")
        page = Paginator(found.order_by("-created_at", "-pk"), REQUESTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        rows = [{"request": r, "badge": STATUS_BADGE[RequestStatus(r.status)]} for r in page.object_list]
        context = {
            "page_title": "Access requests",
            "tabs": TABS,
            "tab": tab,
            "page": page,
            "rows": rows,
            "can_request": self.allows("add", AccessRequest) and user is not None,
        }
        return self.page("access/requests_list.html", context)


class RequestCreateView(AccessPage):
    model = AccessRequest
    permission_action = "add"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = (
            {"environment": request.GET["environment"]}
            if request.GET.get("environment", "").isdigit()
            else None
        )
        return self.render_form(AccessRequestForm(initial=initial, organization=self.organization))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = AccessRequestForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                created = request_services.submit_request(actor=self.principal, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your request was sent to your line manager for approval.")
                return redirect("access:request-detail", org_slug=self.organization.slug, pk=created.pk)
        return self.render_form(form)

    def render_form(self, form: AccessRequestForm) -> HttpResponse:
        context = {
            "page_title": "Request access",
            "form": form,
            "cancel_url": reverse("access:request-list", kwargs={"org_slug": self.organization.slug}),
        }
        return self.page("access/requests_form.html", context, status=status_for(form))


def chain_steps(access_request: AccessRequest) -> list[dict[str, Any]]:
    """The approval chain as a timeline: each step with its named approver and decision (or waiting)."""
    decided = {a.step: a for a in AccessApproval.objects.filter(request=access_request)}
    steps: list[tuple[str, Any]] = [(ApprovalStep.LINE_MANAGER, access_request.line_manager)]
    if access_request.needs_business_unit_head:
        steps.append((ApprovalStep.BUSINESS_UNIT_HEAD, access_request.business_unit_head))
    pending = state.pending_step(access_request)
    return [
        {
            "label": ApprovalStep(step).label,
            "approver": approver,
            "approval": decided.get(step),
            "pending": step == pending,
        }
        for step, approver in steps
    ]


class RequestDetailView(AccessPage):
    model = AccessRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(self.get_request())

    def get_request(self) -> AccessRequest:
        found: AccessRequest = self.get_object_or_404(AccessRequest)
        related = (
            "environment__system__owner",
            "requester",
            "line_manager",
            "business_unit_head",
            "provisioned_by",
        )
        return AccessRequest.objects.select_related(*related).get(pk=found.pk)

    def render_page(
        self,
        access_request: AccessRequest,
        *,
        form: DecisionForm | None = None,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        user = self.principal.user if self.principal.is_member and not self.principal.is_support else None
        step = state.pending_step(access_request)
        approver = state.approver_for(access_request, step) if step else None
        is_approver = user is not None and approver is not None and approver.pk == user.pk
        is_requester = user is not None and access_request.requester_id == user.pk
        grant = AccessGrant.objects.filter(request=access_request).first()
        context = {
            "page_title": f"Access request {access_request.pk}",
            "access_request": access_request,
            "badge": STATUS_BADGE[RequestStatus(access_request.status)],
            "steps": chain_steps(access_request),
            "pending_label": ApprovalStep(step).label.lower() if step else "",
            "approver": approver,
            "is_approver": is_approver,
            "decision_form": form or DecisionForm(),
            "can_cancel": is_requester and access_request.status in request_services.PENDING,
            "can_provision": access_request.status == RequestStatus.APPROVED
            and not is_requester
            and self.allows("add", AccessGrant),
            "grant": grant,
            "error": error,
        }
        return self.page("access/requests_detail.html", context, status=status)


class RequestActionView(RequestDetailView):
    """approve/, deny/, cancel/ and provision/: POST only; refusals are shown on the request's page."""

    action = ""
    permission_action = "change"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return redirect("access:request-detail", org_slug=self.organization.slug, pk=self.kwargs["pk"])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access_request = self.get_request()
        form = DecisionForm(request.POST)
        comment = form.data.get("comment", "")
        try:
            if self.action == "approve":
                request_services.approve_request(
                    actor=self.principal, request=access_request, comment=comment
                )
                notice = "You approved the request."
            elif self.action == "deny":
                request_services.deny_request(actor=self.principal, request=access_request, comment=comment)
                notice = "You denied the request."
            elif self.action == "cancel":
                request_services.cancel_request(actor=self.principal, request=access_request)
                notice = "Your request was cancelled."
            else:
                request_services.provision_request(actor=self.principal, request=access_request)
                notice = "The access is recorded as provisioned; the grant is active."
        except ValidationError as error:
            form.is_valid()
            add_service_errors(form, error)
            return self.render_page(self.get_request(), form=form, error=" ".join(error.messages), status=400)
        except PermissionDenied as refusal:
            return self.render_page(self.get_request(), error=str(refusal), status=403)
        messages.success(request, notice)
        return redirect("access:request-detail", org_slug=self.organization.slug, pk=access_request.pk)


def _action(name: str) -> Any:
    view: Any = type(f"Request{name.title()}View", (RequestActionView,), {"action": name})
    return view.as_view()


urlpatterns: list[URLPattern] = [
    path("requests/", RequestListView.as_view(), name="request-list"),
    path("requests/new/", RequestCreateView.as_view(), name="request-create"),
    path("requests/<int:pk>/", RequestDetailView.as_view(), name="request-detail"),
    path("requests/<int:pk>/approve/", _action("approve"), name="request-approve"),
    path("requests/<int:pk>/deny/", _action("deny"), name="request-deny"),
    path("requests/<int:pk>/cancel/", _action("cancel"), name="request-cancel"),
    path("requests/<int:pk>/provision/", _action("provision"), name="request-provision"),
]
