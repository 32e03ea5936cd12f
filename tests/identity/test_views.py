"""The API tokens page: list, create (plaintext shown once), revoke; owners and admins only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import member
from tests.identity.factories import api_token, bearer
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import ApiToken
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

PAGE = "/o/alpha-co/api-tokens/"


def tokens_of(org: Organization) -> list[ApiToken]:
    with org_scope(org):
        return list(ApiToken.objects.all())


def shown_plaintext(html: str) -> str:
    match = re.search(r'id="new-token-value"[^>]*value="(trt_[^"]+)"', html)
    assert match, "the new token is not on the page"
    return match.group(1)


def test_owner_creates_a_token_and_sees_it_once(org_a, owner_a):
    client = signed_in(owner_a)
    response = client.post(PAGE, {"name": "CI upload", "scope": "write", "expires_in_days": "30"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plaintext = shown_plaintext(html)
    [token] = tokens_of(org_a)
    assert (token.name, token.scope, token.created_by) == ("CI upload", "write", owner_a)
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    # It works, it is not kept anywhere the browser could get it back, and the next visit does not show it.
    assert bearer(plaintext).get("/api/v1/orgs/alpha-co/profile/").status_code == 200
    assert plaintext not in str(dict(client.session))
    assert plaintext not in client.get(PAGE).content.decode()
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="api_token.created").count() == 1


def test_list_shows_status_use_and_creator(org_a, owner_a):
    active, _ = api_token(org_a, owner_a, name="Active one")
    expired, _ = api_token(org_a, owner_a, name="Expired one")
    revoked, _ = api_token(org_a, owner_a, name="Revoked one")
    with org_scope(org_a):
        ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
        ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
        ApiToken.objects.filter(pk=active.pk).update(last_used_at=timezone.now(), last_used_ip="198.51.100.7")
    html = signed_in(owner_a).get(PAGE).content.decode()
    row = {
        t.name: re.search(rf'<tr id="token-{t.pk}">.*?</tr>', html, re.S).group(0)
        for t in (active, expired, revoked)
    }
    assert 'class="badge active"' in row["Active one"]
    assert "198.51.100.7" in row["Active one"]
    assert owner_a.email in row["Active one"]
    assert 'class="badge expired"' in row["Expired one"]
    assert 'class="badge revoked"' in row["Revoked one"]
    assert "/revoke/" not in row["Revoked one"]
    assert active.secret_digest not in html


def test_empty_state(org_a, owner_a):
    assert "No API tokens yet." in signed_in(owner_a).get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "", "scope": "read", "expires_in_days": "30"}, "This field is required."),
        ({"name": "x", "scope": "admin", "expires_in_days": "30"}, "Select a valid choice."),
        ({"name": "x", "scope": "read", "expires_in_days": "0"}, "greater than or equal to 1"),
        ({"name": "x", "scope": "read", "expires_in_days": "366"}, "less than or equal to 365"),
        ({"name": "x", "scope": "read", "expires_in_days": "soon"}, "Enter a whole number."),
    ],
)
def test_bad_input_is_a_form_error_and_creates_nothing(org_a, owner_a, data, error):
    response = signed_in(owner_a).post(PAGE, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert 'id="new-token-value"' not in response.content.decode()
    assert tokens_of(org_a) == []


@pytest.mark.parametrize("role", ["editor", "viewer", "auditor"])
def test_only_owners_and_admins_handle_tokens(org_a, owner_a, role):
    token, _ = api_token(org_a, owner_a)
    client = signed_in(member(org_a, role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "x", "scope": "write", "expires_in_days": "30"}).status_code == 403
    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 403
    assert [t.status() for t in tokens_of(org_a)] == ["active"]


def test_admin_handles_tokens(org_a, owner_a):
    admin = member(org_a, "admin")
    response = signed_in(admin).post(PAGE, {"name": "x", "scope": "read", "expires_in_days": "1"})
    assert response.status_code == 200
    assert len(tokens_of(org_a)) == 1


def test_revoke_confirms_then_revokes_and_the_row_stays(org_a, owner_a):
    token, plaintext = api_token(org_a, owner_a, name="Old CI")
    client = signed_in(owner_a)
    confirm = client.get(f"{PAGE}{token.pk}/revoke/")
    assert "Revoke the token “Old CI”?" in confirm.content.decode()
    assert tokens_of(org_a)[0].status() == "active"
    response = client.post(f"{PAGE}{token.pk}/revoke/", follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "was revoked" in response.content.decode()
    [row] = tokens_of(org_a)
    assert row.status() == "revoked"
    assert bearer(plaintext).get("/api/v1/orgs/alpha-co/profile/").status_code == 401


@pytest.mark.parametrize("method", ["get", "post"])
def test_token_of_another_organization_is_404(org_a, owner_a, org_b, owner_b, method):
    b_token, _ = api_token(org_b, owner_b)
    response = getattr(signed_in(owner_a), method)(f"{PAGE}{b_token.pk}/revoke/")
    assert response.status_code == 404
    assert [t.status() for t in tokens_of(org_b)] == ["active"]


def test_unknown_org_malformed_ids_and_wrong_methods(org_a, owner_a):
    client = signed_in(owner_a)
    assert client.get("/o/no-such-org/api-tokens/").status_code == 404
    assert client.post(f"{PAGE}abc/revoke/").status_code == 404
    assert client.post(f"{PAGE}99999999999999999999999/revoke/").status_code == 404
    wrong = client.delete(PAGE)
    assert wrong.status_code == 405
    assert "Method not allowed" in wrong.content.decode()


def test_anonymous_is_sent_to_sign_in(org_a):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
