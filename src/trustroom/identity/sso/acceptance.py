"""The one place where an identity asserted by an SSO connection becomes a signed-in person.

Called by the social account adapter before allauth signs anyone in (`check_sso_login`) and after the
sign-in (`complete_sso_login`). Rules, each refusal answered with a page saying why and recorded as an
`sso_failed` authentication event:

- the connection must exist and be enabled; for OpenID Connect the ID token's nonce must be the one this
  browser's sign-in sent (the signature, issuer, audience and lifetime were checked by `sso.oidc`);
- the asserted e-mail address must be in the connection's e-mail domains (and not marked unverified);
- an identity already linked to a person signs that person in;
- an identity not linked yet is linked to an existing account with the same e-mail address ONLY when that
  account belongs to this organization and to no other one; otherwise it is refused and the person must
  sign in to their account first and connect the identity there. So an identity provider, whoever runs it,
  can never take over an account by asserting its e-mail address;
- a person new to Trustroom is created, and anyone signed in who is not a member yet is made a member with
  the connection's default role, only when just-in-time provisioning is on.
"""

from __future__ import annotations

import hmac
from typing import Any, NoReturn

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render

from trustroom.audit.services import record_event
from trustroom.identity.auth_events import record_auth_event
from trustroom.identity.models import AuthEventKind, SsoProtocol, User
from trustroom.identity.sso.connections import ResolvedConnection, resolve_provider_id
from trustroom.identity.sso.oidc import NONCE_STATE_KEY
from trustroom.tenancy.models import Membership
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import membership_in, memberships_of_user

# Organizations whose SSO signed this session in (their SSO-only policy is satisfied by it).
SESSION_SSO_ORGS = "trustroom_sso_orgs"
JIT_STATE_KEY = "trustroom_jit"


def refuse(
    request: HttpRequest,
    reason: str,
    *,
    provider_id: str = "",
    email: str = "",
    user: Any = None,
    status: int = 403,
) -> NoReturn:
    """Record the refusal and answer with a page that says why; nothing about the session changes."""
    record_auth_event(
        actor=user if getattr(user, "pk", None) else None,
        kind=AuthEventKind.SSO_FAILED,
        request=request,
        success=False,
        email=email,
        details={"provider": provider_id, "reason": reason},
    )
    response = render(
        request,
        "identity/sso_refused.html",
        {"reason": reason, "page_title": "SSO sign-in refused"},
        status=status,
    )
    raise ImmediateHttpResponse(response)


def _asserted_email(sociallogin: SocialLogin) -> str:
    email = getattr(sociallogin.user, "email", "") or ""
    if not email:
        email = next((address.email for address in sociallogin.email_addresses if address.email), "")
    return email.strip().lower()


def _check_nonce(request: HttpRequest, sociallogin: SocialLogin, provider_id: str, email: str) -> None:
    expected = sociallogin.state.get(NONCE_STATE_KEY)
    claims = sociallogin.account.extra_data.get("id_token") or {}
    received = claims.get("nonce") if isinstance(claims, dict) else None
    if not (
        isinstance(expected, str)
        and isinstance(received, str)
        and hmac.compare_digest(expected.encode(), received.encode())
    ):
        refuse(
            request,
            "The identity provider's answer does not belong to this sign-in (its nonce does not match). "
            "Start the sign-in again.",
            provider_id=provider_id,
            email=email,
        )
    if isinstance(claims, dict) and claims.get("email_verified") is False:
        refuse(
            request,
            f"The identity provider says it has not verified {email}.",
            provider_id=provider_id,
            email=email,
        )


def check_sso_login(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """Accept or refuse what a connection asserted (allauth's `pre_social_login`)."""
    provider_id = str(sociallogin.account.provider)
    email = _asserted_email(sociallogin)
    resolved = resolve_provider_id(provider_id)
    if resolved is None:
        refuse(
            request,
            "This SSO connection does not exist or is turned off.",
            provider_id=provider_id,
            email=email,
        )
    organization, connection = resolved.organization, resolved.connection
    if connection.protocol == SsoProtocol.OIDC:
        _check_nonce(request, sociallogin, provider_id, email)
    if not email:
        refuse(request, "The identity provider did not send an e-mail address.", provider_id=provider_id)
    domain = email.rsplit("@", 1)[-1]
    if domain not in connection.email_domains:
        refuse(
            request,
            f"{connection.name} signs people in for {', '.join(connection.email_domains)} only, not {email}.",
            provider_id=provider_id,
            email=email,
        )
    if sociallogin.state.get("process") == AuthProcess.CONNECT:
        _check_connect(request, resolved, email)
        return
    if sociallogin.is_existing:
        user = sociallogin.user
        if not user.is_active:
            refuse(request, "This account is deactivated.", provider_id=provider_id, email=email, user=user)
        if membership_in(user, organization) is None and not connection.jit_provisioning:
            _refuse_not_member(request, resolved, email, user)
        return
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        organization_ids = {membership.organization_id for membership in memberships_of_user(existing)}
        if organization_ids != {organization.pk}:
            refuse(
                request,
                f"An account with the e-mail address {email} already exists. Sign in to it first (with its "
                f"password), then connect {connection.name} from your account's security page. An identity "
                "provider never takes over an existing account on its own.",
                provider_id=provider_id,
                email=email,
                user=existing,
            )
        if not existing.is_active:  # never link an identity to a deactivated account
            refuse(
                request, "This account is deactivated.", provider_id=provider_id, email=email, user=existing
            )
        sociallogin.connect(request, existing)  # a member of this organization only: link and sign in
        return
    if not connection.jit_provisioning:
        _refuse_not_member(request, resolved, email, None)
    sociallogin.state[JIT_STATE_KEY] = True


def _refuse_not_member(request: HttpRequest, resolved: ResolvedConnection, email: str, user: Any) -> NoReturn:
    refuse(
        request,
        f"{email} is not a member of {resolved.organization.name}: "
        "ask one of its owners or admins to invite you.",
        provider_id=resolved.provider_id,
        email=email,
        user=user,
    )


def _check_connect(request: HttpRequest, resolved: ResolvedConnection, email: str) -> None:
    user = request.user
    if not user.is_authenticated or (user.email or "").lower() != email:
        refuse(
            request,
            "You can connect an identity with your own e-mail address only; "
            f"the identity provider asserted {email}.",
            provider_id=resolved.provider_id,
            email=email,
            user=user if user.is_authenticated else None,
        )
    if membership_in(user, resolved.organization) is None:
        _refuse_not_member(request, resolved, email, user)


def is_jit_signup(sociallogin: SocialLogin) -> bool:
    return bool(sociallogin.state.get(JIT_STATE_KEY))


@transaction.atomic
def complete_sso_login(*, request: HttpRequest, user: User, sociallogin: SocialLogin) -> None:
    """After allauth signed the person in: membership (just in time), the session's SSO mark, the event."""
    provider_id = str(sociallogin.account.provider)
    resolved = resolve_provider_id(provider_id)
    if resolved is None:  # pragma: no cover - checked moments ago in check_sso_login
        return
    organization, connection = resolved.organization, resolved.connection
    if membership_in(user, organization) is None and connection.jit_provisioning:
        Membership.objects.create(organization=organization, user=user, role=connection.default_role)
        with org_scope(organization):
            record_event(
                actor=Principal(organization=organization, role=connection.default_role, user=user),
                action="sso.member_provisioned",
                target=user,
                changes={"email": user.email, "role": connection.default_role, "connection": connection.name},
            )
    session = request.session
    organizations = [pk for pk in session.get(SESSION_SSO_ORGS, []) if isinstance(pk, int)]
    if organization.pk not in organizations:
        organizations.append(organization.pk)
    session[SESSION_SSO_ORGS] = organizations
    record_auth_event(
        actor=user,
        kind=AuthEventKind.SSO_LOGIN,
        request=request,
        details={
            "provider": provider_id,
            "protocol": connection.protocol,
            "connection": connection.name,
            "organization": organization.slug,
        },
    )
