"""After an OIDC sign-in the provider's tokens are neither stored nor handed to the browser (ASVS V10.1.1)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.conf import settings
from django.test import Client

from tests.factories import OrganizationFactory, member
from tests.identity.sso.oidc_flow import new_account, oidc_connection, sign_in
from tests.identity.sso.oidc_idp import OidcIdp


@pytest.mark.django_db
def test_after_an_oidc_sign_in_no_provider_token_is_kept_or_shown(oidc_idp: OidcIdp, client: Client) -> None:
    organization: Any = OrganizationFactory(slug="tokens-sso", name="Tokens SSO")
    setup = oidc_connection(
        oidc_idp,
        organization,
        member(organization, "owner", email="owner@tokens-sso.test"),
        domains=["tokens-sso.test"],
    )
    person = member(organization, "viewer", email="tina@tokens-sso.test")
    sub = new_account(oidc_idp, "tina@tokens-sso.test")
    response = sign_in(client, oidc_idp, setup, sub)
    assert response.status_code == 302
    assert SocialAccount.objects.filter(user=person).exists()
    assert SocialToken.objects.count() == 0
    page = client.get(response["Location"], follow=True).content.decode()
    assert "access_token" not in page and "id_token" not in page
    assert set(client.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"}
