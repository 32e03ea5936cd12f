"""Cross-tenant entries of the public trust center (/trust/<org_slug>/).

These routes are of kind PUBLIC_ORG: anyone may read an organization's PUBLISHED items under that
organization's own slug. The harness checks that nothing of A shows under B's slug, that nothing of A
changes through any method, and that A's private items (their names carry "hidden") and document links
never show on A's public pages.
"""

from __future__ import annotations

from tests.security.cross_tenant import PUBLIC_ORG, Route
from tests.trustcenter.public_data import build_world

_PUBLIC_NOTE = (
    "Public trust center: A's published items are expected under A's own slug; under B's slug nothing of A "
    "may show, and nothing of A changes through any method."
)

ROUTES: dict[str, Route] = {
    "trust:overview": Route(PUBLIC_ORG, note=_PUBLIC_NOTE),
    "trust:compliance": Route(PUBLIC_ORG, note=_PUBLIC_NOTE),
    "trust:certifications": Route(PUBLIC_ORG, note=_PUBLIC_NOTE),
}

__all__ = ["ROUTES", "build_world"]
