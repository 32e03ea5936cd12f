"""Accepting an invitation through its link, end to end with the test client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.factories import TEST_PASSWORD, UserFactory, member
from tests.tenancy.factories import invite, signed_in
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.models import Invitation, Membership, Organization
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet kettle marching 7281"


def accept_path(org: Organization, secret: str) -> str:
    return f"/o/{org.slug}/invitations/accept/{secret}/"


def role_of(user: Any, org: Organization) -> str | None:
    found = Membership.objects.filter(user=user, organization=org).first()
    return found.role if found else None


def invitation_status(org: Organization, invitation: Invitation) -> str:
    with org_scope(org):
        invitation.refresh_from_db()
    return invitation.status()


def test_invite_mail_link_new_account_dashboard(
    org_a, owner_a, mailoutbox, django_capture_on_commit_callbacks
):
    admin_client = signed_in(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/o/alpha-co/members/invite/", {"email": "newcomer@example.test", "role": "auditor"}
        )
    [mail] = mailoutbox
    link = next(line.strip() for line in mail.body.splitlines() if "/invitations/accept/" in line)
    path = link.removeprefix("http://127.0.0.1:8000")
    assert "Alpha Co" in mail.subject

    visitor = Client()
    page = visitor.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert "newcomer@example.test" in html
    assert "Create your account" in html
    assert page["Cache-Control"].startswith("max-age=0")  # never cached: the URL is a credential

    mismatch = visitor.post(path, {"full_name": "New Comer", "password1": NEW_PASSWORD, "password2": "other"})
    assert mismatch.status_code == 400
    assert "The two passwords do not match." in mismatch.content.decode()
    weak = visitor.post(path, {"full_name": "New Comer", "password1": "newcomer1", "password2": "newcomer1"})
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    assert not get_user_model().objects.filter(email="newcomer@example.test").exists()

    done = visitor.post(
        path, {"full_name": "New Comer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/o/alpha-co/"
    user = get_user_model().objects.get(email="newcomer@example.test")
    assert user.full_name == "New Comer"
    assert role_of(user, org_a) == "auditor"
    dashboard = visitor.get("/o/alpha-co/")  # signed in by the acceptance
    assert dashboard.status_code == 200
    assert "Welcome to Alpha Co." in dashboard.content.decode()
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="invitation.accepted", actor_user=user).count() == 1

    # The link is spent: a second visit explains instead of offering anything.
    again = Client().get(path)
    assert again.status_code == 410
    assert "already been accepted" in again.content.decode()


def test_existing_account_signs_in_then_accepts(org_a, owner_a):
    dana = UserFactory(email="dana@example.test")
    invitation, secret = invite(org_a, owner_a, "dana@example.test", "editor")
    path = accept_path(org_a, secret)

    anonymous = Client().get(path)
    assert "Sign in to accept" in anonymous.content.decode()
    assert f'href="/accounts/login/?next={path.replace("/", "%2F")}"' in anonymous.content.decode()
    assert (
        Client()
        .post(path, {"full_name": "x", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        .status_code
        == 200
    )
    assert role_of(dana, org_a) is None  # no account was made over the existing one

    client = Client()
    login = client.post(f"/accounts/login/?next={path}", {"login": dana.email, "password": TEST_PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == path
    confirm = client.get(path)
    assert "Accept and join Alpha Co" in confirm.content.decode()
    assert role_of(dana, org_a) is None  # GET changes nothing
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/o/alpha-co/"
    assert role_of(dana, org_a) == "editor"
    assert invitation_status(org_a, invitation) == "accepted"


def test_signed_in_as_someone_else_is_explained_and_refused(org_a, owner_a):
    invite_secret = invite(org_a, owner_a, "right@example.test", "viewer")[1]
    other = UserFactory(email="other@example.test")
    client = signed_in(other)
    page = client.get(accept_path(org_a, invite_secret))
    html = page.content.decode()
    assert "You are signed in as <strong>other@example.test</strong>" in html
    assert "right@example.test" in html
    client.post(accept_path(org_a, invite_secret))
    assert role_of(other, org_a) is None


def test_member_who_opens_their_link_again_is_told(org_a, owner_a):
    invitation, secret = invite(org_a, owner_a, "twice@example.test", "viewer")
    # Joined through another path meanwhile (e.g. a second organization owner added them).
    twice = member(org_a, "editor", email="twice@example.test")
    html = signed_in(twice).get(accept_path(org_a, secret)).content.decode()
    assert "already a member" in html
    assert invitation_status(org_a, invitation) == "pending"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "has expired"),
        ({"revoked_at": timezone.now()}, "was revoked"),
    ],
)
def test_expired_or_revoked_links_get_a_clear_page(org_a, owner_a, fields, words):
    invitation, secret = invite(org_a, owner_a, "late@example.test")
    with org_scope(org_a):
        Invitation.objects.filter(pk=invitation.pk).update(**fields)
    visitor = Client()
    page = visitor.get(accept_path(org_a, secret))
    assert page.status_code == 410
    assert words in page.content.decode()
    post = visitor.post(
        accept_path(org_a, secret), {"full_name": "L", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert post.status_code == 410
    assert not get_user_model().objects.filter(email="late@example.test").exists()


def test_links_only_work_under_their_own_organization(org_a, owner_a, org_b):
    _invitation, secret = invite(org_a, owner_a, "x@example.test")
    assert Client().get(accept_path(org_b, secret)).status_code == 404
    assert Client().get(f"/o/no-such-org/invitations/accept/{secret}/").status_code == 404
    assert (
        Client().get(accept_path(org_a, secret[:-1] + ("A" if secret[-1] != "A" else "B"))).status_code == 404
    )


def test_wrong_method_on_the_link_is_405(org_a, owner_a):
    _invitation, secret = invite(org_a, owner_a, "x@example.test")
    response = Client().delete(accept_path(org_a, secret))
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"
