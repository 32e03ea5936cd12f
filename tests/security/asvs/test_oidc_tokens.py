"""The OIDC client takes ID tokens signed with asymmetric algorithms only (ASVS V9.1.2)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from allauth.socialaccount.providers.oauth2.client import OAuth2Error

from trustroom.identity.sso.oidc import verify_id_token

CLAIMS = {"iss": "https://idp.example", "aud": "client-1", "sub": "123", "nonce": "n"}


def claims() -> dict[str, Any]:
    now = int(time.time())
    return {**CLAIMS, "iat": now, "exp": now + 300}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(
            jwt.encode(claims(), "the-client-secret", algorithm="HS256"), id="hs256-with-the-secret"
        ),
        pytest.param(jwt.encode(claims(), "", algorithm="none"), id="alg-none"),
    ],
)
def test_id_tokens_outside_the_asymmetric_algorithm_allowlist_are_refused(token: str) -> None:
    with pytest.raises(OAuth2Error, match="not accepted"):
        verify_id_token(
            token, issuer=CLAIMS["iss"], client_id=CLAIMS["aud"], jwks_uri="https://idp.example/jwks"
        )
