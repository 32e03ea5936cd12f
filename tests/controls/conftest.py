from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import principal_for
from trustroom.tenancy.scope import org_scope


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Iterator[Any]:
    """The owner of Alpha Co, acting inside its scope."""
    with org_scope(org_a):
        yield principal_for(owner_a, org_a)
