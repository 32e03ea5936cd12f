"""The IP allowlist on PostgreSQL: read under row-level security as the application role."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from tests.identity.factories import allow, api_token, bearer
from tests.tenancy.factories import signed_in
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db,
]


def test_enforced_for_pages_sessions_and_tokens_under_rls(org_a, owner_a, org_b, owner_b) -> None:
    allow(org_a, owner_a, "203.0.113.0/24")
    _token, plaintext = api_token(org_a, owner_a)
    client = signed_in(owner_a)
    assert client.get("/o/alpha-co/", REMOTE_ADDR="198.51.100.20").status_code == 403
    assert client.get("/o/alpha-co/", REMOTE_ADDR="203.0.113.20").status_code == 200
    assert client.get("/api/v1/orgs/alpha-co/profile/", REMOTE_ADDR="198.51.100.20").status_code == 403
    assert (
        bearer(plaintext).get("/api/v1/orgs/alpha-co/profile/", REMOTE_ADDR="198.51.100.20").status_code
        == 403
    )
    assert (
        bearer(plaintext).get("/api/v1/orgs/alpha-co/profile/", REMOTE_ADDR="203.0.113.9").status_code == 200
    )
    # B has no list of its own, and A's rows are invisible in B's scope even to raw SQL.
    assert signed_in(owner_b).get("/o/bravo-co/", REMOTE_ADDR="198.51.100.20").status_code == 200
    with org_scope(org_b), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM identity_ipallowlistentry")
        assert cursor.fetchone() == (0,)
