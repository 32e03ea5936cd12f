"""Auditor harness: every page and API route, read as an auditor whose audit period covers none of the
records, must show none of them.

The cross-tenant harness's worlds (`tests/security/routes/*.py build_world`) are built in the auditor's own
organization, now; the auditor is assigned to a period of 2020 (HIPAA, which no control maps), so every record lies
outside it. Each GET of every organization route (aimed at the world's records) must answer without a
server error and without any of the world's markers ("alpha"), except what an auditor must see anyway
(`ALLOWED`), and the current configuration an auditor with a period reads whole (`CONFIGURATION_ROUTES`).
The API routes are walked with the auditor's session too. (An `audit` API token is not period-scoped:
only owners and admins make tokens, and it reads the organization whole; see `tenancy.narrowing`.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.security.cross_tenant import ORG, ROUTES, USER, World, build_org, iter_routes
from trustroom.controls import audit_services
from trustroom.tenancy.models import Membership, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope

MARKER = b"alpha"
# What an auditor sees of their organization whatever their periods: its name and slug (in every link),
# and its people (the members directory is not a period record: names show as owners and assignee choices;
# `people_of` adds every member's e-mail address).
ALLOWED = (
    b"alpha-co",
    b"alpha co",
    b"alpha legal ltd",
    b"alpha-tax",
    b"owner@alpha.test",
    b"alpha owner",
    b"editor@alpha.test",
    b"alpha editor",
)
# Current configuration (sign-in, IP allowlist, support access) is what controls are checked against, not a
# record of a period: an auditor with a period reads it whole (`tenancy.narrowing.current_configuration`).
# These routes show it.
CONFIGURATION_ROUTES = {
    "identity:ip-allowlist",
    "ip-allowlist-list",
    "ip-allowlist-detail",
    "identity:sso-connections",
    "identity:sso-connection",
    "sso-connection-list",
    "sso-connection-detail",
    "identity:support-access",
    "support-access-list",
    "support-access-detail",
}
PERIOD_2020 = (dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2021, 1, 1, tzinfo=dt.UTC))


def people_of(world: World) -> tuple[bytes, ...]:
    members = Membership.objects.filter(organization=world["org"]).select_related("user")
    return tuple(m.user.email.lower().encode() for m in members)


def leaked(body: bytes, allowed_too: tuple[bytes, ...] = ()) -> bool:
    text = body.lower()
    for allowed in (*allowed_too, *ALLOWED):
        text = text.replace(allowed, b"")
    return MARKER in text


@pytest.fixture
def auditor_world(db: None) -> World:
    world = build_org("alpha-co", "alpha")
    org = world["org"]
    auditor = UserFactory(email="reviewer@audit-firm.test", full_name="Reviewing Auditor")
    membership = Membership.objects.create(organization=org, user=auditor, role=Role.AUDITOR)
    with org_scope(org):
        owner = Principal(organization=org, role=Role.OWNER, user=world["owner"])
        period = audit_services.create_period(
            actor=owner,
            name="Fiscal 2020 review",
            framework_codes=["hipaa"],  # no control of the world maps to it
            starts_at=PERIOD_2020[0],
            ends_at=PERIOD_2020[1],
        )
        audit_services.assign_auditor(actor=owner, period=period, membership=membership)
    return {**world, "auditor": auditor}


def _url(name: str, kwargs: set[str], target: dict[str, Any]) -> str:
    values = dict(target)
    if "org_slug" in kwargs:
        values["org_slug"] = "alpha-co"
    return reverse(name, kwargs=values or None)


@pytest.mark.django_db
def test_an_auditor_outside_every_record_reads_none_of_them(auditor_world: World, capsys: Any) -> None:
    session = Client(raise_request_exception=False)
    session.force_login(auditor_world["auditor"])
    people = people_of(auditor_world)
    failures: list[str] = []
    requests = 0
    for route in iter_routes():
        spec = ROUTES.get(route.name)
        if spec is None or spec.kind not in (ORG, USER) or "secret" in route.kwargs:
            continue
        url = _url(route.name, route.kwargs, spec.target(auditor_world) if spec.target else {})
        requests += 1
        response = session.get(url)
        body = b"" if getattr(response, "streaming", False) else response.content
        where = f"auditor GET {url} ({route.name})"
        if response.status_code >= 500:
            failures.append(f"{where}: server error {response.status_code}")
        elif route.name in CONFIGURATION_ROUTES:
            if response.status_code != 200:
                failures.append(f"{where}: configuration unreadable ({response.status_code})")
        elif leaked(body, people):
            failures.append(f"{where}: shows a record outside the auditor's period")
    assert not failures, f"{len(failures)} auditor-scope failures:\n" + "\n".join(failures[:80])
    with capsys.disabled():
        print(f"\nauditor harness: {requests} GET requests as an auditor of a 2020 period")
