"""Shortcuts shared by the VAPT page and API tests: a signed-in client, a page's text, a scoped reload."""

from __future__ import annotations

from typing import Any

from django.test import Client

from trustroom.tenancy.scope import org_scope


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response: Any) -> str:
    return response.content.decode()


def refresh(obj: Any) -> None:
    """Reload inside the organization's scope (on PostgreSQL, row-level security hides it otherwise)."""
    with org_scope(obj.organization):
        obj.refresh_from_db()
