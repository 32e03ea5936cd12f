"""allauth's social account adapter: SSO connections come from the organizations' own records."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.http import HttpRequest

from trustroom.identity.sso import acceptance
from trustroom.identity.sso.connections import apps_for


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request: HttpRequest, provider: Any = None, client_id: Any = None) -> list[SocialApp]:
        return apps_for(provider=provider, client_id=client_id)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        acceptance.check_sso_login(request, sociallogin)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return acceptance.is_jit_signup(sociallogin)

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return acceptance.is_jit_signup(sociallogin)

    def can_authenticate_by_email(self, login: SocialLogin, email: str) -> bool:
        return False  # linking by e-mail is decided in acceptance.check_sso_login, nowhere else

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = (name or "")[:200]
        if user.email:
            user.email = user.email.strip().lower()
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A failed handshake (bad token, bad assertion, cancelled): record it and say why."""
        extra = extra_context or {}
        reason = str(exception) if exception else ""
        if not reason and extra.get("saml_last_error_reason"):
            reason = str(extra["saml_last_error_reason"])
        if not reason:
            reason = (
                "The identity provider's answer could not be used (cancelled, expired or unknown sign-in)."
            )
        provider_id = getattr(getattr(provider, "app", None), "provider_id", "") or ""
        acceptance.refuse(request, reason, provider_id=provider_id)  # raises ImmediateHttpResponse
