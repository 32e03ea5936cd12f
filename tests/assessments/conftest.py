from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import principal_for
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope


@pytest.fixture
def scoped(org_a: Any) -> Iterator[Any]:
    with org_scope(org_a):
        yield org_a


@pytest.fixture
def actor(scoped: Any, owner_a: Any) -> Principal:
    return principal_for(owner_a, scoped)
