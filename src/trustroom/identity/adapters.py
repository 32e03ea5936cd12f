from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join through an organization's invitation; open sign-up is an explicit opt-in.
        return bool(settings.TRUSTROOM_OPEN_SIGNUP)
