"""Enforcement of the security policy on every request: required MFA and session lifetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, member
from tests.identity.factories import api_token, bearer, enrol_totp, set_security_policy
from tests.tenancy.factories import signed_in

pytestmark = pytest.mark.django_db

ENROL = reverse("mfa_activate_totp")
DASHBOARD = "/o/alpha-co/"
PROFILE_API = "/api/v1/orgs/alpha-co/profile/"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def sign_in_through_login_page(email: str) -> tuple[Client, str]:
    """Sign in the way people do (allauth's login page); returns the client and where it was sent."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client, response["Location"]


class TestRequiredMfa:
    def test_member_without_mfa_is_sent_to_enrolment_from_every_page(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, require_mfa=True)
        client = signed_in(owner_a)
        for path in (DASHBOARD, "/o/alpha-co/members/", "/o/alpha-co/settings/security/"):
            response = client.get(path)
            assert response.status_code == 302, path
            assert response["Location"] == ENROL
        page = client.get(DASHBOARD, follow=True)
        assert "requires two-factor authentication" in page.content.decode()

    def test_posts_are_stopped_too(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, require_mfa=True)
        response = signed_in(owner_a).post("/o/alpha-co/settings/", {"name": "Renamed"})
        assert response.status_code == 302
        assert response["Location"] == ENROL
        org_a.refresh_from_db()
        assert org_a.name == "Alpha Co"

    def test_htmx_requests_are_sent_to_enrolment_as_a_whole_page(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, require_mfa=True)
        response = signed_in(owner_a).get("/o/alpha-co/members/", HTTP_HX_REQUEST="true")
        assert response.status_code == 204
        assert response["HX-Redirect"] == ENROL

    def test_member_with_totp_goes_in(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, require_mfa=True)
        enrol_totp(owner_a)
        assert signed_in(owner_a).get(DASHBOARD).status_code == 200

    def test_recovery_codes_alone_are_not_a_second_factor(self, org_a, owner_a):
        from allauth.mfa.models import Authenticator

        set_security_policy(org_a, owner_a, require_mfa=True)
        Authenticator.objects.create(user=owner_a, type=Authenticator.Type.RECOVERY_CODES, data={})
        assert signed_in(owner_a).get(DASHBOARD).status_code == 302

    def test_nothing_changes_when_the_policy_does_not_require_it(self, org_a, owner_a):
        assert signed_in(owner_a).get(DASHBOARD).status_code == 200

    def test_another_organizations_policy_applies_to_its_own_pages_only(self, org_a, owner_a, org_b, owner_b):
        set_security_policy(org_b, owner_b, require_mfa=True)
        both = member(org_b, "viewer", email="both@alpha.test")
        from tests.factories import MembershipFactory

        MembershipFactory(organization=org_a, user=both, role="viewer")
        client = signed_in(both)
        assert client.get(DASHBOARD).status_code == 200
        assert client.get("/o/bravo-co/")["Location"] == ENROL

    def test_non_members_get_the_usual_404(self, org_a, owner_a, org_b, owner_b):
        set_security_policy(org_b, owner_b, require_mfa=True)
        assert signed_in(owner_a).get("/o/bravo-co/").status_code == 404

    def test_api_with_a_session_answers_403_with_the_reason(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, require_mfa=True)
        response = signed_in(owner_a).get(PROFILE_API)
        assert response.status_code == 403
        assert response.json()["code"] == "mfa_required"
        assert "two-factor authentication" in response.json()["detail"]

    def test_api_tokens_are_not_people_and_are_left_alone(self, org_a, owner_a):
        _token, plaintext = api_token(org_a, owner_a)
        set_security_policy(org_a, owner_a, require_mfa=True)
        assert bearer(plaintext).get(PROFILE_API).status_code == 200

    def test_enrolment_is_forced_at_the_next_login(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, require_mfa=True)
        client, location = sign_in_through_login_page(owner_a.email)
        assert location == ENROL
        # allauth asks for the password again before any MFA change; then the enrolment page opens.
        reauth = client.get(ENROL)
        assert reauth["Location"].startswith(reverse("account_reauthenticate"))
        response = client.post(reauth["Location"], {"password": TEST_PASSWORD})
        assert response["Location"] == ENROL
        page = client.get(ENROL)
        assert page.status_code == 200
        assert "secret" in page.content.decode().lower()

    def test_login_goes_home_when_no_organization_requires_mfa(self, org_a, owner_a):
        _client, location = sign_in_through_login_page(owner_a.email)
        assert location == reverse("home")


class TestSessionLifetime:
    def test_a_session_past_the_lifetime_is_logged_out_with_a_message(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, session_lifetime_minutes=60)
        with time_machine.travel(T0, tick=False) as traveller:
            client, _ = sign_in_through_login_page(owner_a.email)
            traveller.move_to(T0 + timedelta(minutes=59))
            assert client.get(DASHBOARD).status_code == 200
            traveller.move_to(T0 + timedelta(minutes=61))
            response = client.get(DASHBOARD, follow=True)
            assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
            assert "Your session expired; sign in again" in response.content.decode()
            assert client.get(DASHBOARD)["Location"].startswith(reverse("account_login"))

    def test_activity_does_not_extend_the_lifetime(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, session_lifetime_minutes=30)
        with time_machine.travel(T0, tick=False) as traveller:
            client, _ = sign_in_through_login_page(owner_a.email)
            for minutes in (10, 20, 29):
                traveller.move_to(T0 + timedelta(minutes=minutes))
                assert client.get(DASHBOARD).status_code == 200
            traveller.move_to(T0 + timedelta(minutes=31))
            assert client.get(DASHBOARD).status_code == 302

    def test_the_strictest_organization_wins_on_every_page(self, org_a, owner_a, org_b, owner_b):
        from tests.factories import MembershipFactory

        set_security_policy(org_a, owner_a, session_lifetime_minutes=600)
        set_security_policy(org_b, owner_b, session_lifetime_minutes=15)
        MembershipFactory(organization=org_b, user=owner_a, role="viewer")
        with time_machine.travel(T0, tick=False) as traveller:
            client, _ = sign_in_through_login_page(owner_a.email)
            traveller.move_to(T0 + timedelta(minutes=16))
            assert client.get(DASHBOARD)["Location"].startswith(reverse("account_login"))

    def test_the_api_session_expires_too(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, session_lifetime_minutes=5)
        with time_machine.travel(T0, tick=False) as traveller:
            client, _ = sign_in_through_login_page(owner_a.email)
            assert client.get(PROFILE_API).status_code == 200
            traveller.move_to(T0 + timedelta(minutes=6))
            assert client.get(PROFILE_API).status_code in (401, 403)

    def test_a_session_without_a_sign_in_time_counts_from_its_first_request(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, session_lifetime_minutes=60)
        with time_machine.travel(T0, tick=False) as traveller:
            client = signed_in(owner_a)  # Django's login, not the login page: no sign-in time yet
            assert client.get(DASHBOARD).status_code == 200
            traveller.move_to(T0 + timedelta(minutes=61))
            assert client.get(DASHBOARD).status_code == 302
