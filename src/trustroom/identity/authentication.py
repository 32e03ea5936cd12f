"""DRF authentication with organization API tokens (`Authorization: Bearer trt_…`)."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from trustroom.identity.client_ip import client_ip
from trustroom.identity.models import ApiToken
from trustroom.identity.refusals import principal_key, record_refusal, request_facts
from trustroom.identity.selectors import find_presented_token
from trustroom.identity.services import note_token_use
from trustroom.tenancy.scope import current_org, require_org

TOKEN_REFUSED_EVENT = "api_token.refused"  # noqa: S105 - an audit action name, not a secret


def record_token_refusal(request: Request, token: ApiToken) -> None:
    """`api_token.refused` (reason revoked or expired) in the token's organization's audit log, once per
    token, reason and client address a window. Unknown tokens and wrong secrets name no organization's
    token and are not recorded."""
    from trustroom.api.base import token_principal

    principal = token_principal(token, require_org())
    ip = client_ip(request)
    reason = token.status()
    record_refusal(
        actor=principal,
        action=TOKEN_REFUSED_EVENT,
        key=(principal_key(principal), reason, ip or "unknown"),
        target=token,
        changes={
            **request_facts(request._request, ip),
            "reason": reason,
            "audience": "api_tokens",
            "who": principal.label,
        },
    )


class TokenUser:
    """Stands in for `request.user` when a token authenticates: the token, not a person, acts."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    email = ""

    def __init__(self, token: Any) -> None:
        self.token = token

    def __str__(self) -> str:
        return f"token:{self.token.prefix}"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[TokenUser, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        if current_org() is None:
            raise exceptions.AuthenticationFailed(
                "API tokens work only under /api/v1/orgs/<org-slug>/ of their organization."
            )
        token = find_presented_token(raw)
        if token is None or not token.is_usable():
            if token is not None:
                record_token_refusal(request, token)
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API token.")
        note_token_use(token=token, ip=client_ip(request))
        return TokenUser(token), token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
