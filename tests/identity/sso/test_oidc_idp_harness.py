"""Self-tests of the OIDC test IdP: the SSO tests rely on it behaving like a real multi-tenant OP."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from tests.identity.sso.oidc_idp import OidcIdp, pkce_pair

REDIRECT_URI = "http://testserver/accounts/oidc/callback/"


def new_client(idp: OidcIdp, *tenants: str, method: str = "client_secret_basic") -> tuple[str, str]:
    client_id = f"client-{secrets.token_hex(4)}"
    client_secret = secrets.token_urlsafe(32)
    for tenant in tenants:
        idp.add_client(tenant, client_id, client_secret, [REDIRECT_URI], token_endpoint_auth_method=method)
    return client_id, client_secret


def new_account(idp: OidcIdp, **claims: Any) -> str:
    sub = f"user-{secrets.token_hex(4)}"
    idp.set_account(sub, claims.pop("email", f"{sub}@alpha.test"), **claims)
    return sub


def verify(idp: OidcIdp, token: str, *, keys_of: str, issuer: str, audience: str) -> dict[str, Any]:
    signing_key = jwt.PyJWKSet.from_dict(idp.jwks(keys_of))[jwt.get_unverified_header(token)["kid"]]
    return dict(
        jwt.decode(
            token,
            key=signing_key.key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
        )
    )


def callback_query(url: str) -> dict[str, str]:
    assert url.startswith(REDIRECT_URI), url
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_each_tenant_has_its_own_issuer_and_both_publish_the_same_key(oidc_idp: OidcIdp) -> None:
    published = {}
    for tenant in ("a", "b"):
        discovery = oidc_idp.discovery(tenant)
        assert discovery["issuer"] == oidc_idp.issuer(tenant) == f"{oidc_idp.base_url}/{tenant}"
        assert discovery["jwks_uri"] == oidc_idp.jwks_uri(tenant)
        assert discovery["authorization_endpoint"] == oidc_idp.authorization_endpoint(tenant)
        assert discovery["token_endpoint"] == oidc_idp.token_endpoint(tenant)
        assert "S256" in discovery["code_challenge_methods_supported"]
        published[tenant] = oidc_idp.jwks(tenant)["keys"]
    assert oidc_idp.issuer("a") != oidc_idp.issuer("b")
    assert published["a"] == published["b"]
    [key] = published["a"]
    assert {name: key[name] for name in ("kid", "kty", "n", "e")} == {
        name: oidc_idp.signing_jwk[name] for name in ("kid", "kty", "n", "e")
    }
    assert "d" not in key  # only the public half is published


def test_issued_id_token_is_signed_by_the_op_and_carries_what_was_asked(oidc_idp: OidcIdp) -> None:
    client_id, client_secret = new_client(oidc_idp, "a")
    sub = new_account(oidc_idp, email="ada@alpha.test", name="Ada Lovelace")
    nonce = secrets.token_urlsafe(16)

    token = oidc_idp.issue_id_token("a", client_id, client_secret, REDIRECT_URI, nonce, sub)

    claims = verify(oidc_idp, token, keys_of="a", issuer=oidc_idp.issuer("a"), audience=client_id)
    assert claims["sub"] == sub
    assert claims["nonce"] == nonce
    assert claims["email"] == "ada@alpha.test"
    assert claims["email_verified"] is True
    assert claims["name"] == "Ada Lovelace"


def test_a_token_of_tenant_b_verifies_with_the_shared_key_and_only_its_issuer_differs(
    oidc_idp: OidcIdp,
) -> None:
    client_id, client_secret = new_client(oidc_idp, "a", "b")
    sub = new_account(oidc_idp)
    token = oidc_idp.issue_id_token("b", client_id, client_secret, REDIRECT_URI, "n-b", sub)

    claims = verify(oidc_idp, token, keys_of="a", issuer=oidc_idp.issuer("b"), audience=client_id)
    assert claims["iss"] == oidc_idp.issuer("b")
    with pytest.raises(jwt.InvalidIssuerError):
        verify(oidc_idp, token, keys_of="a", issuer=oidc_idp.issuer("a"), audience=client_id)


def test_substitution_replaces_exactly_the_next_token_response_of_that_tenant_once(oidc_idp: OidcIdp) -> None:
    client_id, client_secret = new_client(oidc_idp, "a", "b")
    sub = new_account(oidc_idp)
    foreign = oidc_idp.issue_id_token("b", client_id, client_secret, REDIRECT_URI, "nonce-b", sub)

    oidc_idp.substitute_next_id_token("a", foreign)
    assert oidc_idp.substitution_pending("a")
    assert not oidc_idp.substitution_pending("b")

    # The other tenant's responses are untouched and leave the substitution pending.
    own_b = oidc_idp.issue_id_token("b", client_id, client_secret, REDIRECT_URI, "nonce-b2", sub)
    assert jwt.decode(own_b, options={"verify_signature": False})["nonce"] == "nonce-b2"
    assert oidc_idp.substitution_pending("a")

    substituted = oidc_idp.issue_id_token("a", client_id, client_secret, REDIRECT_URI, "nonce-a1", sub)
    assert substituted == foreign
    assert not oidc_idp.substitution_pending("a")

    after = oidc_idp.issue_id_token("a", client_id, client_secret, REDIRECT_URI, "nonce-a2", sub)
    claims = verify(oidc_idp, after, keys_of="a", issuer=oidc_idp.issuer("a"), audience=client_id)
    assert claims["nonce"] == "nonce-a2"


def test_a_pending_substitution_can_be_cancelled(oidc_idp: OidcIdp) -> None:
    client_id, client_secret = new_client(oidc_idp, "a")
    sub = new_account(oidc_idp)
    oidc_idp.substitute_next_id_token("a", "not.a.token")
    oidc_idp.substitute_next_id_token("a", None)
    assert not oidc_idp.substitution_pending("a")
    token = oidc_idp.issue_id_token("a", client_id, client_secret, REDIRECT_URI, "n", sub)
    assert (
        verify(oidc_idp, token, keys_of="a", issuer=oidc_idp.issuer("a"), audience=client_id)["nonce"] == "n"
    )


def test_pkce_is_enforced_and_the_callback_carries_state_and_issuer(oidc_idp: OidcIdp) -> None:
    client_id, client_secret = new_client(oidc_idp, "a", method="client_secret_post")
    sub = new_account(oidc_idp)
    verifier, challenge = pkce_pair()
    url = oidc_idp.authorization_url(
        "a", client_id, REDIRECT_URI, state="st-1", nonce="n-1", code_challenge=challenge, login_hint=sub
    )
    query = callback_query(oidc_idp.follow_authorization(url))
    assert query["state"] == "st-1"
    assert query["iss"] == oidc_idp.issuer("a")

    other_verifier, _ = pkce_pair()
    refused = oidc_idp.exchange_code(
        "a", client_id, client_secret, REDIRECT_URI, query["code"], other_verifier
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    accepted = oidc_idp.exchange_code("a", client_id, client_secret, REDIRECT_URI, query["code"], verifier)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["token_type"].lower() == "bearer"


def test_codes_of_one_tenant_are_unknown_to_the_other(oidc_idp: OidcIdp) -> None:
    client_id, client_secret = new_client(oidc_idp, "a", "b")
    sub = new_account(oidc_idp)
    verifier, challenge = pkce_pair()
    url = oidc_idp.authorization_url(
        "a", client_id, REDIRECT_URI, state="s", nonce="n", code_challenge=challenge, login_hint=sub
    )
    code = callback_query(oidc_idp.follow_authorization(url))["code"]

    at_b = oidc_idp.exchange_code("b", client_id, client_secret, REDIRECT_URI, code, verifier)
    assert at_b.status_code == 400
    assert at_b.json()["error"] == "invalid_grant"
    at_a = oidc_idp.exchange_code("a", client_id, client_secret, REDIRECT_URI, code, verifier)
    assert at_a.status_code == 200


def test_the_account_comes_from_login_hint_by_email_or_the_next_account(oidc_idp: OidcIdp) -> None:
    client_id, client_secret = new_client(oidc_idp, "b")
    by_email = new_account(oidc_idp, email="Grace@Bravo.test")
    default = new_account(oidc_idp)

    token = oidc_idp.issue_id_token("b", client_id, client_secret, REDIRECT_URI, "n", "grace@bravo.test")
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == by_email

    oidc_idp.set_next_account("b", default)
    try:
        _, challenge = pkce_pair()
        url = oidc_idp.authorization_url(
            "b", client_id, REDIRECT_URI, state="s", nonce="n", code_challenge=challenge
        )
        assert "code" in callback_query(oidc_idp.follow_authorization(url))
    finally:
        oidc_idp.set_next_account("b", None)


def test_an_unknown_account_is_denied_at_the_callback(oidc_idp: OidcIdp) -> None:
    client_id, _ = new_client(oidc_idp, "a")
    _, challenge = pkce_pair()
    url = oidc_idp.authorization_url(
        "a", client_id, REDIRECT_URI, state="s", nonce="n", code_challenge=challenge, login_hint="nobody"
    )
    query = callback_query(oidc_idp.follow_authorization(url))
    assert query["error"] == "access_denied"
    assert "nobody" in query["error_description"]
    assert query["state"] == "s"
    assert "code" not in query


@pytest.mark.parametrize(
    ("attack", "differs"),
    [("other-tenant", "iss"), ("other-client", "aud"), ("other-nonce", "nonce")],
)
def test_each_substitution_attack_token_differs_from_the_expected_one_in_a_single_claim(
    oidc_idp: OidcIdp, attack: str, differs: str
) -> None:
    """The negative SSO tests replay these tokens; each must leave exactly one check able to refuse it."""
    client_id, client_secret = new_client(oidc_idp, "a", "b")
    other_client, other_secret = new_client(oidc_idp, "a")
    sub = new_account(oidc_idp)
    expected = {"iss": oidc_idp.issuer("a"), "aud": client_id, "nonce": "expected-nonce", "sub": sub}
    if attack == "other-tenant":
        token = oidc_idp.issue_id_token("b", client_id, client_secret, REDIRECT_URI, "expected-nonce", sub)
    elif attack == "other-client":
        token = oidc_idp.issue_id_token("a", other_client, other_secret, REDIRECT_URI, "expected-nonce", sub)
    else:
        token = oidc_idp.issue_id_token("a", client_id, client_secret, REDIRECT_URI, "another-nonce", sub)

    header = jwt.get_unverified_header(token)
    signing_key = jwt.PyJWKSet.from_dict(oidc_idp.jwks("a"))[header["kid"]]
    claims = jwt.decode(
        token, key=signing_key.key, algorithms=["RS256"], options={"verify_aud": False, "verify_iss": False}
    )  # the signature is valid for tenant a's keys
    assert {name for name, value in expected.items() if claims[name] != value} == {differs}
