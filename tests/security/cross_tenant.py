"""The cross-tenant harness's knowledge: every route, how to aim it at organization A's records.

Each URL pattern of the project must have an entry here (by its qualified name), or fall under a
prefix entry; the harness fails on any route it does not know, so a new route cannot ship without
being checked.

Each later app adds a module `tests/security/routes/<app>.py` holding:
  ROUTES: dict[str, Route]            its routes (merged into ROUTES below);
  def build_world(*, org, actor, label) -> dict   (optional) creates that app's records for one
      organization inside `org_scope(org)`, with `actor` its owner's Principal, every name carrying
      `label` ("alpha" for A, so the harness can spot A's data in a response), and returns the ids
      its route targets read (e.g. {"certification": cert.pk}).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import UserFactory
from trustroom.audit.models import AuditEvent
from trustroom.identity.services import create_api_token
from trustroom.tenancy.models import Membership
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.services import create_organization, invite_member

ORG = "org"  # under /o/<org_slug>/ or /api/v1/orgs/<org_slug>/: only members of that organization
USER = "user"  # for any signed-in person, about themselves only
PUBLIC = "public"  # for anyone; holds no organization data
# Under /trust/<org_slug>/: for anyone, showing that organization's PUBLISHED items under its own slug.
# Checked as: under B's slug nothing of A shows (A's object ids answer like missing ones); under A's slug
# nothing of A's that is private ("hidden" in its name) shows and no document link is offered; and no
# method changes anything of A.
PUBLIC_ORG = "public_org"

World = dict[str, Any]


@dataclass(frozen=True)
class Route:
    kind: str
    # For routes with arguments beyond org_slug: A's values for them (e.g. {"pk": A's membership id}).
    target: Callable[[World], dict[str, Any]] | None = None
    api: bool = False
    # Why a check is different for this route (required whenever a default is turned off).
    note: str = ""
    check_foreign_org: bool = True


def obj(key: str, kwarg: str = "pk") -> Callable[[World], dict[str, Any]]:
    return lambda world: {kwarg: world[key]}


# Qualified URL name -> Route. Keep in sync with the URLconf: the harness fails on unknown routes.
ROUTES: dict[str, Route] = {
    # shell
    "home": Route(USER),
    "healthz": Route(PUBLIC),
    "web:dashboard": Route(ORG),
    # tenancy
    "tenancy:members": Route(ORG),
    "tenancy:invite": Route(ORG),
    "tenancy:member-role": Route(ORG, target=obj("membership")),
    "tenancy:member-remove": Route(ORG, target=obj("membership")),
    "tenancy:invitation-revoke": Route(ORG, target=obj("invitation")),
    "tenancy:invitation-accept": Route(
        ORG,
        target=obj("invitation_secret", "secret"),
        check_foreign_org=False,
        note="Opened by people who are not members yet: the secret in the link is the capability, so under "
        "A's own URL A's invitation page is expected to show. Under B's URL, A's secret must find nothing.",
    ),
    "tenancy:settings": Route(ORG),
    # identity
    "identity:api-tokens": Route(ORG),
    "identity:api-token-revoke": Route(ORG, target=obj("api_token")),
    # audit
    "audit:events": Route(ORG),
    "audit:verify": Route(ORG),
    "audit:event-detail": Route(ORG, target=obj("audit_event")),
    # API: tenancy
    "organization-profile": Route(ORG, api=True),
    "member-list": Route(ORG, api=True),
    "member-detail": Route(ORG, api=True, target=obj("membership")),
    "invitation-list": Route(ORG, api=True),
    "invitation-detail": Route(ORG, api=True, target=obj("invitation")),
    # API: identity
    "api-token-list": Route(ORG, api=True),
    "api-token-detail": Route(ORG, api=True, target=obj("api_token")),
    # API: audit
    "audit-events-list": Route(ORG, api=True),
    "audit-events-verify": Route(ORG, api=True),
    "audit-events-detail": Route(ORG, api=True, target=obj("audit_event")),
    # API shell, schema, docs
    "api-root": Route(USER, api=True),
    "api-my-orgs": Route(USER, api=True),
    "api-schema": Route(PUBLIC, api=True),
    "api-docs": Route(PUBLIC, api=True),
    "api-redoc": Route(PUBLIC, api=True),
}

WorldBuilder = Callable[..., dict[str, Any]]
WORLD_BUILDERS: list[WorldBuilder] = []


def _load_app_registries() -> None:
    from tests.security import routes as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        clash = set(ROUTES) & set(module.ROUTES)
        assert not clash, f"routes registered twice: {sorted(clash)}"
        ROUTES.update(module.ROUTES)
        if hasattr(module, "build_world"):
            WORLD_BUILDERS.append(module.build_world)


_load_app_registries()

# URL prefixes whose routes belong to a library and act only on the signed-in person's own account.
PREFIXES: dict[str, str] = {
    "accounts/": "django-allauth: sign-in, sign-out, password, e-mail and MFA of the signed-in person",
}


@dataclass
class RouteInfo:
    name: str
    pattern: str
    kwargs: set[str] = field(default_factory=set)
    methods: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _pattern_kwargs(pattern: Any) -> set[str]:
    names = set(getattr(pattern, "converters", None) or {})
    regex = getattr(pattern, "regex", None)
    if regex is not None:
        names |= set(regex.groupindex)
    return names


def iter_routes(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = "", kwargs: set[str] | None = None
) -> Iterator[RouteInfo]:
    """Every leaf URL pattern with its qualified name, full pattern text and argument names."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        entry_kwargs = (kwargs or set()) | _pattern_kwargs(entry.pattern)
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_routes(entry.url_patterns, text, ns, entry_kwargs)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield RouteInfo(name=name, pattern=text, kwargs=entry_kwargs)


def prefix_entry(route: RouteInfo) -> str | None:
    for prefix, reason in PREFIXES.items():
        if route.pattern.startswith(prefix):
            return reason
    return None


def build_org(slug: str, label: str) -> dict[str, Any]:
    """One organization with its owner, an editor, an invitation, a write token and every app's world."""
    owner = UserFactory(email=f"owner@{label}.test", full_name=f"{label.title()} Owner")
    org = create_organization(
        actor=owner,
        slug=slug,
        name=f"{label.title()} Co",
        legal_name=f"{label.title()} Legal Ltd",
        tax_id=f"{label}-tax",
    )
    editor = UserFactory(email=f"editor@{label}.test", full_name=f"{label.title()} Editor")
    membership = Membership.objects.create(organization=org, user=editor, role="editor")
    with org_scope(org):
        actor = Principal(organization=org, role="owner", user=owner)
        invitation, secret = invite_member(actor=actor, email=f"invitee@{label}.test", role="viewer")
        token, raw_token = create_api_token(actor=actor, name=f"{label}-token", scope="write")
        extra: dict[str, Any] = {}
        for build_world in WORLD_BUILDERS:
            extra.update(build_world(org=org, actor=actor, label=label))
        event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    return {
        **extra,
        "org": org,
        "owner": owner,
        "membership": membership.pk,
        "invitation": invitation.pk,
        "invitation_secret": secret,
        "api_token": token.pk,
        "raw_token": raw_token,
        "audit_event": event.pk,
    }
