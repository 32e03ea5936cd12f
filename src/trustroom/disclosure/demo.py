"""Demo data (filled in later)."""

from __future__ import annotations

from trustroom.tenancy.principal import Principal


def load_demo(principal: Principal) -> None:
    return None
