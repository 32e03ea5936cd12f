"""Base of every organization page: resolve the organization and membership once, then scope."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
from trustroom.tenancy.narrowing import reader_narrowing
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import membership_in, organization_by_slug

ORG_URL_KWARG = "org_slug"


def session_principal(user: Any, organization: Organization) -> Principal | None:
    """Who a signed-in person acts as in `organization`, or None when they may not enter it.

    The one place for pages and the session API alike: a member acts with their membership's role;
    a platform staff member who is not a member acts under an owner's active support access grant
    (checked against the clock on every call: see `trustroom.identity.support_access`); anyone else
    gets None. Raises `SupportMfaRequired` for staff with an active grant but no second factor.
    """
    membership = membership_in(user, organization)
    if membership is not None:
        return Principal(organization=organization, role=membership.role, user=user)
    from trustroom.identity.support_access import support_principal

    return support_principal(user, organization)


def resolve_member_principal(request: HttpRequest, slug: str) -> Principal:
    """The signed-in person's principal in the organization `slug`; 404 when unknown or not let in.

    Both answer the same 404, so nobody learns which organizations exist or who belongs to them.
    Staff with an active grant but no second factor get a 403 saying so (PermissionDenied).
    """
    from trustroom.identity.support_access import SupportMfaRequired

    organization = organization_by_slug(slug)
    if organization is None:
        raise Http404("No such organization.")
    try:
        principal = session_principal(request.user, organization)
    except SupportMfaRequired as refusal:
        raise PermissionDenied(str(refusal)) from None
    if principal is None:
        raise Http404("No such organization.")
    return principal


def ip_allowlist_refusal(request: HttpRequest, principal: Principal) -> HttpResponse | None:
    """The 403 page when the organization's IP allowlist for members does not include the client.

    The one check for pages: every view under /o/<org_slug>/ builds on this mixin (a test walks the
    URL patterns to keep it so). Run after membership is known, so strangers still get the same 404.
    """
    from trustroom.identity.ip_allowlist import refusal_of_request

    refusal = refusal_of_request(principal, request)
    if refusal is None:
        return None
    context = {"organization": principal.organization, "refusal": refusal, "page_title": "Not allowed"}
    return render(request, "identity/ip_not_allowed.html", context, status=403)


class OrgScopedViewMixin(LoginRequiredMixin):
    """For class-based views under /o/<org_slug>/.

    Sets `request.organization` and `request.principal`, runs the whole view (and renders its
    template) inside `org_scope` (and, for an auditor, `reader_narrowing` to their audit periods),
    and checks `permission_action` on `model` through its policy.
    Subclasses narrow `get_queryset`; they never choose the organization.
    """

    model: type[Model] | None = None
    permission_action: ClassVar[str] = "view"
    request: HttpRequest
    organization: Organization
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        principal = resolve_member_principal(request, kwargs[ORG_URL_KWARG])
        self.organization = principal.organization
        self.principal = principal
        request.organization = principal.organization  # type: ignore[attr-defined]
        request.principal = principal  # type: ignore[attr-defined]
        with org_scope(principal.organization):
            refused = ip_allowlist_refusal(request, principal)
            if refused is not None:
                return refused
            self.check_permission()
            with reader_narrowing(principal):  # after the access checks: they read the whole organization
                response = super().dispatch(request, *args, **kwargs)
                render = getattr(response, "render", None)
                if callable(render) and not getattr(response, "is_rendered", True):
                    render()  # templates read scoped querysets: render before the scope closes
            return response

    def permission_model(self) -> type[Model] | None:
        return self.model

    def check_permission(self) -> None:
        model = self.permission_model()
        if model is not None:
            policies.check(self.principal, self.permission_action, model)

    def get_queryset(self) -> QuerySet[Any]:
        if self.model is None:
            raise NotImplementedError("Set `model` or override get_queryset()")
        return self.model._default_manager.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["organization"] = self.organization
        context["principal"] = self.principal
        return context
