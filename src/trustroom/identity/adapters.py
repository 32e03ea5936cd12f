from __future__ import annotations

import math
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.urls import reverse

from trustroom.identity import policy_enforcement
from trustroom.identity.client_ip import client_ip

LOCKED_OUT_CODE = "too_many_login_attempts"


def seconds_until_login_allowed(request: HttpRequest, *, key: str) -> int:
    """How long until the "login_failed" limits for this client IP and this account let a try through."""
    wait = 0.0
    now = time.time()
    for rate in ratelimit.get_rates(app="allauth.account", action="login_failed"):
        if rate.per not in {"ip", "key"}:
            continue
        cache_key = ratelimit.get_cache_key(
            request, app="allauth.account", action="login_failed", rate=rate, key=key
        )
        history = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]  # newest first
        if len(history) >= rate.amount:
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return math.ceil(wait)


def locked_out_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-in attempts; try again in {minutes} {unit}."


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        LOCKED_OUT_CODE: "Too many failed sign-in attempts; try again later.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join through an organization's invitation; open sign-up is an explicit opt-in.
        return bool(settings.TRUSTROOM_OPEN_SIGNUP)

    def login(self, request: HttpRequest, user: Any) -> None:
        super().login(request, user)
        policy_enforcement.mark_signed_in(request)  # the session lifetime counts from here

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Enrolment is forced at the next login when an organization of the user requires MFA.
        if policy_enforcement.organizations_requiring_enrolment(request.user):
            return reverse("mfa_activate_totp")
        return super().get_login_redirect_url(request)

    def get_client_ip(self, request: HttpRequest) -> str:
        # Rate limits count per client IP: the one reader that believes X-Forwarded-For only as far
        # as TRUSTROOM_TRUSTED_PROXIES, so a forged header never starts a fresh counter.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's IP address")
        return ip

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if getattr(error, "code", None) != LOCKED_OUT_CODE:
                raise
            key = self._get_login_attempts_cache_key(request, **credentials)
            seconds = seconds_until_login_allowed(request, key=key)
            self._record_failure(request, credentials, reason="locked_out", retry_after_seconds=seconds)
            raise ValidationError(locked_out_message(seconds), code=LOCKED_OUT_CODE) from error

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        self._record_failure(request, credentials, reason="bad_credentials")

    def _record_failure(self, request: HttpRequest, credentials: dict[str, Any], **details: Any) -> None:
        from trustroom.identity.auth_events import record_auth_event
        from trustroom.identity.models import AuthEventKind, User

        email = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
        user: AbstractBaseUser | None = User.objects.filter(email__iexact=email).first() if email else None
        record_auth_event(
            actor=user,  # type: ignore[arg-type]
            kind=AuthEventKind.LOGIN_FAILED,
            request=request,
            success=False,
            email=email,
            details=details,
        )
