"""The inventory, grants and requests on PostgreSQL: written and read under row-level security as the
application role; another organization's rows are invisible even to raw SQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.access.requests_factories import chain, grant, in_scope, submit, system_with_envs
from tests.factories import principal_for
from tests.tenancy.factories import signed_in
from trustroom.access.models import AccessGrant
from trustroom.access.services import grants, requests
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db,
]

TABLES = (
    "access_system",
    "access_environment",
    "access_accessgrant",
    "access_accessrequest",
    "access_accessapproval",
    "access_revocationtask",
)


def test_request_chain_and_expiry_under_rls(org_a: Any, owner_a: Any, org_b: Any, owner_b: Any) -> None:
    people = chain(org_a)
    _system, envs = system_with_envs(org_a, owner_a, owner=people["owner"])
    request = submit(
        org_a, people["requester"], envs["production"], manager=people["manager"], head=people["head"]
    )
    for who in ("manager", "head"):
        in_scope(org_a, requests.approve_request, actor=principal_for(people[who], org_a), request=request)
    provisioned = in_scope(
        org_a, requests.provision_request, actor=principal_for(people["editor"], org_a), request=request
    )
    old = grant(
        org_a, owner_a, envs["testing"], "old@example.test", expires_at=timezone.now() + timedelta(hours=1)
    )
    with org_scope(org_a):
        AccessGrant.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert grants.expire_grants(organization=org_a).tasks_opened == 1
    assert grants.expire_grants(organization=org_b).expired == 0
    page = signed_in(owner_a).get("/o/alpha-co/access/grants/?state=active").content.decode()
    assert "req@example.test" in page and provisioned.person_email == "req@example.test"
    assert signed_in(owner_b).get(f"/o/bravo-co/access/requests/{request.pk}/").status_code == 404
    with org_scope(org_b), connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone() == (0,), table
    with org_scope(org_a), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM access_accessapproval")
        assert cursor.fetchone() == (2,)
