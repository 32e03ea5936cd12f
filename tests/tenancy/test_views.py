"""The members page, its actions, and the organization settings page (HTML)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import member
from tests.tenancy.factories import invite, signed_in
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.models import Invitation, Membership, Organization
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

MEMBERS = "/o/alpha-co/members/"


def membership(user: Any, org: Organization) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def role_of(user: Any, org: Organization) -> str | None:
    found = Membership.objects.filter(user=user, organization=org).first()
    return found.role if found else None


def invitations(org: Organization) -> list[Invitation]:
    with org_scope(org):
        return list(Invitation.objects.all())


def actions(org: Organization) -> list[str]:
    with org_scope(org):
        return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


class TestMembersPage:
    def test_owner_sees_members_invitations_and_controls(self, org_a, owner_a):
        editor = member(org_a, "editor", email="ed@alpha.test", full_name="Ed Itor")
        invite(org_a, owner_a, "pending@alpha.test", "viewer")
        response = signed_in(owner_a).get(MEMBERS)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Ed Itor" in html
        assert "ed@alpha.test" in html
        assert f'action="/o/alpha-co/members/{membership(editor, org_a).pk}/role/"' in html
        assert f'href="/o/alpha-co/members/{membership(editor, org_a).pk}/remove/"' in html
        assert "pending@alpha.test" in html
        assert 'class="badge pending"' in html
        assert 'action="/o/alpha-co/members/invite/"' in html
        # Nobody gets controls on their own row.
        assert f"/members/{membership(owner_a, org_a).pk}/role/" not in html

    def test_viewer_sees_members_without_any_control(self, org_a, owner_a):
        viewer = member(org_a, "viewer")
        invite(org_a, owner_a, "pending@alpha.test", "viewer")
        response = signed_in(viewer).get(MEMBERS)
        html = response.content.decode()
        assert response.status_code == 200
        assert owner_a.email in html
        assert "/role/" not in html
        assert "/remove/" not in html
        assert "/members/invite/" not in html
        assert "pending@alpha.test" not in html  # invitations are for owners and admins

    def test_admin_gets_no_controls_on_an_owner_and_cannot_offer_owner(self, org_a, owner_a):
        admin = member(org_a, "admin")
        editor = member(org_a, "editor")
        html = signed_in(admin).get(MEMBERS).content.decode()
        assert f"/members/{membership(owner_a, org_a).pk}/role/" not in html
        assert f"/members/{membership(owner_a, org_a).pk}/remove/" not in html
        assert f"/members/{membership(editor, org_a).pk}/role/" in html
        assert '<option value="owner"' not in html

    def test_other_organizations_members_are_not_listed(self, org_a, owner_a, org_b, owner_b):
        html = signed_in(owner_a).get(MEMBERS).content.decode()
        assert owner_b.email not in html

    def test_anonymous_is_sent_to_sign_in(self, org_a):
        response = Client().get(MEMBERS)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


class TestInvite:
    def test_invite_emails_the_link_and_shows_it_once(
        self, org_a, owner_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        client = signed_in(owner_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{MEMBERS}invite/", {"email": "New@Example.test", "role": "editor"})
        assert response.status_code == 302
        assert response["Location"] == MEMBERS
        [invitation] = invitations(org_a)
        assert (invitation.email, invitation.role) == ("new@example.test", "editor")
        [mail] = mailoutbox
        assert mail.to == ["new@example.test"]
        link = next(line for line in mail.body.splitlines() if "/invitations/accept/" in line).strip()
        assert link.startswith("http://127.0.0.1:8000/o/alpha-co/invitations/accept/")
        page = client.get(MEMBERS).content.decode()
        assert link in page  # the success message, for self-hosters without working mail
        assert link not in client.get(MEMBERS).content.decode()  # shown once
        assert actions(org_a)[-1] == "invitation.created"

    def test_invalid_address_is_a_form_error_and_nothing_is_sent(
        self, org_a, owner_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in(owner_a).post(
                f"{MEMBERS}invite/", {"email": "not-an-address", "role": "viewer"}
            )
        assert response.status_code == 400
        assert "Enter a valid email address." in response.content.decode()
        assert invitations(org_a) == []
        assert mailoutbox == []

    def test_inviting_a_member_is_a_form_error(self, org_a, owner_a):
        member(org_a, "viewer", email="here@alpha.test")
        response = signed_in(owner_a).post(
            f"{MEMBERS}invite/", {"email": "here@alpha.test", "role": "viewer"}
        )
        assert response.status_code == 400
        assert "already a member of Alpha Co" in response.content.decode()
        assert invitations(org_a) == []

    def test_admin_cannot_choose_owner(self, org_a):
        admin = member(org_a, "admin")
        response = signed_in(admin).post(f"{MEMBERS}invite/", {"email": "x@example.test", "role": "owner"})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert invitations(org_a) == []

    @pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
    def test_other_roles_are_forbidden(self, org_a, role):
        someone = member(org_a, role)
        response = signed_in(someone).post(f"{MEMBERS}invite/", {"email": "x@example.test", "role": "viewer"})
        assert response.status_code == 403
        assert invitations(org_a) == []


class TestMemberActions:
    def test_change_role_redirects_with_a_message(self, org_a, owner_a):
        editor = member(org_a, "editor", email="ed@alpha.test")
        client = signed_in(owner_a)
        url = f"{MEMBERS}{membership(editor, org_a).pk}/role/"
        response = client.post(url, {"role": "admin"}, follow=True)
        assert response.redirect_chain == [(MEMBERS, 302)]
        assert "ed@alpha.test is now Admin." in response.content.decode()
        assert role_of(editor, org_a) == "admin"
        assert actions(org_a)[-1] == "membership.role_changed"

    def test_change_role_over_htmx_returns_the_panel(self, org_a, owner_a):
        editor = member(org_a, "editor", email="ed@alpha.test")
        url = f"{MEMBERS}{membership(editor, org_a).pk}/role/"
        response = signed_in(owner_a).post(url, {"role": "viewer"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<div id="people">')
        assert "<html" not in html
        assert "ed@alpha.test is now Viewer." in html
        assert role_of(editor, org_a) == "viewer"

    def test_unknown_role_changes_nothing(self, org_a, owner_a):
        editor = member(org_a, "editor")
        url = f"{MEMBERS}{membership(editor, org_a).pk}/role/"
        response = signed_in(owner_a).post(url, {"role": "root"}, follow=True)
        assert "Select a valid choice" in response.content.decode()
        assert role_of(editor, org_a) == "editor"

    def test_htmx_refusal_is_shown_in_the_panel(self, org_a, owner_a):
        editor = member(org_a, "editor")
        url = f"{MEMBERS}{membership(editor, org_a).pk}/role/"
        response = signed_in(owner_a).post(url, {"role": "root"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert 'class="message error" role="alert"' in html
        assert "Select a valid choice" in html
        assert role_of(editor, org_a) == "editor"

    def test_a_co_owner_can_demote_an_owner(self, org_a, owner_a):
        co_owner = member(org_a, "owner")
        url = f"{MEMBERS}{membership(owner_a, org_a).pk}/role/"
        response = signed_in(co_owner).post(url, {"role": "admin"}, follow=True)
        assert "is now Admin" in response.content.decode()
        assert role_of(owner_a, org_a) == "admin"

    def test_remove_asks_for_confirmation_then_removes(self, org_a, owner_a):
        viewer = member(org_a, "viewer", email="bye@alpha.test")
        client = signed_in(owner_a)
        url = f"{MEMBERS}{membership(viewer, org_a).pk}/remove/"
        confirm = client.get(url)
        assert confirm.status_code == 200
        assert "bye@alpha.test" in confirm.content.decode()
        assert role_of(viewer, org_a) == "viewer"  # a GET changes nothing
        response = client.post(url, follow=True)
        assert "bye@alpha.test no longer has access" in response.content.decode()
        assert role_of(viewer, org_a) is None
        assert actions(org_a)[-1] == "membership.removed"

    def test_viewer_gets_403_on_every_action_and_nothing_changes(self, org_a, owner_a):
        viewer = member(org_a, "viewer")
        editor = member(org_a, "editor")
        invitation, _ = invite(org_a, owner_a, "pending@alpha.test")
        client = signed_in(viewer)
        target = membership(editor, org_a).pk
        assert client.post(f"{MEMBERS}{target}/role/", {"role": "admin"}).status_code == 403
        assert client.get(f"{MEMBERS}{target}/remove/").status_code == 403
        assert client.post(f"{MEMBERS}{target}/remove/").status_code == 403
        assert client.post(f"/o/alpha-co/invitations/{invitation.pk}/revoke/").status_code == 403
        assert role_of(editor, org_a) == "editor"
        assert invitations(org_a)[0].status() == "pending"

    def test_admin_cannot_remove_an_owner(self, org_a, owner_a):
        admin = member(org_a, "admin")
        response = signed_in(admin).post(f"{MEMBERS}{membership(owner_a, org_a).pk}/remove/")
        assert response.status_code == 403
        assert role_of(owner_a, org_a) == "owner"

    def test_revoke_invitation(self, org_a, owner_a):
        invitation, _ = invite(org_a, owner_a, "pending@alpha.test")
        response = signed_in(owner_a).post(f"/o/alpha-co/invitations/{invitation.pk}/revoke/", follow=True)
        assert "The invitation for pending@alpha.test was revoked" in response.content.decode()
        assert invitations(org_a)[0].status() == "revoked"
        assert 'class="badge revoked"' in response.content.decode()


class TestOtherOrganizationsAndBadInput:
    """Another organization's ids answer 404 exactly like missing ones, for every method."""

    def test_ids_of_another_organization_are_not_found(self, org_a, owner_a, org_b, owner_b):
        b_viewer = member(org_b, "viewer")
        b_invitation, _ = invite(org_b, owner_b, "pending@bravo.test")
        client = signed_in(owner_a)
        b_member = membership(b_viewer, org_b).pk
        assert client.post(f"{MEMBERS}{b_member}/role/", {"role": "admin"}).status_code == 404
        assert client.get(f"{MEMBERS}{b_member}/remove/").status_code == 404
        assert client.post(f"{MEMBERS}{b_member}/remove/").status_code == 404
        assert client.post(f"/o/alpha-co/invitations/{b_invitation.pk}/revoke/").status_code == 404
        assert role_of(b_viewer, org_b) == "viewer"
        assert invitations(org_b)[0].status() == "pending"

    def test_another_organizations_pages_are_not_found(self, org_a, owner_a, org_b):
        client = signed_in(owner_a)
        for url in ("/o/bravo-co/members/", "/o/bravo-co/settings/", "/o/bravo-co/members/invite/"):
            assert client.get(url).status_code in (404,), url
            assert client.post(url, {"email": "x@example.test", "role": "viewer"}).status_code == 404, url
        assert invitations(org_b) == []

    def test_unknown_slug_is_not_found_with_the_page(self, org_a, owner_a):
        response = signed_in(owner_a).get("/o/no-such-org/members/")
        assert response.status_code == 404
        assert "Not found" in response.content.decode()

    @pytest.mark.parametrize(
        "path",
        [
            "members/abc/role/",
            "members/-1/remove/",
            "members/99999999999999999999999/remove/",
            "invitations/1.5/revoke/",
            "invitations/99999999999999999999999/revoke/",
            "invitations/accept/short/",
            "invitations/accept/%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9/",
        ],
    )
    def test_malformed_ids_are_not_found(self, org_a, owner_a, path):
        client = signed_in(owner_a)
        response = client.post(f"/o/alpha-co/{path}")
        assert response.status_code == 404
        assert "Not found" in response.content.decode()
        if "revoke" not in path:  # revoke only takes POST, so a GET is a 405 whatever the id
            assert client.get(f"/o/alpha-co/{path}").status_code == 404

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", "members/invite/"),
            ("get", "members/{pk}/role/"),
            ("put", "members/{pk}/remove/"),
            ("get", "invitations/{inv}/revoke/"),
            ("delete", "members/"),
            ("put", "settings/"),
        ],
    )
    def test_wrong_methods_get_the_405_page(self, org_a, owner_a, method, path):
        editor = member(org_a, "editor")
        invitation, _ = invite(org_a, owner_a, "pending@alpha.test")
        url = "/o/alpha-co/" + path.format(pk=membership(editor, org_a).pk, inv=invitation.pk)
        response = getattr(signed_in(owner_a), method)(url)
        assert response.status_code == 405
        assert "Method not allowed" in response.content.decode()
        assert response["Allow"]
        assert role_of(editor, org_a) == "editor"


class TestSettings:
    def test_owner_edits_the_profile(self, org_a, owner_a):
        data = {
            "name": "Alpha Co",
            "legal_name": "Alpha Co Private Limited",
            "registration_number": "U72900KA2015PTC012345",
            "tax_id": "29AAACA1234A1Z5",
            "website": "https://alpha.example",
        }
        response = signed_in(owner_a).post("/o/alpha-co/settings/", data, follow=True)
        assert "profile was saved" in response.content.decode()
        org_a.refresh_from_db()
        assert org_a.legal_name == "Alpha Co Private Limited"
        assert org_a.tax_id == "29AAACA1234A1Z5"
        assert actions(org_a)[-1] == "organization.updated"

    def test_invalid_input_is_a_form_error_and_changes_nothing(self, org_a, owner_a):
        data = {"name": "", "legal_name": "Changed", "website": "not a url"}
        response = signed_in(owner_a).post("/o/alpha-co/settings/", data)
        html = response.content.decode()
        assert response.status_code == 400
        assert "This field is required." in html
        assert "Enter a valid URL." in html
        org_a.refresh_from_db()
        assert (org_a.name, org_a.legal_name) == ("Alpha Co", "")
        assert "organization.updated" not in actions(org_a)

    def test_viewer_reads_but_cannot_change(self, org_a, owner_a):
        viewer = member(org_a, "viewer")
        client = signed_in(viewer)
        page = client.get("/o/alpha-co/settings/")
        assert page.status_code == 200
        assert "Only owners and admins can change these." in page.content.decode()
        assert '<form method="post" action="/o/alpha-co/settings/"' not in page.content.decode()
        assert client.post("/o/alpha-co/settings/", {"name": "Taken over"}).status_code == 403
        org_a.refresh_from_db()
        assert org_a.name == "Alpha Co"
