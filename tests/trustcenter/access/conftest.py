"""Fixtures of the access-flow tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from tests.trustcenter.access.helpers import gated_certificate, owner_principal, publish_trust_center


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()  # the access-request rate limits live in the shared cache
    yield
    cache.clear()


@pytest.fixture
def actor_a(org_a: Any, owner_a: Any) -> Any:
    return owner_principal(org_a, owner_a)


@pytest.fixture
def trust_a(org_a: Any, actor_a: Any) -> dict[str, Any]:
    """Alpha's published trust center: terms v1, two gated certificates and one private one."""
    publish_trust_center(org_a, actor_a)
    iso = gated_certificate(org_a, actor_a, "ISO 27001 certificate", pages=3)
    soc = gated_certificate(org_a, actor_a, "SOC 2 Type 2 report")
    private = gated_certificate(org_a, actor_a, "Internal pentest", visibility="private")
    return {"iso": iso, "soc": soc, "private": private}
