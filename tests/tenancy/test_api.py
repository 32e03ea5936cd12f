"""The tenancy API: organization profile, members and invitations under /api/v1/orgs/<slug>/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import member
from tests.identity.factories import api_token, bearer
from tests.tenancy.factories import invite, signed_in
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.models import Invitation, Membership, Organization
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/alpha-co"


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None and method not in ("get", "head"):
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs)


def membership(user: Any, org: Organization) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def role_of(user: Any, org: Organization) -> str | None:
    found = Membership.objects.filter(user=user, organization=org).first()
    return found.role if found else None


def last_action(org: Organization) -> str | None:
    with org_scope(org):
        event = AuditEvent.objects.order_by("-seq").first()
    return event.action if event else None


class TestProfile:
    def test_member_reads_the_profile(self, org_a, owner_a):
        viewer = member(org_a, "viewer")
        response = signed_in(viewer).get(f"{API}/profile/")
        assert response.status_code == 200
        assert response.json() | {"created_at": None} == {
            "slug": "alpha-co",
            "name": "Alpha Co",
            "legal_name": "",
            "registration_number": "",
            "tax_id": "",
            "website": "",
            "created_at": None,
        }

    def test_read_token_reads_the_profile(self, org_a, owner_a):
        _token, plaintext = api_token(org_a, owner_a, scope="read")
        assert bearer(plaintext).get(f"{API}/profile/").json()["name"] == "Alpha Co"

    def test_admin_patches_the_profile(self, org_a, owner_a):
        admin = member(org_a, "admin")
        body = {"legal_name": "Alpha Co Private Limited", "tax_id": "29AAACA1234A1Z5"}
        response = send(signed_in(admin), "patch", f"{API}/profile/", body)
        assert response.status_code == 200
        assert response.json()["legal_name"] == "Alpha Co Private Limited"
        org_a.refresh_from_db()
        assert org_a.tax_id == "29AAACA1234A1Z5"
        assert last_action(org_a) == "organization.updated"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": ""}, "name"),
            ({"website": "not a url"}, "website"),
            ({"tax_id": "x" * 101}, "tax_id"),
            ({"slug": "new-slug"}, "slug"),
            ({"colour": "blue"}, "colour"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(self, org_a, owner_a, body, field):
        response = send(signed_in(owner_a), "patch", f"{API}/profile/", {"legal_name": "Changed", **body})
        assert response.status_code == 400
        assert field in response.json()
        org_a.refresh_from_db()
        assert (org_a.slug, org_a.legal_name) == ("alpha-co", "")
        assert last_action(org_a) is None

    def test_malformed_json_is_a_400(self, org_a, owner_a):
        response = signed_in(owner_a).patch(
            f"{API}/profile/", data="{not json", content_type="application/json"
        )
        assert response.status_code == 400
        assert "JSON parse error" in response.json()["detail"]

    @pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
    def test_other_roles_cannot_patch(self, org_a, role):
        someone = member(org_a, role)
        response = send(signed_in(someone), "patch", f"{API}/profile/", {"name": "Hijacked"})
        assert response.status_code == 403
        org_a.refresh_from_db()
        assert org_a.name == "Alpha Co"

    def test_write_token_cannot_patch_the_profile(self, org_a, owner_a):
        _token, plaintext = api_token(org_a, owner_a, scope="write")
        response = send(bearer(plaintext), "patch", f"{API}/profile/", {"name": "Hijacked"})
        assert response.status_code == 403
        org_a.refresh_from_db()
        assert org_a.name == "Alpha Co"

    @pytest.mark.parametrize("method", ["put", "post", "delete"])
    def test_other_methods_are_405(self, org_a, owner_a, method):
        response = send(signed_in(owner_a), method, f"{API}/profile/", {"name": "X"})
        assert response.status_code == 405
        assert "not allowed" in response.json()["detail"]


class TestMembers:
    def test_list_and_retrieve(self, org_a, owner_a, org_b, owner_b):
        editor = member(org_a, "editor", email="ed@alpha.test", full_name="Ed Itor")
        client = signed_in(member(org_a, "viewer"))
        listing = client.get(f"{API}/members/").json()
        assert listing["count"] == 3
        emails = {row["user"]["email"] for row in listing["results"]}
        assert "ed@alpha.test" in emails
        assert owner_b.email not in emails
        one = client.get(f"{API}/members/{membership(editor, org_a).pk}/").json()
        assert one["role"] == "editor"
        assert one["user"] == {"id": editor.pk, "email": "ed@alpha.test", "full_name": "Ed Itor"}
        assert set(one) == {"id", "user", "role", "joined_at"}

    def test_owner_changes_a_role(self, org_a, owner_a):
        editor = member(org_a, "editor")
        url = f"{API}/members/{membership(editor, org_a).pk}/"
        response = send(signed_in(owner_a), "patch", url, {"role": "admin"})
        assert response.status_code == 200
        assert response.json()["role"] == "admin"
        assert role_of(editor, org_a) == "admin"
        assert last_action(org_a) == "membership.role_changed"

    @pytest.mark.parametrize(
        ("body", "field"), [({"role": "root"}, "role"), ({}, "role"), ({"rol": "admin"}, "rol")]
    )
    def test_bad_role_is_a_400_naming_the_field(self, org_a, owner_a, body, field):
        editor = member(org_a, "editor")
        response = send(signed_in(owner_a), "patch", f"{API}/members/{membership(editor, org_a).pk}/", body)
        assert response.status_code == 400
        assert field in response.json()
        assert role_of(editor, org_a) == "editor"

    def test_admin_cannot_grant_owner_or_touch_an_owner(self, org_a, owner_a):
        admin = member(org_a, "admin")
        editor = member(org_a, "editor")
        client = signed_in(admin)
        grant = send(client, "patch", f"{API}/members/{membership(editor, org_a).pk}/", {"role": "owner"})
        assert grant.status_code == 403
        assert "Only an owner" in grant.json()["detail"]
        owner_url = f"{API}/members/{membership(owner_a, org_a).pk}/"
        assert send(client, "patch", owner_url, {"role": "viewer"}).status_code == 403
        assert client.delete(owner_url).status_code == 403
        assert (role_of(editor, org_a), role_of(owner_a, org_a)) == ("editor", "owner")

    def test_nobody_changes_their_own_role(self, org_a, owner_a):
        member(org_a, "owner")
        url = f"{API}/members/{membership(owner_a, org_a).pk}/"
        assert send(signed_in(owner_a), "patch", url, {"role": "viewer"}).status_code == 403
        assert role_of(owner_a, org_a) == "owner"

    def test_remove(self, org_a, owner_a):
        viewer = member(org_a, "viewer")
        response = signed_in(owner_a).delete(f"{API}/members/{membership(viewer, org_a).pk}/")
        assert response.status_code == 204
        assert role_of(viewer, org_a) is None
        assert last_action(org_a) == "membership.removed"

    def test_viewer_and_tokens_cannot_manage_members(self, org_a, owner_a):
        editor = member(org_a, "editor")
        url = f"{API}/members/{membership(editor, org_a).pk}/"
        viewer = signed_in(member(org_a, "viewer"))
        assert send(viewer, "patch", url, {"role": "admin"}).status_code == 403
        assert viewer.delete(url).status_code == 403
        _token, plaintext = api_token(org_a, owner_a, scope="write")
        assert send(bearer(plaintext), "patch", url, {"role": "admin"}).status_code == 403
        assert bearer(plaintext).delete(url).status_code == 403
        assert role_of(editor, org_a) == "editor"

    @pytest.mark.parametrize("method", ["get", "patch", "delete"])
    def test_membership_of_another_organization_is_404(self, org_a, owner_a, org_b, owner_b, method):
        b_viewer = member(org_b, "viewer")
        url = f"{API}/members/{membership(b_viewer, org_b).pk}/"
        response = send(signed_in(owner_a), method, url, {"role": "admin"})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        assert role_of(b_viewer, org_b) == "viewer"

    @pytest.mark.parametrize("suffix", ["abc/", "-1/", "1.0/", "99999999999999999999999/", "%00/"])
    def test_malformed_ids_are_404(self, org_a, owner_a, suffix):
        response = signed_in(owner_a).get(f"{API}/members/{suffix}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("post", "members/"),
            ("put", "members/{own}/"),
            ("put", "members/{other}/"),
            ("put", "members/999999/"),
            ("post", "invitations/{inv}/"),
            ("patch", "invitations/{inv}/"),
            ("put", "invitations/{other_inv}/"),
        ],
    )
    def test_wrong_methods_are_405_whoever_owns_the_id(self, org_a, owner_a, org_b, owner_b, method, path):
        # A method the endpoint lacks is refused before any lookup, so the answer says nothing about the id.
        editor = member(org_a, "editor")
        invitation, _ = invite(org_a, owner_a, "a@alpha.test")
        other_invitation, _ = invite(org_b, owner_b, "b@bravo.test")
        url = f"{API}/" + path.format(
            own=membership(editor, org_a).pk,
            other=membership(owner_b, org_b).pk,
            inv=invitation.pk,
            other_inv=other_invitation.pk,
        )
        response = send(signed_in(owner_a), method, url, {"role": "admin"})
        assert response.status_code == 405
        assert response.json()["detail"] == f'Method "{method.upper()}" not allowed.'
        assert (role_of(editor, org_a), role_of(owner_b, org_b)) == ("editor", "owner")


class TestInvitations:
    def test_create_returns_the_link_once_and_mails_it(
        self, org_a, owner_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        client = signed_in(owner_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = send(
                client, "post", f"{API}/invitations/", {"email": "Pat@Example.test", "role": "editor"}
            )
        assert response.status_code == 201
        body = response.json()
        assert body["email"] == "pat@example.test"
        assert body["status"] == "pending"
        assert body["accept_url"].startswith("http://127.0.0.1:8000/o/alpha-co/invitations/accept/")
        assert body["accept_url"] in mailoutbox[0].body
        assert "secret_digest" not in body
        listed = client.get(f"{API}/invitations/{body['id']}/").json()
        assert "accept_url" not in listed
        assert "secret_digest" not in listed
        assert last_action(org_a) == "invitation.created"
        # The link works: it opens the acceptance page of this invitation.
        assert Client().get(body["accept_url"].removeprefix("http://127.0.0.1:8000")).status_code == 200

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"email": "nope", "role": "viewer"}, "email"),
            ({"email": "a@example.test", "role": "boss"}, "role"),
            ({"role": "viewer"}, "email"),
            ({"email": "a@example.test", "role": "viewer", "expires_at": "2030-01-01"}, "expires_at"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, org_a, owner_a, body, field):
        response = send(signed_in(owner_a), "post", f"{API}/invitations/", body)
        assert response.status_code == 400
        assert field in response.json()
        with org_scope(org_a):
            assert not Invitation.objects.exists()

    def test_inviting_a_member_is_a_400_on_email(self, org_a, owner_a):
        member(org_a, "viewer", email="here@alpha.test")
        response = send(
            signed_in(owner_a), "post", f"{API}/invitations/", {"email": "here@alpha.test", "role": "viewer"}
        )
        assert response.status_code == 400
        assert "already a member" in response.json()["email"][0]

    def test_delete_revokes_and_keeps_the_row(self, org_a, owner_a):
        invitation, secret = invite(org_a, owner_a, "pending@alpha.test")
        client = signed_in(owner_a)
        response = client.delete(f"{API}/invitations/{invitation.pk}/")
        assert response.status_code == 200
        assert response.json()["status"] == "revoked"
        assert client.get(f"{API}/invitations/{invitation.pk}/").json()["status"] == "revoked"
        assert last_action(org_a) == "invitation.revoked"
        again = client.delete(f"{API}/invitations/{invitation.pk}/")
        assert again.status_code == 400
        assert "already revoked" in again.json()["non_field_errors"][0]
        assert Client().get(f"/o/alpha-co/invitations/accept/{secret}/").status_code == 410

    @pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
    def test_only_owners_and_admins(self, org_a, owner_a, role):
        invitation, _ = invite(org_a, owner_a, "pending@alpha.test")
        client = signed_in(member(org_a, role))
        assert client.get(f"{API}/invitations/").status_code == 403
        assert (
            send(
                client, "post", f"{API}/invitations/", {"email": "x@example.test", "role": "viewer"}
            ).status_code
            == 403
        )
        assert client.delete(f"{API}/invitations/{invitation.pk}/").status_code == 403
        assert invitation.status() == "pending"

    @pytest.mark.parametrize("method", ["get", "delete"])
    def test_invitation_of_another_organization_is_404(self, org_a, owner_a, org_b, owner_b, method):
        b_invitation, _ = invite(org_b, owner_b, "pending@bravo.test")
        response = send(
            signed_in(owner_a), method, f"{API}/invitations/{b_invitation.pk}/", {"role": "admin"}
        )
        assert response.status_code == 404
        with org_scope(org_b):
            b_invitation.refresh_from_db()
        assert b_invitation.status() == "pending"

    def test_list_shows_only_this_organization(self, org_a, owner_a, org_b, owner_b):
        invite(org_a, owner_a, "mine@alpha.test")
        invite(org_b, owner_b, "theirs@bravo.test")
        rows = signed_in(owner_a).get(f"{API}/invitations/").json()["results"]
        assert [row["email"] for row in rows] == ["mine@alpha.test"]


class TestOrganizationResolution:
    @pytest.mark.parametrize("path", ["profile/", "members/", "invitations/", "members/1/"])
    def test_unknown_slug_is_a_json_404(self, org_a, owner_a, path):
        response = signed_in(owner_a).get(f"/api/v1/orgs/no-such-org/{path}")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such organization."}

    @pytest.mark.parametrize("path", ["profile/", "members/", "invitations/"])
    def test_non_member_gets_the_same_404(self, org_a, owner_a, org_b, owner_b, path):
        response = signed_in(owner_b).get(f"{API}/{path}")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such organization."}

    def test_anonymous_gets_401(self, org_a):
        assert Client().get(f"{API}/members/").status_code == 401
