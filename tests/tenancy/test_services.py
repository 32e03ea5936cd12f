"""The tenancy service functions: invitations, roles, removal, the organization's profile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import UserFactory, member, principal_for
from tests.tenancy.factories import invite
from trustroom.audit.models import AuditEvent
from trustroom.tenancy import services
from trustroom.tenancy.models import Invitation, Membership, Organization
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def events(org: Organization, action: str) -> list[AuditEvent]:
    with org_scope(org):
        return list(AuditEvent.objects.filter(action=action))


def role_of(user: Any, org: Organization) -> str | None:
    membership = Membership.objects.filter(user=user, organization=org).first()
    return membership.role if membership else None


def set_invitation(org: Organization, invitation: Invitation, **fields: Any) -> Invitation:
    with org_scope(org):
        Invitation.objects.filter(pk=invitation.pk).update(**fields)
        invitation.refresh_from_db()
    return invitation


class TestInvitations:
    def test_invite_then_accept_as_existing_user(self, org_a, owner_a):
        invitation, secret = invite(org_a, owner_a, "Dana@Example.test", "editor")
        dana = UserFactory(email="dana@example.test")
        with org_scope(org_a):
            assert services.find_invitation(secret) == invitation
            membership = services.accept_invitation(actor=dana, invitation=invitation)
            invitation.refresh_from_db()
        assert membership.role == "editor"
        assert role_of(dana, org_a) == "editor"
        assert invitation.email == "dana@example.test"  # normalized
        assert invitation.status() == "accepted"
        assert invitation.accepted_by == dana
        created = events(org_a, "invitation.created")
        accepted = events(org_a, "invitation.accepted")
        assert [e.changes["email"] for e in created] == ["dana@example.test"]
        assert accepted[0].actor_user_id == dana.pk

    def test_invite_then_accept_as_new_user(self, org_a, owner_a):
        invitation, _secret = invite(org_a, owner_a, "new@example.test", "auditor")
        with org_scope(org_a):
            membership = services.accept_invitation_as_new_user(
                invitation=invitation, full_name=" New Person ", password="a long enough passphrase 9"
            )
        user = membership.user
        assert user.email == "new@example.test"
        assert user.full_name == "New Person"
        assert user.check_password("a long enough passphrase 9")
        assert role_of(user, org_a) == "auditor"
        assert len(events(org_a, "invitation.accepted")) == 1

    def test_secret_is_stored_only_as_a_digest(self, org_a, owner_a):
        invitation, secret = invite(org_a, owner_a, "x@example.test")
        with org_scope(org_a):
            values = Invitation.objects.filter(pk=invitation.pk).values().get()
        assert secret not in {str(v) for v in values.values()}
        with org_scope(org_a):
            assert services.find_invitation(secret + "x") is None

    def test_a_secret_opens_nothing_in_another_organization(self, org_a, owner_a, org_b):
        _invitation, secret = invite(org_a, owner_a, "x@example.test")
        with org_scope(org_b):
            assert services.find_invitation(secret) is None

    @pytest.mark.parametrize(
        ("state", "fields", "message"),
        [
            ("expired", {"expires_at": timezone.now() - timedelta(minutes=1)}, "This invitation is expired"),
            ("revoked", {"revoked_at": timezone.now()}, "This invitation is revoked"),
            ("accepted", {"accepted_at": timezone.now()}, "This invitation is accepted"),
        ],
    )
    def test_only_a_pending_invitation_can_be_accepted(self, org_a, owner_a, state, fields, message):
        invitation, _secret = invite(org_a, owner_a, "late@example.test")
        set_invitation(org_a, invitation, **fields)
        with org_scope(org_a), pytest.raises(ValidationError, match=message):
            services.accept_invitation_as_new_user(
                invitation=invitation, full_name="X", password="pw pw pw pw pw"
            )
        assert not get_user_model().objects.filter(email="late@example.test").exists()
        late = UserFactory(email="late@example.test")
        with org_scope(org_a), pytest.raises(ValidationError, match=message):
            services.accept_invitation(actor=late, invitation=invitation)
        assert role_of(late, org_a) is None
        assert events(org_a, "invitation.accepted") == []

    def test_an_invitation_for_someone_else_is_refused(self, org_a, owner_a):
        invitation, _secret = invite(org_a, owner_a, "right@example.test")
        wrong = UserFactory(email="wrong@example.test")
        with org_scope(org_a), pytest.raises(ValidationError, match=r"sent to right@example\.test"):
            services.accept_invitation(actor=wrong, invitation=invitation)
        assert role_of(wrong, org_a) is None
        with org_scope(org_a):
            invitation.refresh_from_db()
        assert invitation.status() == "pending"

    def test_new_account_refused_when_the_address_already_has_one(self, org_a, owner_a):
        invitation, _secret = invite(org_a, owner_a, "has@example.test")
        UserFactory(email="has@example.test")
        with org_scope(org_a), pytest.raises(ValidationError, match="sign in to accept"):
            services.accept_invitation_as_new_user(
                invitation=invitation, full_name="X", password="pw pw pw pw"
            )
        assert get_user_model().objects.filter(email="has@example.test").count() == 1

    def test_a_failed_acceptance_creates_no_account(self, org_a, owner_a, monkeypatch):
        invitation, _secret = invite(org_a, owner_a, "half@example.test")

        def failing_accept(**kwargs: Any) -> None:
            raise ValidationError("refused after the account row was written")

        monkeypatch.setattr(services, "accept_invitation", failing_accept)
        with org_scope(org_a), pytest.raises(ValidationError):
            services.accept_invitation_as_new_user(
                invitation=invitation, full_name="H", password="pw pw pw pw"
            )
        assert not get_user_model().objects.filter(email="half@example.test").exists()

    def test_inviting_a_member_is_refused_and_writes_nothing(self, org_a, owner_a):
        member(org_a, "viewer", email="already@example.test")
        with org_scope(org_a), pytest.raises(ValidationError) as caught:
            services.invite_member(
                actor=principal_for(owner_a, org_a), email="ALREADY@example.test", role="viewer"
            )
        assert "already a member" in caught.value.message_dict["email"][0]
        with org_scope(org_a):
            assert not Invitation.objects.exists()
        assert events(org_a, "invitation.created") == []

    def test_a_new_invitation_replaces_the_pending_one(self, org_a, owner_a):
        first, first_secret = invite(org_a, owner_a, "twice@example.test", "viewer")
        second, _ = invite(org_a, owner_a, "twice@example.test", "editor")
        with org_scope(org_a):
            first.refresh_from_db()
            assert services.find_invitation(first_secret).status() == "revoked"
        assert second.status() == "pending"

    def test_revoke_records_an_event_and_cannot_repeat(self, org_a, owner_a):
        invitation, _ = invite(org_a, owner_a, "r@example.test")
        with org_scope(org_a):
            services.revoke_invitation(actor=principal_for(owner_a, org_a), invitation=invitation)
            with pytest.raises(ValidationError, match="already revoked"):
                services.revoke_invitation(actor=principal_for(owner_a, org_a), invitation=invitation)
        assert invitation.status() == "revoked"
        assert len(events(org_a, "invitation.revoked")) == 1

    @pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
    def test_only_owners_and_admins_invite(self, org_a, role):
        someone = member(org_a, role)
        with org_scope(org_a), pytest.raises(PermissionDenied):
            services.invite_member(actor=principal_for(someone, org_a), email="x@example.test", role="viewer")

    def test_admin_cannot_invite_an_owner(self, org_a):
        admin = member(org_a, "admin")
        with org_scope(org_a), pytest.raises(PermissionDenied, match="Only an owner"):
            services.invite_member(actor=principal_for(admin, org_a), email="x@example.test", role="owner")
        with org_scope(org_a):
            assert not Invitation.objects.exists()


class TestRoles:
    def test_owner_changes_a_role_and_it_is_audited(self, org_a, owner_a):
        editor = member(org_a, "editor", email="ed@example.test")
        with org_scope(org_a):
            services.change_member_role(
                actor=principal_for(owner_a, org_a),
                membership=Membership.objects.get(user=editor, organization=org_a),
                role="admin",
            )
        assert role_of(editor, org_a) == "admin"
        [event] = events(org_a, "membership.role_changed")
        assert event.changes == {"user": "ed@example.test", "role": ["editor", "admin"]}

    def test_the_last_owner_cannot_be_demoted_or_removed(self, org_a, owner_a):
        # Owners cannot act on themselves and admins not on owners, so only an actor with the owner role
        # that is not this person (here the platform itself) reaches the last-owner rule.
        platform = system_principal(org_a)
        owner_membership = Membership.objects.get(user=owner_a, organization=org_a)
        with org_scope(org_a):
            with pytest.raises(ValidationError, match="at least one owner"):
                services.change_member_role(actor=platform, membership=owner_membership, role="admin")
            with pytest.raises(ValidationError, match="at least one owner"):
                services.remove_member(actor=platform, membership=owner_membership)
        assert role_of(owner_a, org_a) == "owner"
        assert events(org_a, "membership.role_changed") == []
        assert events(org_a, "membership.removed") == []

    def test_one_of_two_owners_can_be_demoted(self, org_a, owner_a):
        co_owner = member(org_a, "owner")
        with org_scope(org_a):
            services.change_member_role(
                actor=principal_for(owner_a, org_a),
                membership=Membership.objects.get(user=co_owner, organization=org_a),
                role="editor",
            )
        assert role_of(co_owner, org_a) == "editor"

    def test_admin_cannot_touch_an_owner(self, org_a, owner_a):
        admin = member(org_a, "admin")
        owner_membership = Membership.objects.get(user=owner_a, organization=org_a)
        with org_scope(org_a):
            with pytest.raises(PermissionDenied):
                services.change_member_role(
                    actor=principal_for(admin, org_a), membership=owner_membership, role="viewer"
                )
            with pytest.raises(PermissionDenied):
                services.remove_member(actor=principal_for(admin, org_a), membership=owner_membership)
        assert role_of(owner_a, org_a) == "owner"

    def test_admin_cannot_grant_owner(self, org_a, owner_a):
        admin = member(org_a, "admin")
        editor = member(org_a, "editor")
        with org_scope(org_a), pytest.raises(PermissionDenied, match="Only an owner"):
            services.change_member_role(
                actor=principal_for(admin, org_a),
                membership=Membership.objects.get(user=editor, organization=org_a),
                role="owner",
            )
        assert role_of(editor, org_a) == "editor"

    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_nobody_changes_their_own_role(self, org_a, owner_a, role):
        me = owner_a if role == "owner" else member(org_a, role)
        member(org_a, "owner")  # so "last owner" is not the reason for the refusal
        with org_scope(org_a), pytest.raises(PermissionDenied):
            services.change_member_role(
                actor=principal_for(me, org_a),
                membership=Membership.objects.get(user=me, organization=org_a),
                role="viewer",
            )
        assert role_of(me, org_a) == role

    def test_unknown_role_is_a_validation_error_on_role(self, org_a, owner_a):
        editor = member(org_a, "editor")
        with org_scope(org_a), pytest.raises(ValidationError) as caught:
            services.change_member_role(
                actor=principal_for(owner_a, org_a),
                membership=Membership.objects.get(user=editor, organization=org_a),
                role="superuser",
            )
        assert "role" in caught.value.message_dict

    def test_remove_member_is_audited(self, org_a, owner_a):
        viewer = member(org_a, "viewer", email="gone@example.test")
        with org_scope(org_a):
            services.remove_member(
                actor=principal_for(owner_a, org_a),
                membership=Membership.objects.get(user=viewer, organization=org_a),
            )
        assert role_of(viewer, org_a) is None
        [event] = events(org_a, "membership.removed")
        assert event.changes == {"user": "gone@example.test", "role": "viewer"}

    def test_a_membership_of_another_organization_is_not_found(self, org_a, owner_a, org_b, owner_b):
        with org_scope(org_a), pytest.raises(PermissionDenied):
            services.remove_member(
                actor=principal_for(owner_a, org_a),
                membership=Membership.objects.get(user=owner_b, organization=org_b),
            )
        assert role_of(owner_b, org_b) == "owner"


class TestOrganizationProfile:
    def test_update_is_audited_with_the_difference(self, org_a, owner_a):
        with org_scope(org_a):
            services.update_organization(
                actor=principal_for(owner_a, org_a), name="Alpha Co", tax_id=" 27AAACA1234A1Z5 "
            )
        org_a.refresh_from_db()
        assert org_a.tax_id == "27AAACA1234A1Z5"
        [event] = events(org_a, "organization.updated")
        assert event.changes == {"tax_id": ["", "27AAACA1234A1Z5"]}

    def test_invalid_profile_changes_nothing_and_records_nothing(self, org_a, owner_a):
        with org_scope(org_a), pytest.raises(ValidationError) as caught:
            services.update_organization(
                actor=principal_for(owner_a, org_a), legal_name="Alpha Co Pvt Ltd", website="not a url"
            )
        assert "website" in caught.value.message_dict
        org_a.refresh_from_db()
        assert org_a.legal_name == ""
        assert events(org_a, "organization.updated") == []

    @pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
    def test_only_owners_and_admins_change_the_profile(self, org_a, role):
        someone = member(org_a, role)
        with org_scope(org_a), pytest.raises(PermissionDenied):
            services.update_organization(actor=principal_for(someone, org_a), name="Hijacked")
        org_a.refresh_from_db()
        assert org_a.name == "Alpha Co"
