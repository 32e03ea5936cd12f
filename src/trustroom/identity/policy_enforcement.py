"""Where the organizations' security policies are enforced on every request: one middleware.

- **Session lifetime**: a session older than the strictest `session_lifetime_minutes` among the
  user's organizations is logged out, measured from the sign-in time kept in the session.
- **Required MFA**: a member of an organization that requires MFA and who has no authenticator
  (TOTP or WebAuthn) is sent to MFA enrolment from every page of that organization, and answered 403
  by its API.

- **SSO-only**: on the pages and API of an organization in SSO-only mode, a member whose session was not
  signed in through one of that organization's SSO connections is sent to its SSO sign-in page (403 on the
  API). Owners are exempt, as the way back in when the identity provider fails (they still need MFA when
  the organization requires it).

All three read the person signed in through the session. API tokens are not people and carry no session:
a request authenticated by a token alone reaches here as anonymous and is left alone (a token's
organization decides in advance who may hold it; MFA and session lifetime do not apply to it).
Both fail closed: a policy that cannot be read (a database error) is an error, never "no policy".
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from trustroom.identity.client_ip import client_ip
from trustroom.identity.models import SecurityPolicy
from trustroom.identity.refusals import principal_key, record_refusal, request_facts
from trustroom.identity.selectors import has_mfa, policies_of_user, security_policy_for
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.selectors import membership_in, organization_by_slug

# Unix time (seconds) of the sign-in, written by the account adapter's `login`.
SESSION_LOGIN_AT = "trustroom_login_at"
SESSION_EXPIRED_MESSAGE = "Your session expired; sign in again."
ORG_PAGE = re.compile(r"^/o/(?P<slug>[-\w]+)/")
ORG_API = re.compile(r"^/api/v1/orgs/(?P<slug>[-\w]+)/")


def mark_signed_in(request: HttpRequest) -> None:
    """Note the sign-in time in the (new) session: the session lifetime counts from here."""
    request.session[SESSION_LOGIN_AT] = int(time.time())


def strictest_lifetime_minutes(policies: list[SecurityPolicy]) -> int | None:
    return min((p.session_lifetime_minutes for p in policies), default=None)


def mfa_required_message(organization: Organization) -> str:
    return (
        f"{organization.name} requires two-factor authentication: set up an authenticator app "
        "before you continue."
    )


def organizations_requiring_enrolment(user: Any) -> list[Organization]:
    """The user's organizations that require MFA, when the user has none; empty otherwise."""
    required = [policy.organization for policy in policies_of_user(user) if policy.require_mfa]
    if not required or has_mfa(user):
        return []
    return required


MFA_REFUSED_EVENT = "security_policy.mfa_refused"
SSO_REFUSED_EVENT = "security_policy.sso_refused"


def record_policy_refusal(
    request: HttpRequest, principal: Principal, *, action: str = MFA_REFUSED_EVENT
) -> None:
    """`security_policy.mfa_refused` (or `.sso_refused`) in the organization's log, once per member and
    address a window."""
    ip = client_ip(request)
    record_refusal(
        actor=principal,
        action=action,
        key=(principal_key(principal), ip or "unknown"),
        target=principal.user,
        changes={**request_facts(request, ip), "audience": "members", "who": principal.label},
    )


class SecurityPolicyMiddleware:
    """Place after the authentication, messages and allauth middleware (it reads all three)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated:
            self.enforce_session_lifetime(request)
        if request.user.is_authenticated:
            refusal = self.enforce_organization_policy(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def enforce_session_lifetime(self, request: HttpRequest) -> None:
        """Log an expired session out; the request then goes on as anonymous (login page, or 401/403)."""
        started = request.session.get(SESSION_LOGIN_AT)
        if not isinstance(started, int):
            # A session made without our adapter (e.g. accepting an invitation): count from now.
            mark_signed_in(request)
            return
        lifetime = strictest_lifetime_minutes(policies_of_user(request.user))
        if lifetime is None:
            return  # no organization, no organization policy to apply
        if time.time() - started > lifetime * 60:
            logout(request)
            messages.warning(request, SESSION_EXPIRED_MESSAGE)

    @staticmethod
    def signed_in_through_sso(request: HttpRequest, organization: Organization, membership: Any) -> bool:
        from trustroom.identity.sso.acceptance import SESSION_SSO_ORGS

        if membership.role == Role.OWNER:
            return True  # break-glass: owners keep password + MFA sign-in
        return organization.pk in request.session.get(SESSION_SSO_ORGS, [])

    @staticmethod
    def refuse_without_sso(request: HttpRequest, organization: Organization, *, api: bool) -> HttpResponse:
        message = f"{organization.name} requires signing in through its single sign-on."
        if api:
            return JsonResponse({"detail": message, "code": "sso_required"}, status=403)
        messages.warning(request, message)
        target = reverse("identity-account:sso-organization", kwargs={"org_slug": organization.slug})
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)

    def enforce_organization_policy(self, request: HttpRequest) -> HttpResponse | None:
        page = ORG_PAGE.match(request.path_info)
        api = None if page else ORG_API.match(request.path_info)
        match = page or api
        if match is None:
            return None
        organization = organization_by_slug(match["slug"])
        membership = membership_in(request.user, organization) if organization is not None else None
        if organization is None or membership is None:
            return None  # the view answers 404, as for any organization one does not belong to
        policy = security_policy_for(organization)
        if policy.sso_only and not self.signed_in_through_sso(request, organization, membership):
            principal = Principal(organization=organization, role=membership.role, user=request.user)
            record_policy_refusal(request, principal, action=SSO_REFUSED_EVENT)
            return self.refuse_without_sso(request, organization, api=api is not None)
        if not policy.require_mfa or has_mfa(request.user):
            return None
        message = mfa_required_message(organization)
        if api is not None:
            record_policy_refusal(
                request, Principal(organization=organization, role=membership.role, user=request.user)
            )
            return JsonResponse({"detail": message, "code": "mfa_required"}, status=403)
        messages.warning(request, message)
        if getattr(request, "htmx", False):  # a fragment request: have htmx load the whole page
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("mfa_activate_totp")
            return response
        return redirect("mfa_activate_totp")
