"""Consented support access: staff see nothing without an owner's grant, and only while it is active."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from tests.factories import auditor_of_everything, member, principal_for
from tests.identity.factories import allow, api_token, bearer, grant_support, staff_user
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.audit.verify import verify_chain
from trustroom.identity.models import SupportAccessGrant
from trustroom.identity.support_access import grant_support_access, revoke_support_access
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

DASHBOARD = "/o/alpha-co/"
SUPPORT_PAGE = "/o/alpha-co/settings/support-access/"
PROFILE_API = "/api/v1/orgs/alpha-co/profile/"
GRANTS_API = "/api/v1/orgs/alpha-co/support-access/"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


def _post_json(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def _events(org: Any, action: str) -> list[AuditEvent]:
    with org_scope(org):
        return list(AuditEvent.objects.filter(action=action).order_by("seq"))


@pytest.fixture
def staff(db: None) -> Any:
    return staff_user()


class TestWithoutGrant:
    def test_staff_without_a_grant_get_the_strangers_404_on_pages_and_api(self, org_a, owner_a, staff):
        client = signed_in(staff)
        for url in (DASHBOARD, SUPPORT_PAGE, "/o/alpha-co/audit/"):
            assert client.get(url).status_code == 404
        for url in (PROFILE_API, GRANTS_API, "/api/v1/orgs/alpha-co/audit-events/"):
            assert client.get(url).status_code == 404
        # Exactly like an organization that does not exist.
        assert client.get("/o/no-such-co/").status_code == 404

    def test_a_grant_in_another_organization_opens_nothing_here(self, org_a, owner_a, org_b, owner_b, staff):
        grant_support(org_b, owner_b, staff, scope="admin")
        client = signed_in(staff)
        assert client.get(DASHBOARD).status_code == 404
        assert client.get(PROFILE_API).status_code == 404
        assert client.get("/o/bravo-co/").status_code == 200

    def test_a_grant_to_a_person_who_loses_staff_status_stops_working(self, org_a, owner_a, staff):
        grant_support(org_a, owner_a, staff)
        client = signed_in(staff)
        assert client.get(DASHBOARD).status_code == 200
        call_command("staff", "unset", staff.email, stdout=StringIO())
        assert client.get(DASHBOARD).status_code == 404


class TestReadScope:
    def test_reads_what_an_auditor_reads(self, org_a, owner_a, staff):
        grant_support(org_a, owner_a, staff, scope="read")
        client = signed_in(staff)
        assert client.get(DASHBOARD).status_code == 200
        assert client.get("/o/alpha-co/audit/").status_code == 200
        assert client.get("/o/alpha-co/ip-allowlist/").status_code == 200
        assert client.get(SUPPORT_PAGE).status_code == 200
        profile = client.get(PROFILE_API)
        assert profile.status_code == 200
        assert profile.json()["name"] == "Alpha Co"
        assert client.get("/api/v1/orgs/alpha-co/audit-events/").status_code == 200

    def test_every_write_is_refused(self, org_a, owner_a, staff):
        grant_support(org_a, owner_a, staff, scope="read")
        client = signed_in(staff)
        assert _patch(client, PROFILE_API, {"name": "Changed"}).status_code == 403
        assert client.post("/o/alpha-co/settings/", {"name": "Changed"}).status_code == 403
        invite = _post_json(
            client, "/api/v1/orgs/alpha-co/invitations/", {"email": "x@y.test", "role": "owner"}
        )
        assert invite.status_code == 403
        org_a.refresh_from_db()
        assert org_a.name == "Alpha Co"


class TestAdminScope:
    def test_writes_through_services_are_attributed_to_the_staff_member(self, org_a, owner_a, staff):
        grant = grant_support(org_a, owner_a, staff, scope="admin")
        client = signed_in(staff)
        response = _patch(client, PROFILE_API, {"name": "Alpha Co Renamed"})
        assert response.status_code == 200
        [event] = _events(org_a, "organization.updated")
        assert event.actor_user_id == staff.pk
        assert event.actor_label == f"{staff.email} (support staff, grant {grant.pk})"

    def test_never_manages_tokens_members_policy_allowlist_or_grants(self, org_a, owner_a, staff):
        editor = member(org_a, "editor", email="editor@alpha.test")
        grant_support(org_a, owner_a, staff, scope="admin")
        client = signed_in(staff)
        # API tokens: not even listed (a token would outlive the grant).
        assert client.get("/o/alpha-co/api-tokens/").status_code == 403
        assert client.get("/api/v1/orgs/alpha-co/api-tokens/").status_code == 403
        created = _post_json(client, "/api/v1/orgs/alpha-co/api-tokens/", {"name": "mine", "scope": "write"})
        assert created.status_code == 403
        # Members and invitations: read, never changed (no way to make the access outlast the grant).
        assert client.get("/api/v1/orgs/alpha-co/members/").status_code == 200
        membership = client.get("/api/v1/orgs/alpha-co/members/").json()
        editor_id = next(m["id"] for m in membership["results"] if m["user"]["email"] == editor.email)
        role = _patch(client, f"/api/v1/orgs/alpha-co/members/{editor_id}/", {"role": "admin"})
        assert role.status_code == 403
        invite = _post_json(
            client, "/api/v1/orgs/alpha-co/invitations/", {"email": staff.email, "role": "owner"}
        )
        assert invite.status_code == 403
        # Security policy and IP allowlist: read only.
        assert client.get("/api/v1/orgs/alpha-co/security-policy/").status_code == 200
        assert (
            _patch(client, "/api/v1/orgs/alpha-co/security-policy/", {"require_mfa": False}).status_code
            == 403
        )
        assert client.get("/api/v1/orgs/alpha-co/ip-allowlist/").status_code == 200
        added = _post_json(client, "/api/v1/orgs/alpha-co/ip-allowlist/", {"network": "10.0.0.0/8"})
        assert added.status_code == 403
        # Support grants: read only (no extending or widening one's own access).
        assert client.get(GRANTS_API).status_code == 200
        more = _post_json(
            client,
            GRANTS_API,
            {"staff_email": staff.email, "scope": "admin", "reason": "more", "duration_hours": 168},
        )
        assert more.status_code == 403
        page = client.post(
            SUPPORT_PAGE, {"staff_email": staff.email, "scope": "admin", "reason": "x", "duration_hours": 168}
        )
        assert page.status_code == 403
        with org_scope(org_a):
            assert SupportAccessGrant.objects.count() == 1


class TestExpiryAndRevocation:
    def test_expiry_is_enforced_on_the_next_request_of_the_same_session(self, org_a, owner_a, staff):
        with time_machine.travel(T0, tick=False) as traveller:
            grant_support(org_a, owner_a, staff, hours=4)
            client = signed_in(staff)
            traveller.move_to(T0 + timedelta(hours=3, minutes=59))
            assert client.get(DASHBOARD).status_code == 200
            assert client.get(PROFILE_API).status_code == 200
            traveller.move_to(T0 + timedelta(hours=4, seconds=1))
            assert client.get(DASHBOARD).status_code == 404
            assert client.get(PROFILE_API).status_code == 404
            owner_view = signed_in(owner_a).get(GRANTS_API).json()["results"][0]
            assert owner_view["status"] == "expired"

    def test_revoking_takes_effect_at_once(self, org_a, owner_a, staff):
        grant = grant_support(org_a, owner_a, staff)
        staff_client = signed_in(staff)
        assert staff_client.get(DASHBOARD).status_code == 200
        owner = signed_in(owner_a)
        confirm = owner.get(f"{SUPPORT_PAGE}{grant.pk}/revoke/")
        assert confirm.status_code == 200
        assert owner.post(f"{SUPPORT_PAGE}{grant.pk}/revoke/").status_code == 302
        assert staff_client.get(DASHBOARD).status_code == 404
        assert staff_client.get(PROFILE_API).status_code == 404
        [event] = _events(org_a, "support_access.revoked")
        assert event.actor_user_id == owner_a.pk
        with org_scope(org_a):
            grant.refresh_from_db()
        assert grant.status() == "revoked"
        assert grant.revoked_by_id == owner_a.pk

    def test_revoke_through_the_api_and_not_twice(self, org_a, owner_a, staff):
        grant = grant_support(org_a, owner_a, staff)
        owner = signed_in(owner_a)
        response = owner.delete(f"{GRANTS_API}{grant.pk}/")
        assert response.status_code == 200
        assert response.json()["status"] == "revoked"
        again = owner.delete(f"{GRANTS_API}{grant.pk}/")
        assert again.status_code == 400
        assert "already revoked" in again.json()["grant"][0]
        assert signed_in(staff).get(DASHBOARD).status_code == 404


class TestGranting:
    def test_owner_grants_through_the_page_and_it_is_audit_logged(self, org_a, owner_a, staff):
        owner = signed_in(owner_a)
        page = owner.get(SUPPORT_PAGE)
        assert page.status_code == 200
        assert "No support access was ever granted" in page.content.decode()
        response = owner.post(
            SUPPORT_PAGE,
            {
                "staff_email": staff.email.upper(),
                "scope": "read",
                "reason": "Ticket 99",
                "duration_hours": "4",
            },
        )
        assert response.status_code == 302
        with org_scope(org_a):
            grant = SupportAccessGrant.objects.get()
        assert grant.staff_user_id == staff.pk
        assert grant.granted_by_id == owner_a.pk
        assert timedelta(hours=3, minutes=59) < grant.expires_at - timezone.now() <= timedelta(hours=4)
        [event] = _events(org_a, "support_access.granted")
        assert event.changes["staff_email"] == staff.email
        assert event.changes["reason"] == "Ticket 99"
        listed = owner.get(SUPPORT_PAGE).content.decode()
        assert staff.email in listed and "Ticket 99" in listed and "Active" in listed

    def test_owner_grants_through_the_api(self, org_a, owner_a, staff):
        response = _post_json(
            signed_in(owner_a),
            GRANTS_API,
            {"staff_email": staff.email, "scope": "admin", "reason": "Ticket 7", "duration_hours": 72},
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["staff_email"], body["scope"], body["status"]) == (staff.email, "admin", "active")
        assert body["granted_by"] == owner_a.email

    @pytest.mark.parametrize("role", ["admin", "editor", "viewer", "auditor"])
    def test_only_owners_grant_others_may_read_the_list(self, org_a, owner_a, staff, role):
        email = f"{role}@alpha.test"
        person = (
            auditor_of_everything(org_a, email=email)
            if role == "auditor"
            else member(org_a, role, email=email)
        )
        grant = grant_support(org_a, owner_a, staff)
        client = signed_in(person)
        page = client.get(SUPPORT_PAGE)
        assert page.status_code == 200
        assert staff.email in page.content.decode()
        assert "Grant access</button>" not in page.content.decode()
        assert client.get(GRANTS_API).status_code == 200
        form = {"staff_email": staff.email, "scope": "read", "reason": "x", "duration_hours": "4"}
        assert client.post(SUPPORT_PAGE, form).status_code == 403
        api = _post_json(client, GRANTS_API, {**form, "duration_hours": 4})
        assert api.status_code == 403
        assert client.delete(f"{GRANTS_API}{grant.pk}/").status_code == 403
        assert client.post(f"{SUPPORT_PAGE}{grant.pk}/revoke/").status_code == 403
        with org_scope(org_a), pytest.raises(PermissionDenied):
            grant_support_access(
                actor=principal_for(person, org_a),
                staff_email=staff.email,
                scope="read",
                reason="x",
                expires_at=timezone.now() + timedelta(hours=1),
            )

    def test_api_tokens_read_but_never_grant(self, org_a, owner_a, staff):
        grant_support(org_a, owner_a, staff)
        _token, plaintext = api_token(org_a, owner_a, scope="write")
        client = bearer(plaintext)
        assert client.get(GRANTS_API).status_code == 200
        body = {"staff_email": staff.email, "scope": "read", "reason": "x", "duration_hours": 4}
        assert _post_json(client, GRANTS_API, body).status_code == 403

    def test_a_non_staff_email_is_refused_with_a_field_error(self, org_a, owner_a):
        member(org_a, "viewer", email="viewer@alpha.test")
        outsider = staff_user(email="ordinary@example.test")
        outsider.is_staff = False
        outsider.save()
        owner = signed_in(owner_a)
        for email in ("ordinary@example.test", "nobody@example.test"):
            response = owner.post(
                SUPPORT_PAGE, {"staff_email": email, "scope": "read", "reason": "x", "duration_hours": "4"}
            )
            assert response.status_code == 400
            assert "is not a platform staff account" in response.content.decode()
            api = _post_json(
                owner, GRANTS_API, {"staff_email": email, "scope": "read", "reason": "x", "duration_hours": 4}
            )
            assert api.status_code == 400
            assert "is not a platform staff account" in api.json()["staff_email"][0]
        with org_scope(org_a):
            assert not SupportAccessGrant.objects.exists()
            assert not AuditEvent.objects.filter(action="support_access.granted").exists()

    def test_expiry_must_be_in_the_future_and_within_seven_days(self, org_a, owner_a, staff):
        actor = principal_for(owner_a, org_a)
        now = timezone.now()
        cases = [
            (now - timedelta(minutes=1), "in the future"),
            (now + timedelta(days=7, minutes=1), "at most 7 days"),
            (datetime(2030, 1, 1), "time zone"),  # noqa: DTZ001 - a naive datetime is what is refused
        ]
        for expires_at, message in cases:
            with org_scope(org_a), pytest.raises(ValidationError) as refused:
                grant_support_access(
                    actor=actor, staff_email=staff.email, scope="read", reason="x", expires_at=expires_at
                )
            assert message in refused.value.message_dict["expires_at"][0]
        too_long = _post_json(
            signed_in(owner_a),
            GRANTS_API,
            {"staff_email": staff.email, "scope": "read", "reason": "x", "duration_hours": 169},
        )
        assert too_long.status_code == 400
        assert "duration_hours" in too_long.json()

    def test_reason_scope_and_one_active_grant_at_a_time(self, org_a, owner_a, staff):
        actor = principal_for(owner_a, org_a)
        later = timezone.now() + timedelta(hours=1)
        with org_scope(org_a), pytest.raises(ValidationError) as refused:
            grant_support_access(
                actor=actor, staff_email=staff.email, scope="root", reason=" ", expires_at=later
            )
        assert set(refused.value.message_dict) == {"scope", "reason"}
        grant = grant_support(org_a, owner_a, staff)
        with org_scope(org_a), pytest.raises(ValidationError) as twice:
            grant_support_access(
                actor=actor, staff_email=staff.email, scope="admin", reason="y", expires_at=later
            )
        assert "already has active support access" in twice.value.message_dict["staff_email"][0]
        with org_scope(org_a):
            revoke_support_access(actor=actor, grant=grant)
            grant_support_access(
                actor=actor, staff_email=staff.email, scope="admin", reason="y", expires_at=later
            )


class TestAuditOfStaffRequests:
    def test_every_staff_request_is_recorded_and_listed_to_the_organization(self, org_a, owner_a, staff):
        grant = grant_support(org_a, owner_a, staff, scope="read")
        client = signed_in(staff)
        assert client.get("/o/alpha-co/compliance/").status_code == 200
        assert _patch(client, PROFILE_API, {"name": "Changed"}).status_code == 403
        used = _events(org_a, "support_access.used")
        assert [(e.changes["method"], e.changes["path"], e.changes["status_code"]) for e in used] == [
            ("GET", "/o/alpha-co/compliance/", 200),
            ("PATCH", PROFILE_API, 403),
        ]
        assert all(e.changes["grant_id"] == grant.pk and e.actor_user_id == staff.pk for e in used)
        assert all(e.target_id == str(grant.pk) for e in used)
        # Members' own requests are not support requests.
        owner = signed_in(owner_a)
        page = owner.get(SUPPORT_PAGE).content.decode()
        assert len(_events(org_a, "support_access.used")) == 2
        assert "PATCH /api/v1/orgs/alpha-co/profile/" in page and "403" in page
        assert "/o/alpha-co/compliance/" in page
        assert page.index("PATCH /api/v1/orgs/alpha-co/profile/") < page.index("GET /o/alpha-co/compliance/")
        with org_scope(org_a):
            assert verify_chain().ok

    def test_a_missing_record_under_a_grant_is_recorded_too(self, org_a, owner_a, staff):
        grant_support(org_a, owner_a, staff)
        assert signed_in(staff).get("/o/alpha-co/audit/999999/").status_code == 404
        [event] = _events(org_a, "support_access.used")
        assert event.changes["status_code"] == 404

    def test_the_staff_page_lists_active_grants_only(self, org_a, owner_a, org_b, owner_b, staff):
        grant = grant_support(org_a, owner_a, staff)
        client = signed_in(staff)
        page = client.get("/accounts/support/").content.decode()
        assert "Alpha Co" in page and "Bravo Co" not in page
        assert 'href="/o/alpha-co/"' in page
        with org_scope(org_a):
            revoke_support_access(actor=principal_for(owner_a, org_a), grant=grant)
        assert "No organization has granted you access" in client.get("/accounts/support/").content.decode()
        ordinary = signed_in(owner_b).get("/accounts/support/").content.decode()
        assert "not a staff account" in ordinary


class TestMfaAndAllowlist:
    def test_staff_without_mfa_are_refused_with_a_reason(self, org_a, owner_a):
        no_mfa = staff_user(mfa=False, email="nomfa@platform.test")
        grant_support(org_a, owner_a, no_mfa)
        client = signed_in(no_mfa)
        page = client.get(DASHBOARD)
        assert page.status_code == 403
        assert "needs two-factor authentication" in page.content.decode()
        api = client.get(PROFILE_API)
        assert api.status_code == 403
        assert "needs two-factor authentication" in api.json()["detail"]
        assert _events(org_a, "support_access.used") == []

    def test_staff_without_mfa_and_without_grant_still_get_404(self, org_a, owner_a):
        no_mfa = staff_user(mfa=False, email="nomfa@platform.test")
        assert signed_in(no_mfa).get(DASHBOARD).status_code == 404

    def test_the_members_ip_allowlist_applies_to_staff(self, org_a, owner_a, staff):
        allow(org_a, owner_a, "203.0.113.0/24", applies_to="members")
        grant_support(org_a, owner_a, staff)
        client = signed_in(staff)
        assert client.get(DASHBOARD, REMOTE_ADDR="198.51.100.7").status_code == 403
        assert client.get(PROFILE_API, REMOTE_ADDR="198.51.100.7").status_code == 403
        assert client.get(DASHBOARD, REMOTE_ADDR="203.0.113.7").status_code == 200


class TestStaffCommand:
    def test_set_and_unset_print_what_changed(self, db):
        from tests.factories import UserFactory

        user = UserFactory(email="helper@platform.test")
        out = StringIO()
        call_command("staff", "set", "Helper@Platform.test", stdout=out)
        user.refresh_from_db()
        assert user.is_staff
        assert "is now platform staff" in out.getvalue()
        out = StringIO()
        call_command("staff", "set", user.email, stdout=out)
        assert "already platform staff; nothing changed" in out.getvalue()
        out = StringIO()
        call_command("staff", "list", stdout=out)
        assert user.email in out.getvalue()
        call_command("staff", "unset", user.email, stdout=StringIO())
        user.refresh_from_db()
        assert not user.is_staff
        with pytest.raises(CommandError, match="No account"):
            call_command("staff", "set", "ghost@platform.test", stdout=StringIO())
