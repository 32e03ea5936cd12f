"""Shared fixtures. In postgres mode the test database is built here: created by the owner role,
migrated as the owner (which grants the app role), and used by the app role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tests.factories import OrganizationFactory, member

POSTGRES = getattr(settings, "TEST_DB", "sqlite") == "postgres"


if POSTGRES:

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_blocker: Any) -> Iterator[None]:
        from tests.pg import create_test_database, drop_test_database, install_owner_flush

        with django_db_blocker.unblock():
            create_test_database()
            install_owner_flush()
        yield
        with django_db_blocker.unblock():
            drop_test_database()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: rate limits and refusal dedupe keys are kept there and
    their keys (organization and user ids) repeat from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org_a(db: None) -> Any:
    return OrganizationFactory(slug="alpha-co", name="Alpha Co")


@pytest.fixture
def org_b(db: None) -> Any:
    return OrganizationFactory(slug="bravo-co", name="Bravo Co")


@pytest.fixture
def owner_a(org_a: Any) -> Any:
    return member(org_a, "owner", email="owner@alpha.test")


@pytest.fixture
def owner_b(org_b: Any) -> Any:
    return member(org_b, "owner", email="owner@bravo.test")
