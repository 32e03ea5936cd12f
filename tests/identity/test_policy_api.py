"""The security policy over the API (/api/v1/orgs/<org_slug>/security-policy/) and on its page."""

from __future__ import annotations

import json

import pytest

from tests.factories import member
from tests.identity.factories import api_token, bearer, enrol_totp, set_security_policy
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import SecurityPolicy
from trustroom.identity.selectors import security_policy_for
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/alpha-co/security-policy/"
PAGE = "/o/alpha-co/settings/security/"
FIELDS = {
    "require_mfa",
    "session_lifetime_minutes",
    "allowed_email_domains",
    "sso_only",
    "updated_by",
    "updated_at",
}


def patch(client, body):
    return client.patch(API, data=json.dumps(body), content_type="application/json")


class TestApi:
    def test_every_member_reads_the_defaults(self, org_a):
        viewer = member(org_a, "viewer")
        body = signed_in(viewer).get(API).json()
        assert set(body) == FIELDS
        assert body["require_mfa"] is False
        assert body["session_lifetime_minutes"] == 720
        assert body["allowed_email_domains"] == []

    def test_owner_patches_and_the_change_is_audited(self, org_a, owner_a):
        response = patch(
            signed_in(owner_a), {"session_lifetime_minutes": 90, "allowed_email_domains": ["Alpha.test"]}
        )
        assert response.status_code == 200, response.json()
        assert response.json()["allowed_email_domains"] == ["alpha.test"]
        assert response.json()["updated_by"] == owner_a.email
        assert security_policy_for(org_a).session_lifetime_minutes == 90
        with org_scope(org_a):
            assert AuditEvent.objects.filter(action="security_policy.updated").count() == 1

    @pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
    def test_other_roles_cannot_patch(self, org_a, role):
        response = patch(signed_in(member(org_a, role)), {"session_lifetime_minutes": 90})
        assert response.status_code == 403
        assert security_policy_for(org_a).pk is None

    def test_a_write_token_cannot_patch(self, org_a, owner_a):
        _token, plaintext = api_token(org_a, owner_a, scope="write")
        client = bearer(plaintext)
        assert client.get(API).status_code == 200
        assert patch(client, {"require_mfa": True}).status_code == 403

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"session_lifetime_minutes": 1}, "session_lifetime_minutes"),
            ({"session_lifetime_minutes": 50000}, "session_lifetime_minutes"),
            ({"allowed_email_domains": ["no domain"]}, "allowed_email_domains"),
            ({"allowed_email_domains": "alpha.test"}, "allowed_email_domains"),
            ({"sso_only": True}, "sso_only"),
            ({"updated_at": "2026-01-01T00:00:00Z"}, "updated_at"),
            ({"require_sso": True}, "require_sso"),
        ],
    )
    def test_bad_input_is_400_with_the_field(self, org_a, owner_a, body, field):
        response = patch(signed_in(owner_a), {"require_mfa": True, **body})
        assert response.status_code == 400
        assert field in response.json()
        with org_scope(org_a):
            assert not SecurityPolicy.objects.exists()  # nothing half-written: require_mfa was not saved

    def test_sso_only_message_says_what_to_do(self, org_a, owner_a):
        response = patch(signed_in(owner_a), {"sso_only": True})
        assert "Add an SSO connection first" in response.json()["sso_only"][0]


class TestPage:
    def test_members_read_it_and_cannot_change_it(self, org_a, owner_a):
        set_security_policy(org_a, owner_a, session_lifetime_minutes=45)
        client = signed_in(member(org_a, "editor"))
        page = client.get(PAGE)
        assert page.status_code == 200
        assert "45 minutes" in page.content.decode()
        assert "Save policy" not in page.content.decode()
        assert "Only owners and admins can change" in page.content.decode()
        assert client.post(PAGE, {"session_lifetime_minutes": 10}).status_code == 403
        assert security_policy_for(org_a).session_lifetime_minutes == 45

    def test_owner_saves_the_form(self, org_a, owner_a):
        client = signed_in(owner_a)
        response = client.post(
            PAGE, {"session_lifetime_minutes": 120, "allowed_email_domains": "alpha.test, alpha-labs.test"}
        )
        assert response.status_code == 302
        policy = security_policy_for(org_a)
        assert policy.session_lifetime_minutes == 120
        assert policy.allowed_email_domains == ["alpha.test", "alpha-labs.test"]
        assert "The security policy was saved" in client.get(PAGE).content.decode()

    def test_form_errors_are_shown_with_400(self, org_a, owner_a):
        response = signed_in(owner_a).post(PAGE, {"session_lifetime_minutes": 120, "sso_only": "on"})
        assert response.status_code == 400
        assert "Add an SSO connection first" in response.content.decode()

    def test_requiring_mfa_without_having_it_asks_to_enrol_or_confirm(self, org_a, owner_a):
        client = signed_in(owner_a)
        response = client.post(PAGE, {"session_lifetime_minutes": 720, "require_mfa": "on"})
        assert response.status_code == 400
        content = response.content.decode()
        assert "You have no two-factor authentication yet" in content
        assert 'name="confirm_without_mfa"' in content
        assert security_policy_for(org_a).require_mfa is False
        confirmed = client.post(
            PAGE, {"session_lifetime_minutes": 720, "require_mfa": "on", "confirm_without_mfa": "on"}
        )
        assert confirmed.status_code == 302
        assert security_policy_for(org_a).require_mfa is True

    def test_requiring_mfa_with_mfa_saves_at_once(self, org_a, owner_a):
        enrol_totp(owner_a)
        response = signed_in(owner_a).post(PAGE, {"session_lifetime_minutes": 720, "require_mfa": "on"})
        assert response.status_code == 302
        assert security_policy_for(org_a).require_mfa is True
