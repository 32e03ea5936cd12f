"""SAML single sign-on end to end: Trustroom's SP (allauth + python3-saml, with our finishing step and
acceptance rules) against a real pysaml2 IdP on loopback.

Each refusal is answered with the refusal page (403), recorded as an `sso_failed` authentication event,
and leaves the browser signed out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.test import Client

from tests.factories import MembershipFactory, member, principal_for
from tests.identity.sso.saml_flow import (
    ServiceProvider,
    browser,
    post_to_acs,
    register,
    saml_connection,
    service_provider,
    sign_in,
    signed_in_user_id,
    start_login,
)
from tests.identity.sso.saml_idp import SamlIdP, make_key_and_certificate
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import AuthEvent, SecurityPolicy, User
from trustroom.identity.services import SSO_REQUIRED_MESSAGE, update_security_policy
from trustroom.identity.sso.acceptance import SESSION_SSO_ORGS
from trustroom.identity.sso.services import update_sso_connection
from trustroom.tenancy.models import Membership, Organization
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DASHBOARD = "/o/alpha-co/"
PROFILE_API = "/api/v1/orgs/alpha-co/profile/"
SSO_PAGE = "/accounts/sso/alpha-co/"


@pytest.fixture
def idp(saml_idp: SamlIdP) -> SamlIdP:
    saml_idp.reset()
    return saml_idp


@pytest.fixture
def sp(idp: SamlIdP, org_a: Organization, owner_a: Any) -> ServiceProvider:
    """An enabled SAML connection of Alpha Co (domain alpha.test, JIT on as viewer), known to the IdP."""
    return register(idp, org_a, saml_connection(org_a, owner_a, idp))


def audit_actions(organization: Organization) -> list[str]:
    with org_scope(organization):
        return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def failures() -> list[AuthEvent]:
    return list(AuthEvent.objects.filter(kind="sso_failed").order_by("id"))


def assert_refused(response: Any, client: Client, reason: str, *, email: str | None = None) -> AuthEvent:
    """The refusal page (403) saying why, one `sso_failed` event with that reason, nobody signed in."""
    assert response.status_code == 403, response.content.decode()[:2000]
    page = response.content.decode()
    assert "Single sign-on refused" in page
    assert signed_in_user_id(client) is None
    assert SESSION_SSO_ORGS not in client.session
    [event] = failures()
    assert event.success is False
    assert reason.lower() in event.details["reason"].lower(), event.details["reason"]
    if email is not None:
        assert event.email == email
    return event


# --- 1. Success ----------------------------------------------------------------------------------------


def test_a_member_signs_in_through_the_organizations_idp(idp, sp, org_a):
    ada = member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert signed_in_user_id(client) == ada.pk
    assert client.session[SESSION_SSO_ORGS] == [org_a.pk]
    [event] = AuthEvent.objects.filter(kind="sso_login")
    assert (event.user_id, event.success, event.email) == (ada.pk, True, "ada@alpha.test")
    assert event.details["provider"] == sp.provider_id
    assert event.details["protocol"] == "saml"
    assert event.details["organization"] == "alpha-co"
    assert "auth.sso_login" in audit_actions(org_a)
    account = SocialAccount.objects.get(user=ada)
    assert (account.provider, account.uid) == (sp.provider_id, "ada@alpha.test")
    assert client.get(DASHBOARD).status_code == 200
    assert failures() == []


def test_a_second_sign_in_uses_the_linked_identity(idp, sp, org_a):
    ada = member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    assert sign_in(browser(), idp, sp).status_code == 302

    client = browser()
    assert sign_in(client, idp, sp).status_code == 302

    assert signed_in_user_id(client) == ada.pk
    assert SocialAccount.objects.filter(user=ada).count() == 1
    assert AuthEvent.objects.filter(kind="sso_login", user=ada).count() == 2


# --- 2. Just-in-time provisioning ----------------------------------------------------------------------


def test_a_new_person_of_the_domain_is_provisioned_with_the_default_role(idp, org_a, owner_a):
    connection = saml_connection(org_a, owner_a, idp, default_role="editor")
    sp = register(idp, org_a, connection)
    idp.set_account("grace@alpha.test", "Grace Hopper")
    client = browser()

    response = sign_in(client, idp, sp)

    assert response.status_code == 302, response.content.decode()[:2000]
    grace = User.objects.get(email="grace@alpha.test")
    assert grace.full_name == "Grace Hopper"
    assert signed_in_user_id(client) == grace.pk
    membership = Membership.objects.get(user=grace)
    assert (membership.organization_id, membership.role) == (org_a.pk, "editor")
    actions = audit_actions(org_a)
    assert "sso.member_provisioned" in actions
    assert actions.index("sso.member_provisioned") < actions.index("auth.sso_login")
    with org_scope(org_a):
        provisioned = AuditEvent.objects.get(action="sso.member_provisioned")
    assert provisioned.changes["email"] == "grace@alpha.test"
    assert provisioned.changes["role"] == "editor"
    assert client.session[SESSION_SSO_ORGS] == [org_a.pk]


def test_without_jit_an_unknown_person_is_refused_and_nothing_is_created(idp, org_a, owner_a):
    sp = register(idp, org_a, saml_connection(org_a, owner_a, idp, jit_provisioning=False))
    idp.set_account("grace@alpha.test", "Grace Hopper")
    users_before = User.objects.count()
    client = browser()

    response = sign_in(client, idp, sp)

    assert_refused(response, client, "grace@alpha.test is not a member of Alpha Co", email="grace@alpha.test")
    assert "is not a member of Alpha Co" in response.content.decode()
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="grace@alpha.test").exists()
    assert not SocialAccount.objects.exists()
    assert "sso.member_provisioned" not in audit_actions(org_a)


# --- 3. Defective responses ----------------------------------------------------------------------------


def test_a_response_with_no_signature_at_all_is_refused(idp, sp, org_a):
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp, sign_assertion=False)

    assert_refused(response, client, "sign")  # "not signed", or python3-saml's own "No Signature found"
    assert not SocialAccount.objects.exists()


def test_an_unsigned_assertion_is_refused_even_in_a_signed_response(idp, sp, org_a):
    # Control: want_assertion_signed in connections.social_app.
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp, sign_assertion=False, sign_response=True)

    assert_refused(response, client, "assertion of the response is not signed")
    assert not SocialAccount.objects.exists()


def test_an_assertion_signed_by_another_key_is_refused(idp, org_a, owner_a, tmp_path: Path):
    _key, other_certificate = make_key_and_certificate(tmp_path, "Not the IdP")
    connection = saml_connection(org_a, owner_a, idp, saml_idp_certificate=other_certificate.read_text())
    sp = register(idp, org_a, connection)
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp)

    assert_refused(response, client, "signature")


def test_an_expired_response_is_refused(idp, sp, org_a):
    # Control: python3-saml's strict mode (its validity-window check).
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp, issue_instant_offset_minutes=-120, not_on_or_after_minutes=5)

    assert_refused(response, client, "expired")


def test_a_response_for_another_audience_is_refused(idp, sp, org_a, owner_a):
    # Control: python3-saml's strict mode (its audience check).
    other = register(idp, org_a, saml_connection(org_a, owner_a, idp, name="Other"))
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp, audience=other.entity_id)

    assert_refused(response, client, "audience")


def test_a_response_for_another_recipient_is_refused(idp, sp, org_a):
    # Control: python3-saml's strict mode (SubjectConfirmationData Recipient must be our ACS).
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp, recipient="http://localhost/accounts/saml/elsewhere/acs/")

    assert_refused(response, client, "SubjectConfirmation")


def test_a_response_to_another_request_is_refused(idp, sp, org_a):
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp, in_response_to="_a-request-this-browser-never-made")

    assert_refused(response, client, "does not answer a sign-in started in this browser")


def test_a_captured_sp_initiated_response_is_refused_in_another_browser(idp, sp, org_a):
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    victim = browser()
    form = idp.respond_to(start_login(victim, sp))
    assert post_to_acs(victim, sp, form).status_code == 302

    attacker = browser()
    response = post_to_acs(attacker, sp, form)

    # Refused twice over: the assertion was used, and the attacker's browser never made the request.
    event = assert_refused(response, attacker, "")
    assert any(
        reason in event.details["reason"]
        for reason in ("already used (replay)", "does not answer a sign-in started in this browser")
    ), event.details["reason"]


def test_an_idp_initiated_response_is_refused_by_default(idp, sp, org_a):
    # Control: the reject_idp_initiated_sso branch of saml._finish_acs.
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = post_to_acs(client, sp, idp.idp_initiated(sp.entity_id, relay_state="/o/alpha-co/"))

    assert_refused(response, client, "IdP-initiated")
    assert not SocialAccount.objects.exists()


def test_an_idp_initiated_response_is_accepted_once_when_the_connection_allows_it(idp, org_a, owner_a):
    # Control: saml.record_assertion_use (an assertion is used once).
    connection = saml_connection(org_a, owner_a, idp, saml_allow_idp_initiated=True)
    sp = register(idp, org_a, connection)
    ada = member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    form = idp.idp_initiated(sp.entity_id, relay_state="/o/alpha-co/")
    first = browser()

    response = post_to_acs(first, sp, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/o/alpha-co/"
    assert signed_in_user_id(first) == ada.pk

    replay = browser()
    response = post_to_acs(replay, sp, form)

    assert_refused(response, replay, "already used (replay)")
    assert AuthEvent.objects.filter(kind="sso_login").count() == 1


# --- 4. No account takeover, only the connection's domains --------------------------------------------


def test_an_account_of_another_organization_is_not_taken_over(idp, sp, org_a, org_b):
    eve = member(org_b, "owner", email="eve@alpha.test")
    idp.set_account("eve@alpha.test", "Eve")
    client = browser()

    response = sign_in(client, idp, sp)

    assert_refused(response, client, "already exists", email="eve@alpha.test")
    page = response.content.decode()
    assert "already exists" in page
    assert "connect" in page
    assert not SocialAccount.objects.exists()
    assert list(Membership.objects.filter(user=eve).values_list("organization_id", flat=True)) == [org_b.pk]


def test_an_account_in_this_and_another_organization_is_not_taken_over(idp, sp, org_a, org_b):
    eve = member(org_a, "viewer", email="eve@alpha.test")
    MembershipFactory(organization=org_b, user=eve, role="owner")
    idp.set_account("eve@alpha.test", "Eve")
    client = browser()

    response = sign_in(client, idp, sp)

    assert_refused(response, client, "already exists", email="eve@alpha.test")
    assert not SocialAccount.objects.exists()


def test_an_address_outside_the_connections_domains_is_refused(idp, sp, org_a):
    # JIT is on: without the domain check the IdP could make anyone a member.
    idp.set_account("mallory@elsewhere.test", "Mallory")
    client = browser()

    response = sign_in(client, idp, sp)

    assert_refused(response, client, "for alpha.test only, not mallory@elsewhere.test")
    assert not User.objects.filter(email="mallory@elsewhere.test").exists()
    assert not SocialAccount.objects.exists()


# --- 5. SSO-only ---------------------------------------------------------------------------------------


def sso_only(organization: Organization, owner: Any) -> SecurityPolicy:
    with org_scope(organization):
        return update_security_policy(actor=principal_for(owner, organization), sso_only=True)


def sso_only_refused(organization: Organization, owner: Any) -> ValidationError:
    """The service's refusal, caught inside the scope (the refusal rolls back only its own savepoint)."""
    with org_scope(organization), pytest.raises(ValidationError) as caught:
        update_security_policy(actor=principal_for(owner, organization), sso_only=True)
    return caught.value


def test_sso_only_needs_an_enabled_connection(idp, org_a, owner_a):
    assert sso_only_refused(org_a, owner_a).message_dict == {"sso_only": [SSO_REQUIRED_MESSAGE]}

    connection = saml_connection(org_a, owner_a, idp, enabled=False)
    assert sso_only_refused(org_a, owner_a).message_dict == {"sso_only": [SSO_REQUIRED_MESSAGE]}
    with org_scope(org_a):
        assert not SecurityPolicy.objects.filter(sso_only=True).exists()
        update_sso_connection(actor=principal_for(owner_a, org_a), connection=connection, enabled=True)

    assert sso_only(org_a, owner_a).sso_only is True


def test_sso_only_sends_password_sessions_to_sso_until_they_sign_in_through_it(idp, sp, org_a, owner_a):
    # Control: the SSO-only check of policy_enforcement.SecurityPolicyMiddleware.
    sso_only(org_a, owner_a)
    ada = member(org_a, "editor", email="ada@alpha.test")
    client = browser()
    client.force_login(ada)  # a password sign-in

    page = client.get(DASHBOARD)
    assert page.status_code == 302
    assert page["Location"] == SSO_PAGE
    api = client.get(PROFILE_API)
    assert api.status_code == 403
    assert api.json()["code"] == "sso_required"

    idp.set_account("ada@alpha.test", "Ada Lovelace")
    assert sign_in(client, idp, sp).status_code == 302
    assert signed_in_user_id(client) == ada.pk
    assert client.get(DASHBOARD).status_code == 200
    assert client.get(PROFILE_API).status_code == 200


def test_sso_only_lets_owners_in_without_sso(idp, sp, org_a, owner_a):
    sso_only(org_a, owner_a)
    client = browser()
    client.force_login(owner_a)

    assert client.get(DASHBOARD).status_code == 200
    assert client.get(PROFILE_API).status_code == 200


def test_sso_through_one_organization_does_not_satisfy_another_ones_sso_only(idp, sp, org_a, org_b, owner_b):
    saml_connection(org_b, owner_b, idp, email_domains=["bravo.test"])
    sso_only(org_b, owner_b)
    ada = member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()
    assert sign_in(client, idp, sp).status_code == 302
    MembershipFactory(organization=org_b, user=ada, role="viewer")  # invited to Bravo Co afterwards

    assert client.get(DASHBOARD).status_code == 200
    response = client.get("/o/bravo-co/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sso/bravo-co/"


# --- 6. Metadata and disabled connections --------------------------------------------------------------


def test_the_sp_metadata_names_our_entity_and_acs(sp):
    response = browser().get(sp.metadata)

    assert response.status_code == 200
    assert "xml" in response["Content-Type"]
    root = ElementTree.fromstring(response.content)
    assert root.get("entityID") == sp.entity_id
    descriptor = root.find(f"{{{MD}}}SPSSODescriptor")
    assert descriptor is not None
    assert descriptor.get("WantAssertionsSigned") == "true"
    [acs] = descriptor.findall(f"{{{MD}}}AssertionConsumerService")
    assert acs.get("Location") == sp.acs_url
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def test_a_disabled_connection_cannot_be_used(idp, org_a, owner_a):
    connection = saml_connection(org_a, owner_a, idp, enabled=False)
    sp = service_provider(org_a, connection)
    client = browser()

    assert client.post(sp.login).status_code == 404
    assert client.get(sp.metadata).status_code == 404


def test_a_connection_disabled_after_login_started_refuses_the_response(idp, sp, org_a, owner_a):
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()
    form = idp.respond_to(start_login(client, sp))
    with org_scope(org_a):
        update_sso_connection(actor=principal_for(owner_a, org_a), connection=sp.connection, enabled=False)

    stored = client.post(sp.acs, {"SAMLResponse": form["SAMLResponse"], "RelayState": form["RelayState"]})
    assert stored.status_code == 302  # allauth's ACS only keeps the POST for the finishing step
    response = client.get(stored["Location"])

    assert response.status_code == 404
    assert signed_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


def test_an_unknown_provider_id_is_not_found():
    client = browser()
    assert client.post("/accounts/saml/no-such-org.abc/login/").status_code == 404
    assert client.get("/accounts/saml/no-dot-here/metadata/").status_code == 404


# --- Edges ---------------------------------------------------------------------------------------------


def test_the_asserted_address_is_matched_without_regard_to_case(idp, sp, org_a):
    ada = member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("Ada@ALPHA.test", "Ada Lovelace")
    client = browser()

    assert sign_in(client, idp, sp).status_code == 302

    assert signed_in_user_id(client) == ada.pk
    assert User.objects.filter(email__iexact="ada@alpha.test").count() == 1


def test_an_idp_initiated_relay_state_cannot_send_the_browser_elsewhere(idp, org_a, owner_a):
    connection = saml_connection(org_a, owner_a, idp, saml_allow_idp_initiated=True)
    sp = register(idp, org_a, connection)
    member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = post_to_acs(client, sp, idp.idp_initiated(sp.entity_id, relay_state="https://evil.test/x"))

    assert response.status_code == 302
    assert "evil.test" not in response["Location"]
    assert response["Location"].startswith("/")


def test_a_deactivated_member_is_not_signed_in(idp, sp, org_a):
    ada = member(org_a, "viewer", email="ada@alpha.test")
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    assert sign_in(browser(), idp, sp).status_code == 302
    ada.is_active = False
    ada.save(update_fields=["is_active"])
    client = browser()

    response = sign_in(client, idp, sp)

    assert_refused(response, client, "deactivated", email="ada@alpha.test")


def test_a_deactivated_member_without_a_linked_identity_is_not_signed_in(idp, sp, org_a):
    ada = member(org_a, "viewer", email="ada@alpha.test")
    ada.is_active = False
    ada.save(update_fields=["is_active"])
    idp.set_account("ada@alpha.test", "Ada Lovelace")
    client = browser()

    response = sign_in(client, idp, sp)

    assert_refused(response, client, "deactivated", email="ada@alpha.test")
    assert not SocialAccount.objects.exists()  # no identity is linked to a deactivated account
    assert not AuthEvent.objects.filter(kind="sso_login").exists()


def test_a_member_refused_by_sso_only_is_recorded_once_per_window(idp, sp, org_a, owner_a):
    sso_only(org_a, owner_a)
    client = browser()
    client.force_login(member(org_a, "editor", email="ed@alpha.test"))
    assert client.get(DASHBOARD).status_code == 302
    assert client.get(PROFILE_API).status_code == 403
    with org_scope(org_a):
        events = list(AuditEvent.objects.filter(action="security_policy.sso_refused"))
    assert len(events) == 1  # the second refusal, same member and address, falls in the window
    assert events[0].changes["path"] == DASHBOARD
