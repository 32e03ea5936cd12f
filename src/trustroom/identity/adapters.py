from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from trustroom.identity import policy_enforcement


class AccountAdapter(DefaultAccountAdapter):
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
