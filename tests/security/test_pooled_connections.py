"""No organization leaks through a reused (pooled) database connection.

Requests of two organizations are interleaved on one persistent connection (CONN_MAX_AGE > 0), some of
them failing half-way; every request sees only its own organization, and between requests the
connection has no organization set.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.factories import OrganizationFactory, member, principal_for
from trustroom.identity.services import create_api_token
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.urls("tests.security.urls_with_failing_view"),
]


def _org_with_token(slug: str) -> tuple[Any, Any]:
    org = OrganizationFactory(slug=slug, name=slug.title())
    user = member(org, "viewer", email=f"viewer@{slug}.test")
    owner = member(org, "owner")
    with org_scope(org):
        create_api_token(actor=principal_for(owner, org), name=f"{slug}-token", scope="read")
    return org, user


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_interleaved_requests_on_one_pooled_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    connection.close()
    org_a, user_a = _org_with_token("alpha-co")
    org_b, user_b = _org_with_token("bravo-co")
    client_a, client_b = Client(raise_request_exception=False), Client(raise_request_exception=False)
    client_a.force_login(user_a)
    client_b.force_login(user_b)

    pids = set()
    for round_number in range(6):
        for org, client, expected in (
            (org_a, client_a, "alpha-co-token"),
            (org_b, client_b, "bravo-co-token"),
        ):
            failing = (round_number + (org is org_b)) % 3 == 0
            url = f"/o/{org.slug}/_token-names/" + ("?fail=1" if failing else "")
            response = client.get(url)
            if failing:
                assert response.status_code == 500
            else:
                assert response.status_code == 200, response.content
                body = response.json()
                assert body["raw"] == [expected], body
                assert body["orm"] == [expected], body
                assert body["setting"] == str(org.pk)
                pids.add(body["pid"])
            # Between requests the (still open) connection carries no organization and sees no rows.
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('app.org_id', true), count(*) FROM identity_apitoken")
                assert cursor.fetchone() == ("", 0)
            assert connection.connection is not None, "the connection should persist (CONN_MAX_AGE > 0)"

    assert len(pids) == 1, f"requests should have shared one pooled connection, saw backends {pids}"
