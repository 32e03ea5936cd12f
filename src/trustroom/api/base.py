"""Base of every organization API endpoint: resolve the organization once, scope, authorize by policy."""

from __future__ import annotations

from contextvars import Token
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseBase
from rest_framework import exceptions, permissions, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from trustroom.identity.ip_allowlist import refusal_of_request
from trustroom.identity.models import ApiToken, TokenScope
from trustroom.identity.support_access import SupportMfaRequired
from trustroom.tenancy import policies
from trustroom.tenancy.mixins import session_principal
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.narrowing import ReaderNarrowing, enter_narrowing, leave_narrowing
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug

ORG_URL_KWARG = "org_slug"
# A token acts with the least role its scope needs, never as a manager: it cannot manage members or
# other tokens.
TOKEN_ROLES = {TokenScope.READ: Role.VIEWER, TokenScope.WRITE: Role.EDITOR, TokenScope.AUDIT: Role.AUDITOR}

_ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def token_principal(token: ApiToken, organization: Organization) -> Principal:
    """Who acts when `token` authenticates: the token, with the least role its scope needs."""
    return Principal(
        organization=organization,
        role=TOKEN_ROLES[TokenScope(token.scope)],
        user=token.created_by,
        token=token,
    )


class PolicyPermission(permissions.BasePermission):
    """Ask the model's policy; the view names the model (`policy_model`) and may map actions."""

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = getattr(request, "principal", None)
        model = view.get_policy_model()
        if principal is None or model is None:
            return False
        if not hasattr(view, (request.method or "").lower()):
            return True  # the endpoint has no such method: DRF answers 405, not a misleading 403
        return policies.policy_for(model).allows(principal, view.policy_action(request))

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        principal = getattr(request, "principal", None)
        return policies.policy_for(obj).allows(principal, view.policy_action(request), obj)


class OrgScopedAPIView(APIView):
    """An API view under /api/v1/orgs/<org_slug>/.

    The organization comes from the URL, once; the whole request runs in its scope, so token lookup
    and every query only see that organization. A caller who is not a member (or whose token belongs
    to another organization) gets 404 exactly as for a missing organization.
    """

    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_model: type[Model] | None = None
    organization: Organization
    principal: Principal
    _narrowing_token: Token[ReaderNarrowing | None] | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        organization = organization_by_slug(str(kwargs.get(ORG_URL_KWARG, "")))
        if organization is None:
            # Run DRF's normal path so the 404 is rendered as JSON like every other error.
            self._missing_organization = True
            return super().dispatch(request, *args, **kwargs)
        self._missing_organization = False
        self.organization = organization
        self._narrowing_token = None
        with org_scope(organization):
            try:
                response = super().dispatch(request, *args, **kwargs)
                render = getattr(response, "render", None)
                if callable(render) and not getattr(response, "is_rendered", True):
                    render()
                return response
            finally:
                if self._narrowing_token is not None:
                    leave_narrowing(self._narrowing_token)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if self._missing_organization:
            raise exceptions.NotFound("No such organization.")
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        if not request.user or not request.user.is_authenticated:
            return  # IsAuthenticated answers 401
        auth = request.auth
        if isinstance(auth, ApiToken):
            principal = token_principal(auth, self.organization)
        else:
            # Members, and platform staff under an active support access grant (the same function as
            # the pages: trustroom.tenancy.mixins.session_principal); anyone else: 404.
            try:
                resolved = session_principal(request.user, self.organization)
            except SupportMfaRequired as mfa_missing:
                raise exceptions.PermissionDenied(str(mfa_missing), code="mfa_required") from None
            if resolved is None:
                raise exceptions.NotFound("No such organization.")
            principal = resolved
        # The one allowlist check of the API, for sessions and tokens alike. A refused request is rolled
        # back whole (the exception handler marks the transaction), a token's "last used" included;
        # only its audit event stays (written after the transaction, see identity.refusals).
        refusal = refusal_of_request(principal, request._request)
        if refusal is not None:
            raise exceptions.PermissionDenied(refusal.message, code="ip_not_allowed")
        self.principal = principal
        request.principal = principal  # type: ignore[attr-defined]
        request._request.principal = principal  # type: ignore[attr-defined]
        # From here on, an auditor's reads are narrowed to their audit periods (left in `dispatch`).
        if self._narrowing_token is None:
            self._narrowing_token = enter_narrowing(principal)

    def get_policy_model(self) -> type[Model] | None:
        return self.policy_model

    def policy_action(self, request: Request) -> str:
        return _ACTION_FOR_METHOD.get(request.method or "", "none")


class OrgScopedViewSet(OrgScopedAPIView, viewsets.GenericViewSet):
    """Viewsets narrow `get_queryset`; the base manager already limits rows to the organization."""

    lookup_value_regex = r"[0-9]+"

    def get_policy_model(self) -> type[Model] | None:
        if self.policy_model is not None:
            return self.policy_model
        serializer_class = getattr(self, "serializer_class", None)
        meta = getattr(serializer_class, "Meta", None)
        return getattr(meta, "model", None)

    def get_queryset(self) -> QuerySet[Any]:
        model = self.get_policy_model()
        if model is None:
            raise NotImplementedError("Set policy_model or override get_queryset()")
        return model._default_manager.all()
