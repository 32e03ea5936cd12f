"""Cross-tenant harness: every route, called as a member of organization B, aimed at organization A.

For every URL pattern of the project (and every method), as B's owner (signed in) and with B's write
API token: A's objects under B's organization URL and anything under A's organization URL must answer
404 (or 405), never reveal A's data, and never change it. A route without an entry in
`tests/security/cross_tenant.py` fails the test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.security.cross_tenant import (
    ORG,
    PREFIXES,
    PUBLIC_ORG,
    ROUTES,
    Route,
    RouteInfo,
    World,
    build_org,
    iter_routes,
    prefix_entry,
)
from trustroom.tenancy.models import Membership, Organization, OrgOwnedModel
from trustroom.tenancy.scope import org_scope

MARKER = b"alpha"  # every name, e-mail and label of organization A contains it; nothing of B does
# On A's own public trust center A's published items show; these never may (private items are named
# "... hidden ...", and no document is offered to a visitor without a grant).
PUBLIC_ORG_FORBIDDEN = (b"alpha hidden", b"/download/")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PAYLOAD = {
    "role": "owner",
    "name": "Bravo changed",
    "email": "evil@bravo.test",
    "scope": "write",
    "legal_name": "Bravo changed",
    "expires_in_days": "30",
    "full_name": "Bravo Person",
    "password1": "a long enough pass phrase 42",
    "password2": "a long enough pass phrase 42",
}


@pytest.fixture
def world(db: None) -> World:
    a = build_org("alpha-co", "alpha")
    b = build_org("bravo-co", "bravo")
    return {**a, "a": a, "b": b}


def _org_owned_tables() -> dict[str, type[OrgOwnedModel]]:
    return {model._meta.db_table: model for model in apps.get_models() if issubclass(model, OrgOwnedModel)}


# Tables outside the org-owned models whose rows belong to A as well.
SHARED_TABLES = {
    Membership._meta.db_table: "memberships",
    Organization._meta.db_table: "organization",
    get_user_model()._meta.db_table: "users",
}


def snapshot_of_a(world: World, tables: set[str] | None = None) -> dict[str, Any]:
    """A's rows: of every table, or only of `tables` (those a request wrote to)."""
    org = world["a"]["org"]
    state: dict[str, Any] = {}
    with org_scope(org):
        for table, model in _org_owned_tables().items():
            if tables is None or table in tables:
                rows = model._base_manager.filter(organization=org).order_by("pk").values()
                state[model._meta.label] = [dict(row) for row in rows]
    wanted = (
        set(SHARED_TABLES.values())
        if tables is None
        else {SHARED_TABLES[t] for t in tables & SHARED_TABLES.keys()}
    )
    if "memberships" in wanted:
        state["memberships"] = list(Membership.objects.filter(organization=org).order_by("pk").values())
    if "organization" in wanted:
        state["organization"] = list(Organization.objects.filter(pk=org.pk).values())
    if "users" in wanted:
        users = get_user_model().objects.filter(memberships__organization=org).order_by("pk")
        state["users"] = [{k: v for k, v in u.items() if k != "last_login"} for u in users.values()]
    return state


WRITE_STATEMENT = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE
)
READ_STATEMENT = re.compile(
    r"^\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW)\b", re.IGNORECASE
)
EVERY_TABLE = "*"


class WrittenTables:
    """Records which tables the statements of a request write to, so only those are compared.

    A statement it cannot classify counts as a write to every table (a full comparison), so an
    unusual write can cost time but never slip through.
    """

    def __init__(self) -> None:
        self.tables: set[str] = set()

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        written = WRITE_STATEMENT.match(sql)
        if written is not None:
            self.tables.add(written.group(1))
        elif READ_STATEMENT.match(sql) is None:
            self.tables.add(EVERY_TABLE)
        return execute(sql, params, many, context)

    def take(self) -> set[str] | None:
        """The tables written since the last call (None: compare everything)."""
        tables, self.tables = self.tables, set()
        return None if EVERY_TABLE in tables else tables


def _request(client: Client, method: str, url: str, api: bool) -> Any:
    if method == "GET":
        return client.get(url)
    if api:
        return client.generic(method, url, json.dumps(PAYLOAD), content_type="application/json")
    return client.generic(method, url, urlencode(PAYLOAD), content_type="application/x-www-form-urlencoded")


def _missing(target: dict[str, Any]) -> dict[str, Any]:
    """Values of the same shape that name nothing."""
    return {
        k: 2_147_483_000 if isinstance(v, int) else "n0thing-" + "x" * (len(v) - 8) for k, v in target.items()
    }


def _url(route: RouteInfo, slug: str | None, target: dict[str, Any]) -> str:
    kwargs = dict(target)
    if "org_slug" in route.kwargs:
        kwargs["org_slug"] = slug
    return reverse(route.name, kwargs=kwargs or None)


@pytest.mark.django_db
def test_no_route_reveals_or_changes_another_organizations_data(world: World, capsys: Any) -> None:
    routes = list(iter_routes())
    unknown = [r for r in routes if r.name not in ROUTES and prefix_entry(r) is None]
    assert not unknown, (
        "routes with no cross-tenant entry (add them to tests/security/cross_tenant.py):\n"
        + "\n".join(f"  {r.name or '(unnamed)'}: {r.pattern}" for r in unknown)
    )

    session = Client(raise_request_exception=False)
    session.force_login(world["b"]["owner"])
    token_client = Client(
        raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world['b']['raw_token']}"
    )
    anonymous = Client(raise_request_exception=False)
    before = snapshot_of_a(world)
    written = WrittenTables()
    failures: list[str] = []
    requests = 0
    checked = 0

    def check(
        client: Client,
        label: str,
        route: RouteInfo,
        spec: Route,
        url: str,
        allowed: set[int] | None,
        missing_url: str | None = None,
        markers: tuple[bytes, ...] = (MARKER,),
    ) -> None:
        nonlocal requests
        for method in METHODS:
            requests += 1
            expected = allowed
            written.take()
            with connection.execute_wrapper(written):
                if missing_url is not None:
                    # A's object must answer exactly like an object that does not exist.
                    expected = {_request(client, method, missing_url, spec.api).status_code}
                response = _request(client, method, url, spec.api)
            where = f"{label} {method} {url} ({route.name})"
            body = b"" if getattr(response, "streaming", False) else response.content
            if response.status_code >= 500:
                failures.append(f"{where}: server error {response.status_code}")
            elif expected is not None and response.status_code not in expected:
                failures.append(f"{where}: answered {response.status_code}, expected {sorted(expected)}")
            if any(marker in body.lower() for marker in markers):
                failures.append(f"{where}: response reveals organization A's data")
            tables = written.take()
            if tables is None or tables:
                now = snapshot_of_a(world, tables)
                if now != {key: value for key, value in before.items() if key in now}:
                    failures.append(f"{where}: organization A's data changed")
                    return

    for route in routes:
        if route.name not in ROUTES:
            # Library account pages: GET them as B and check nothing of A shows.
            if not (route.kwargs - {"format"}):
                # allauth's old unnamed redirects (e.g. accounts/social/…) are fetched by their path.
                session.get(reverse(route.name) if route.name else "/" + route.pattern)
                checked += 1
            continue
        spec = ROUTES[route.name]
        checked += 1
        target = spec.target(world["a"]) if spec.target else {}
        clients = [(session, "B-session")]
        if spec.api:
            clients.append((token_client, "B-token"))
        if spec.kind == ORG:
            for client, label in clients:
                # A's object under B's own organization: indistinguishable from a missing one.
                own = _url(route, world["b"]["org"].slug, target)
                missing = _url(route, world["b"]["org"].slug, _missing(target)) if target else None
                check(client, label, route, spec, own, None, missing)
                # Anything under A's organization: B is not a member.
                if spec.check_foreign_org:
                    foreign = _url(route, world["a"]["org"].slug, target)
                    check(client, label, route, spec, foreign, {401, 404, 405})
        elif spec.kind == PUBLIC_ORG:
            for client, label in [*clients, (anonymous, "anonymous")]:
                # A's object under B's public trust center: indistinguishable from a missing one.
                own = _url(route, world["b"]["org"].slug, target)
                missing = _url(route, world["b"]["org"].slug, _missing(target)) if target else None
                check(client, label, route, spec, own, None, missing)
                # A's own public trust center: A's published items show, nothing private, no document.
                if spec.check_foreign_org:
                    foreign = _url(route, world["a"]["org"].slug, target)
                    check(client, label, route, spec, foreign, None, markers=PUBLIC_ORG_FORBIDDEN)
        else:
            url = _url(route, None, target)
            for client, label in [*clients, (anonymous, "anonymous")]:
                check(client, label, route, spec, url, None)

    assert snapshot_of_a(world) == before
    assert not failures, f"{len(failures)} cross-tenant failures:\n" + "\n".join(failures[:60])
    with capsys.disabled():
        print(
            f"\ncross-tenant harness: {checked} routes checked ({len(ROUTES)} registered, "
            f"{len(PREFIXES)} library prefixes), {requests} requests as organization B"
        )


def test_harness_registry_has_no_stale_entries() -> None:
    names = {r.name for r in iter_routes()}
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"entries for routes that no longer exist: {stale}"
