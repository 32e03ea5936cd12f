"""Helpers that build tenancy rows the way the product does: through the service functions."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.factories import TEST_PASSWORD, principal_for
from trustroom.tenancy.models import Invitation, Organization
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import invite_member


def invite(
    organization: Organization, inviter: Any, email: str, role: str = "viewer"
) -> tuple[Invitation, str]:
    """An invitation sent by `inviter` (an owner or admin of the organization) and its link secret."""
    with org_scope(organization):
        return invite_member(actor=principal_for(inviter, organization), email=email, role=role)


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(email=user.email, password=TEST_PASSWORD)
    return client
