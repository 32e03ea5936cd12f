"""OIDC single sign-on against a real OpenID Provider (oidc-provider on loopback, see oidc_idp.py).

The negative cases play a token-substitution attack with ID tokens the real provider issued: each differs
from the right one in exactly one respect, so each is caught by exactly one check of `sso.oidc` /
`sso.acceptance` (each was seen to pass through when its check was removed).
"""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import OrganizationFactory, member
from tests.identity.sso.oidc_flow import finish, new_account, nonce_of, oidc_connection, sign_in, start
from tests.identity.sso.oidc_idp import OidcIdp
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import AuthEvent, AuthEventKind
from trustroom.identity.sso.acceptance import SESSION_SSO_ORGS
from trustroom.tenancy.models import Membership
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db(transaction=False)
User = get_user_model()


def signed_in_user(client: Client) -> Any:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def refused(response: Any, needle: str) -> None:
    assert response.status_code == 403, (response.status_code, response.content[:800])
    assert needle.lower() in response.content.decode().lower(), response.content[:1200]


def last_failure() -> AuthEvent:
    event = AuthEvent.objects.filter(kind=AuthEventKind.SSO_FAILED).order_by("-id").first()
    assert event is not None and not event.success
    return event


@pytest.fixture
def org() -> Any:
    return OrganizationFactory(slug="alpha-sso", name="Alpha SSO")


@pytest.fixture
def owner(org: Any) -> Any:
    return member(org, "owner", email="owner@alpha-sso.test")


@pytest.fixture
def setup(oidc_idp: OidcIdp, org: Any, owner: Any) -> Any:
    return oidc_connection(oidc_idp, org, owner, domains=["alpha-sso.test"])


# --- the flows that work -----------------------------------------------------------------------------


def test_existing_member_signs_in_and_the_identity_is_linked(
    oidc_idp: OidcIdp, setup: Any, client: Client
) -> None:
    person = member(setup.organization, "editor", email="erin@alpha-sso.test")
    sub = new_account(oidc_idp, "erin@alpha-sso.test")
    authorize_url = start(client, setup)
    assert "nonce=" in authorize_url and "code_challenge_method=S256" in authorize_url
    response = finish(client, oidc_idp, authorize_url, sub)
    assert response.status_code == 302, response.content[:800]
    assert signed_in_user(client) == person
    assert SocialAccount.objects.get(user=person).uid == sub
    assert client.session[SESSION_SSO_ORGS] == [setup.organization.pk]
    event = AuthEvent.objects.get(user=person, kind=AuthEventKind.SSO_LOGIN)
    assert event.details["organization"] == setup.organization.slug
    with org_scope(setup.organization):
        assert AuditEvent.objects.filter(action="auth.sso_login").exists()
    # The same identity again: the same person, no second link.
    second = Client()
    assert sign_in(second, oidc_idp, setup, sub).status_code == 302
    assert signed_in_user(second) == person
    assert SocialAccount.objects.filter(user=person).count() == 1


def test_new_person_is_provisioned_just_in_time_with_the_default_role(
    oidc_idp: OidcIdp, oidc_idp_org_jit: Any, client: Client
) -> None:
    setup = oidc_idp_org_jit
    sub = new_account(oidc_idp, "nina@jit.test")
    response = sign_in(client, oidc_idp, setup, sub)
    assert response.status_code == 302, response.content[:800]
    person = User.objects.get(email="nina@jit.test")
    assert signed_in_user(client) == person
    assert person.full_name == "Nina"
    assert Membership.objects.get(user=person, organization=setup.organization).role == "editor"
    with org_scope(setup.organization):
        assert AuditEvent.objects.filter(action="sso.member_provisioned", target_id=str(person.pk)).exists()


@pytest.fixture
def oidc_idp_org_jit(oidc_idp: OidcIdp) -> Any:
    organization = OrganizationFactory(slug="jit-org", name="JIT Org")
    owner = member(organization, "owner", email="owner@jit.test")
    return oidc_connection(oidc_idp, organization, owner, domains=["jit.test"], default_role="editor")


def test_without_jit_a_stranger_is_refused_and_nothing_is_created(
    oidc_idp: OidcIdp, org: Any, owner: Any, client: Client
) -> None:
    setup = oidc_connection(oidc_idp, org, owner, domains=["alpha-sso.test"], jit=False)
    sub = new_account(oidc_idp, "stranger@alpha-sso.test")
    refused(sign_in(client, oidc_idp, setup, sub), "is not a member of Alpha SSO")
    assert not User.objects.filter(email="stranger@alpha-sso.test").exists()
    assert signed_in_user(client) is None
    assert last_failure().email == "stranger@alpha-sso.test"


def test_an_address_outside_the_connection_domains_is_refused(
    oidc_idp: OidcIdp, setup: Any, client: Client
) -> None:
    sub = new_account(oidc_idp, "mallory@elsewhere.test")
    refused(sign_in(client, oidc_idp, setup, sub), "signs people in for alpha-sso.test only")
    assert not User.objects.filter(email="mallory@elsewhere.test").exists()


def test_an_address_the_provider_has_not_verified_is_refused(
    oidc_idp: OidcIdp, setup: Any, client: Client
) -> None:
    sub = new_account(oidc_idp, "unverified@alpha-sso.test", verified=False)
    refused(sign_in(client, oidc_idp, setup, sub), "has not verified")
    assert signed_in_user(client) is None


# --- no account takeover -----------------------------------------------------------------------------


def test_an_identity_provider_cannot_take_over_an_account_of_another_organization(
    oidc_idp: OidcIdp, client: Client
) -> None:
    # Victor belongs to Victim Co. An attacker's organization sets up SSO claiming his domain and has
    # its own identity provider assert his address.
    victim_org = OrganizationFactory(slug="victim-co", name="Victim Co")
    victor = member(victim_org, "owner", email="victor@victim.test")
    attacker_org = OrganizationFactory(slug="attacker-co", name="Attacker Co")
    attacker = member(attacker_org, "owner", email="boss@attacker.test")
    setup = oidc_connection(oidc_idp, attacker_org, attacker, domains=["victim.test"], tenant="b")
    sub = new_account(oidc_idp, "victor@victim.test")
    refused(sign_in(client, oidc_idp, setup, sub), "already exists")
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.filter(user=victor).exists()
    assert not Membership.objects.filter(user=victor, organization=attacker_org).exists()
    assert last_failure().user == victor


def test_the_same_address_from_a_second_identity_provider_does_not_take_over_the_account(
    oidc_idp: OidcIdp, client: Client
) -> None:
    # Carol signs in to Alpha through Alpha's IdP (tenant a). Bravo, another organization, has its own IdP
    # (tenant b) assert carol's address: refused, carol's link and account untouched.
    alpha = OrganizationFactory(slug="alpha-two", name="Alpha Two")
    alpha_owner = member(alpha, "owner", email="owner@alphatwo.test")
    carol = member(alpha, "viewer", email="carol@shared.test")
    alpha_setup = oidc_connection(oidc_idp, alpha, alpha_owner, domains=["shared.test"], tenant="a")
    sub = new_account(oidc_idp, "carol@shared.test")
    assert sign_in(Client(), oidc_idp, alpha_setup, sub).status_code == 302
    bravo = OrganizationFactory(slug="bravo-two", name="Bravo Two")
    bravo_owner = member(bravo, "owner", email="owner@bravotwo.test")
    bravo_setup = oidc_connection(oidc_idp, bravo, bravo_owner, domains=["shared.test"], tenant="b")
    refused(sign_in(client, oidc_idp, bravo_setup, sub), "already exists")
    assert signed_in_user(client) is None
    assert list(SocialAccount.objects.filter(user=carol).values_list("provider", flat=True)) == [
        f"{alpha.slug}.{alpha_setup.connection.key}"
    ]


# --- token substitution: nonce, audience, issuer, signature --------------------------------------------


def test_an_id_token_for_another_nonce_is_refused(oidc_idp: OidcIdp, setup: Any, client: Client) -> None:
    member(setup.organization, "viewer", email="nora@alpha-sso.test")
    sub = new_account(oidc_idp, "nora@alpha-sso.test")
    authorize_url = start(client, setup)
    other = oidc_idp.issue_id_token(
        "a", setup.client_id, setup.client_secret, setup.redirect_uri, "a-different-nonce", sub
    )
    oidc_idp.substitute_next_id_token("a", other)
    refused(finish(client, oidc_idp, authorize_url, sub), "nonce")
    assert signed_in_user(client) is None
    assert "nonce" in last_failure().details["reason"]


def test_an_id_token_issued_to_another_client_is_refused(
    oidc_idp: OidcIdp, setup: Any, client: Client
) -> None:
    member(setup.organization, "viewer", email="otto@alpha-sso.test")
    sub = new_account(oidc_idp, "otto@alpha-sso.test")
    oidc_idp.add_client("a", "another-app", "another-secret", ["http://127.0.0.1:9/cb"], "client_secret_post")
    authorize_url = start(client, setup)
    foreign = oidc_idp.issue_id_token(
        "a", "another-app", "another-secret", "http://127.0.0.1:9/cb", nonce_of(authorize_url), sub
    )
    oidc_idp.substitute_next_id_token("a", foreign)
    refused(finish(client, oidc_idp, authorize_url, sub), "another client (audience)")
    assert signed_in_user(client) is None


def test_an_id_token_from_another_issuer_with_the_same_keys_is_refused(
    oidc_idp: OidcIdp, setup: Any, client: Client
) -> None:
    # Tenant b signs with the very same key (like one multi-tenant IdP): only the issuer tells them apart.
    member(setup.organization, "viewer", email="ivan@alpha-sso.test")
    sub = new_account(oidc_idp, "ivan@alpha-sso.test")
    oidc_idp.add_client("b", setup.client_id, setup.client_secret, [setup.redirect_uri], "client_secret_post")
    authorize_url = start(client, setup)
    foreign = oidc_idp.issue_id_token(
        "b", setup.client_id, setup.client_secret, setup.redirect_uri, nonce_of(authorize_url), sub
    )
    oidc_idp.substitute_next_id_token("a", foreign)
    refused(finish(client, oidc_idp, authorize_url, sub), "another issuer")
    assert signed_in_user(client) is None


def test_an_id_token_not_signed_by_the_provider_is_refused(
    oidc_idp: OidcIdp, setup: Any, client: Client
) -> None:
    member(setup.organization, "viewer", email="fred@alpha-sso.test")
    sub = new_account(oidc_idp, "fred@alpha-sso.test")
    authorize_url = start(client, setup)
    now = int(time.time())
    claims = {
        "iss": oidc_idp.issuer("a"),
        "aud": setup.client_id,
        "sub": sub,
        "email": "fred@alpha-sso.test",
        "email_verified": True,
        "nonce": nonce_of(authorize_url),
        "iat": now,
        "exp": now + 300,
    }
    forger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, forger_key, algorithm="RS256", headers={"kid": oidc_idp.signing_jwk["kid"]})
    oidc_idp.substitute_next_id_token("a", forged)
    refused(finish(client, oidc_idp, authorize_url, sub), "not valid")
    assert signed_in_user(client) is None


def test_a_discovery_document_naming_another_issuer_is_refused(
    oidc_idp: OidcIdp, org: Any, owner: Any, client: Client
) -> None:
    # The connection says localhost; the provider calls itself 127.0.0.1: not the configured issuer.
    setup = oidc_connection(oidc_idp, org, owner, domains=["alpha-sso.test"])
    with org_scope(org):
        from trustroom.identity.models import SsoConnection

        SsoConnection.objects.filter(pk=setup.connection.pk).update(
            oidc_issuer=oidc_idp.issuer("a").replace("127.0.0.1", "localhost")
        )
    response = client.post(f"/accounts/oidc/{org.slug}.{setup.connection.key}/login/", {"process": "login"})
    refused(response, "not the configured")


def test_a_callback_without_its_state_is_refused(oidc_idp: OidcIdp, setup: Any, client: Client) -> None:
    member(setup.organization, "viewer", email="sam@alpha-sso.test")
    sub = new_account(oidc_idp, "sam@alpha-sso.test")
    authorize_url = start(Client(), setup)  # started in another browser
    response = finish(client, oidc_idp, authorize_url, sub)
    assert response.status_code in (200, 403)
    assert signed_in_user(client) is None


def test_a_disabled_or_unknown_connection_has_no_sign_in(setup: Any, client: Client) -> None:
    from trustroom.identity.models import SsoConnection

    with org_scope(setup.organization):
        SsoConnection.objects.filter(pk=setup.connection.pk).update(enabled=False)
    provider_id = f"{setup.organization.slug}.{setup.connection.key}"
    assert client.post(f"/accounts/oidc/{provider_id}/login/").status_code == 404
    assert client.post("/accounts/oidc/no-such-org.abc/login/").status_code == 404
    assert client.post("/accounts/oidc/malformed/login/").status_code == 404
