"""Cross-tenant entries of the IP allowlist (/o/<org_slug>/ip-allowlist/ and its API)."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.identity.ip_allowlist import add_allowlist_entry
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "identity:ip-allowlist": Route(ORG),
    "identity:ip-allowlist-remove": Route(ORG, target=obj("ip_allowlist_entry")),
    "ip-allowlist-list": Route(ORG, api=True),
    "ip-allowlist-bulk": Route(ORG, api=True),
    "ip-allowlist-detail": Route(ORG, api=True, target=obj("ip_allowlist_entry")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """An active allowlist that contains the test client's address (127.0.0.1), so the harness runs
    with enforcement on and every request of the organization's own members still gets through."""
    entry = add_allowlist_entry(
        actor=actor, network="127.0.0.0/8", label=f"{label} office network", current_ip="127.0.0.1"
    )
    return {"ip_allowlist_entry": entry.pk}
