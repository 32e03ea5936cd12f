"""The organization's API tokens and security policy pages.

Views validate input and call `trustroom.identity.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from trustroom.identity import services
from trustroom.identity.forms import ApiTokenForm, SecurityPolicyForm
from trustroom.identity.models import ApiToken, SecurityPolicy
from trustroom.identity.selectors import has_mfa, security_policy_for
from trustroom.tenancy import policies
from trustroom.tenancy.forms import add_service_errors
from trustroom.tenancy.views import OrgPageView, status_for


# never_cache: the response to a creation carries the token's only plaintext copy.
@method_decorator(never_cache, name="dispatch")
class ApiTokensView(OrgPageView):
    """List and create tokens. A new token's plaintext is rendered into this one response and kept nowhere."""

    model = ApiToken

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(ApiTokenForm())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "add", ApiToken)
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, plaintext = services.create_api_token(
                    actor=self.principal,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_at=form.expires_at(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.render_page(ApiTokenForm(), new_token=token, plaintext=plaintext)
        return self.render_page(form, status=status_for(form))

    def render_page(
        self,
        form: ApiTokenForm,
        *,
        new_token: ApiToken | None = None,
        plaintext: str = "",
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "organization": self.organization,
            "tokens": list(ApiToken.objects.select_related("created_by")),
            "form": form,
            "can_create": policies.policy_for(ApiToken).allows(self.principal, "add"),
            "can_revoke": policies.policy_for(ApiToken).allows(self.principal, "delete"),
            "new_token": new_token,
            "plaintext": plaintext,
            "page_title": "API tokens",
        }
        return render(self.request, "identity/api_tokens.html", context, status=status)


class ApiTokenRevokeView(OrgPageView):
    """GET asks for confirmation (works without JavaScript); POST revokes. The row stays, as revoked."""

    model = ApiToken
    permission_action = "delete"

    def get_token(self) -> ApiToken:
        token = ApiToken.objects.select_related("created_by").filter(pk=self.kwargs["pk"]).first()
        if token is None:
            raise Http404("No such API token.")
        return token

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = self.get_token()
        policies.check(self.principal, "delete", token)
        context = {"organization": self.organization, "token": token, "page_title": "Revoke API token"}
        return render(request, "identity/api_token_revoke.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = services.revoke_api_token(actor=self.principal, token=self.get_token())
        messages.success(
            request, f"The token “{token.name}” ({token.prefix}) was revoked; it no longer works."
        )
        return redirect("identity:api-tokens", org_slug=self.organization.slug)


class SecurityPolicyView(OrgPageView):
    """Every member reads the organization's security policy; owners and admins change it.

    Turning on required MFA while the saving person has none asks them to set it up first, or to
    confirm: the next page of the organization would send them to enrolment.
    """

    model = SecurityPolicy

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policy = security_policy_for(self.organization)
        return self.render_page(policy, SecurityPolicyForm(initial=SecurityPolicyForm.initial_for(policy)))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        policies.check(self.principal, "change", SecurityPolicy)
        policy = security_policy_for(self.organization)
        form = SecurityPolicyForm(request.POST)
        needs_confirmation = False
        if form.is_valid():
            turning_on_mfa = form.cleaned_data["require_mfa"] and not policy.require_mfa
            if turning_on_mfa and not has_mfa(request.user) and not form.cleaned_data["confirm_without_mfa"]:
                needs_confirmation = True
                form.add_error(
                    "require_mfa",
                    "You have no two-factor authentication yet. Set up an authenticator app first, or "
                    "confirm below: you will then be sent to set one up before you can continue.",
                )
            else:
                try:
                    services.update_security_policy(actor=self.principal, **form.changes())
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, "The security policy was saved.")
                    return redirect("identity:security-policy", org_slug=self.organization.slug)
        return self.render_page(policy, form, needs_confirmation=needs_confirmation)

    def render_page(
        self, policy: SecurityPolicy, form: SecurityPolicyForm, *, needs_confirmation: bool = False
    ) -> HttpResponse:
        context = {
            "organization": self.organization,
            "policy": policy,
            "form": form,
            "can_edit": policies.policy_for(SecurityPolicy).allows(self.principal, "change"),
            "you_have_mfa": has_mfa(self.request.user),
            "needs_confirmation": needs_confirmation,
            "page_title": "Security policy",
        }
        return render(self.request, "identity/security_policy.html", context, status=status_for(form))
