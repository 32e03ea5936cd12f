"""The registry of automated check kinds: one module per kind, each registering a `CheckKind`.

A kind validates its parameters (`clean(parameters) -> parameters`, raising ValidationError keyed
`parameters.<name>`) and runs (`run(organization, parameters, context) -> CheckResult`). A run only reads:
the service that called it stores the result and the evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from trustroom.tenancy.models import Organization

KIND_MODULES = ("trustroom.controls.checks.data_residency",)


@dataclass(frozen=True)
class Resource:
    type: str
    id: str
    name: str
    region: str
    passed: bool
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "name": self.name,
            "region": self.region,
            "passed": self.passed,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class CheckResult:
    outcome: str  # CheckOutcome value
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)


@dataclass(frozen=True)
class RunContext:
    """What a kind may need besides its parameters: the check itself (e.g. its latest snapshot), the clock."""

    check: Any
    now: dt.datetime


@dataclass(frozen=True)
class CheckKind:
    key: str
    label: str
    clean: Callable[[Any], dict[str, Any]]
    run: Callable[[Organization, dict[str, Any], RunContext], CheckResult]
    description: str = ""


_REGISTRY: dict[str, CheckKind] = {}


def register(kind: CheckKind) -> CheckKind:
    _REGISTRY[kind.key] = kind
    return kind


def kinds() -> dict[str, CheckKind]:
    if not _REGISTRY:
        for path in KIND_MODULES:
            import_module(path)
    return dict(_REGISTRY)


def kind_for(key: str) -> CheckKind | None:
    return kinds().get(key)


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.key, kind.label) for kind in kinds().values()]
