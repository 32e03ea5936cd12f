"""Signal receivers that turn sign-in, MFA and password signals into authentication events.

Each receiver only calls `trustroom.identity.auth_events.record_auth_event` (or stamps the session's
sign-in time, `policy_enforcement.mark_signed_in`); failed password sign-ins
come from the account adapter (`adapters.AccountAdapter.authentication_failed`).
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from trustroom.identity.auth_events import record_auth_event
from trustroom.identity.models import AuthEventKind
from trustroom.identity.policy_enforcement import mark_signed_in
from trustroom.identity.sso.acceptance import complete_sso_login

SESSION_METHODS_KEY = "account_authentication_methods"  # where allauth lists how this session signed in


def _authenticator_details(authenticator: Authenticator, **extra: Any) -> dict[str, Any]:
    return {"authenticator": authenticator.type, "authenticator_id": authenticator.pk, **extra}


# allauth's signal, sent when its login flow completes (after MFA): every interactive sign-in goes
# through allauth (there is no other login view), and Django's own signal would also fire for
# programmatic logins such as the test client's.
@receiver(account_signals.user_logged_in, dispatch_uid="trustroom-auth-login")
def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    records = session.get(SESSION_METHODS_KEY, []) if session is not None else []
    methods = sorted({str(record.get("method")) for record in records if isinstance(record, dict)})
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is not None:  # through an SSO connection: membership, session mark, `sso_login` event
        complete_sso_login(request=request, user=user, sociallogin=sociallogin)
        return
    record_auth_event(actor=user, kind=AuthEventKind.LOGIN, request=request, details={"methods": methods})


# Django's own signal, sent by every login into a session (allauth's flow, an accepted invitation, the
# test client): the session lifetime counts from here, so no later request has to stamp it.
@receiver(auth_signals.user_logged_in, dispatch_uid="trustroom-session-signed-in")
def on_session_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if getattr(request, "session", None) is not None:
        mark_signed_in(request)


@receiver(auth_signals.user_logged_out, dispatch_uid="trustroom-auth-logout")
def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_auth_event(actor=user, kind=AuthEventKind.LOGOUT, request=request)


@receiver(mfa_signals.authenticator_added, dispatch_uid="trustroom-auth-mfa-added")
def on_authenticator_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record_auth_event(
        actor=user,
        kind=AuthEventKind.MFA_ADDED,
        request=request,
        details=_authenticator_details(authenticator),
    )


@receiver(mfa_signals.authenticator_removed, dispatch_uid="trustroom-auth-mfa-removed")
def on_authenticator_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record_auth_event(
        actor=user,
        kind=AuthEventKind.MFA_REMOVED,
        request=request,
        details=_authenticator_details(authenticator),
    )


@receiver(mfa_signals.authenticator_reset, dispatch_uid="trustroom-auth-mfa-reset")
def on_authenticator_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record_auth_event(
        actor=user,
        kind=AuthEventKind.RECOVERY_CODES_REGENERATED,
        request=request,
        details=_authenticator_details(authenticator),
    )


@receiver(mfa_signals.authenticator_used, dispatch_uid="trustroom-auth-mfa-used")
def on_authenticator_used(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    kind = (
        AuthEventKind.RECOVERY_CODE_USED
        if authenticator.type == Authenticator.Type.RECOVERY_CODES
        else AuthEventKind.MFA_USED
    )
    details = _authenticator_details(
        authenticator,
        reauthenticated=bool(kwargs.get("reauthenticated")),
        passwordless=bool(kwargs.get("passwordless")),
    )
    record_auth_event(actor=user, kind=kind, request=request, details=details)


@receiver(mfa_signals.authentication_failed, dispatch_uid="trustroom-auth-mfa-failed")
def on_mfa_failed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    details = _authenticator_details(authenticator, reauthentication=bool(kwargs.get("reauthentication")))
    record_auth_event(
        actor=user, kind=AuthEventKind.MFA_FAILED, request=request, success=False, details=details
    )


@receiver(account_signals.password_changed, dispatch_uid="trustroom-auth-password-changed")
def on_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_auth_event(actor=user, kind=AuthEventKind.PASSWORD_CHANGED, request=request)


@receiver(account_signals.password_set, dispatch_uid="trustroom-auth-password-set")
def on_password_set(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_auth_event(actor=user, kind=AuthEventKind.PASSWORD_SET, request=request)


@receiver(account_signals.password_reset, dispatch_uid="trustroom-auth-password-reset")
def on_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_auth_event(actor=user, kind=AuthEventKind.PASSWORD_RESET, request=request)
