"""The OpenID Connect provider allauth runs for every OIDC connection (SOCIALACCOUNT_PROVIDERS'
`provider_class`). Stricter than allauth's own, which neither sends a nonce nor checks the signature of a
token it fetched itself:

- every authorization request carries a fresh nonce (kept in allauth's server-side state) and PKCE (S256);
  the scope and parameters cannot be widened from the query string;
- the discovery document must name exactly the configured issuer;
- the ID token must be signed by a key of the provider's JWKS with an asymmetric algorithm, name the
  configured issuer and our client id as audience (and as `azp` when there are several audiences), be
  within its lifetime, and carry a nonce. The nonce is compared with the stashed one in
  `trustroom.identity.sso.acceptance`, where the state is at hand.
"""

from __future__ import annotations

import secrets
from typing import Any

import jwt
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import HttpRequest
from requests import RequestException

ALLOWED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"}
)
CLOCK_SKEW_SECONDS = 60
NONCE_STATE_KEY = "nonce"


def verify_id_token(id_token: str, *, issuer: str, client_id: str, jwks_uri: str) -> dict[str, Any]:
    """The claims of a valid ID token for this client from this issuer; OAuth2Error otherwise."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as error:
        raise OAuth2Error(f"The ID token is not a JWT: {error}") from error
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise OAuth2Error(f"The ID token is signed with {algorithm!r}, which is not accepted")
    alg, key = jwtkit.fetch_key(id_token, jwks_uri, jwtkit.lookup_kid_jwk)
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key=key,
            algorithms=[alg],
            audience=client_id,
            issuer=issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "sub", "exp", "iat", "nonce"]},
        )
    except jwt.InvalidAudienceError as error:
        raise OAuth2Error("The ID token was issued to another client (audience)") from error
    except jwt.InvalidIssuerError as error:
        raise OAuth2Error("The ID token was issued by another issuer") from error
    except jwt.PyJWTError as error:
        raise OAuth2Error(f"The ID token is not valid: {error}") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OAuth2Error("The ID token names several audiences but was not issued for this client (azp)")
    return claims


class StrictOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    @property
    def openid_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().openid_config
        expected = self.get_provider().app.settings["issuer"]
        if config.get("issuer") != expected:
            raise OAuth2Error(
                f"The provider's discovery document names the issuer {config.get('issuer')!r}, "
                f"not the configured {expected!r}"
            )
        return config

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The identity provider answered without an ID token")
        claims = verify_id_token(
            id_token,
            issuer=app.settings["issuer"],
            client_id=app.client_id,
            jwks_uri=self.openid_config["jwks_uri"],
        )
        return self.get_provider().sociallogin_from_response(request, {"id_token": claims})


class StrictOpenIDConnectProvider(OpenIDConnectProvider):
    package = "allauth.socialaccount.providers.openid_connect"  # its URLs (login, callback) are allauth's
    oauth2_adapter_class = StrictOpenIDConnectAdapter
    supports_token_authentication = False
    pkce_enabled_default = True

    def get_pkce_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_pkce_params()
        if not params:  # never without PKCE, whatever a connection's settings say
            from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge

            params = generate_code_challenge()
        return params

    def get_auth_params_from_request(self, request: HttpRequest, action: Any) -> dict[str, Any]:
        return self.get_auth_params()  # no `?auth_params=` from the query string

    def get_scope_from_request(self, request: HttpRequest) -> list[str]:
        return self.get_scope()  # no `?scope=` from the query string

    def redirect(
        self, request: HttpRequest, process: Any, next_url: Any = None, data: Any = None, **kwargs: Any
    ) -> Any:
        try:
            self.get_oauth2_adapter(request).openid_config  # noqa: B018 - fetched and checked here, once
        except (OAuth2Error, RequestException) as error:
            from trustroom.identity.sso.acceptance import refuse

            refuse(
                request, f"The identity provider cannot be used: {error}", provider_id=self.app.provider_id
            )
        nonce = secrets.token_urlsafe(32)
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        auth_params["nonce"] = nonce
        kwargs[NONCE_STATE_KEY] = nonce  # stashed with allauth's state, server-side
        return super().redirect(request, process, next_url, data, auth_params=auth_params, **kwargs)

    def verify_token(self, request: HttpRequest, token: Any) -> Any:
        raise OAuth2Error("Signing in with a bare ID token is not accepted")


# allauth's OIDC login and callback views build allauth's own adapter; these two (at the same paths,
# matched first, see trustroom/urls.py) build the strict one, so both legs of the flow use it.


def _adapter_view(view_class: Any, request: HttpRequest, provider_id: str) -> Any:
    from allauth.socialaccount.models import SocialApp
    from django.http import Http404

    try:
        return view_class.adapter_view(StrictOpenIDConnectAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404("No such SSO connection.") from error


def login_view(request: HttpRequest, provider_id: str) -> Any:
    from allauth.socialaccount.providers.oauth2.views import OAuth2LoginView

    return _adapter_view(OAuth2LoginView, request, provider_id)


def callback_view(request: HttpRequest, provider_id: str) -> Any:
    from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView

    return _adapter_view(OAuth2CallbackView, request, provider_id)
