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

from django.core.exceptions import ValidationError

from trustroom.tenancy.models import Organization

KIND_MODULES = (
    "trustroom.controls.checks.data_residency",
    "trustroom.controls.checks.certificate_freshness",
    "trustroom.controls.checks.drill_recency",
    "trustroom.controls.checks.access_review_completion",
    "trustroom.controls.checks.mfa_coverage",
    "trustroom.controls.checks.findings_past_sla",
)


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


Progress = Callable[[int, int], None]  # (resources evaluated so far, resources to evaluate)


@dataclass(frozen=True)
class RunContext:
    """What a kind may need besides its parameters: the check itself (e.g. its latest snapshot), the clock,
    and where to report progress while evaluating many resources (optional; a queued run shows it)."""

    check: Any
    now: dt.datetime
    progress: Progress | None = None

    def report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)


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


def parameters_object(parameters: Any, allowed: set[str], label: str) -> dict[str, Any]:
    """The parameters as a dict, refusing anything but an object with the `allowed` names."""
    if parameters is None:
        return {}
    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": "Give the parameters as a JSON object."})
    unknown = sorted(set(parameters) - allowed)
    if unknown:
        raise ValidationError(
            {f"parameters.{name}": f"Not a parameter of the {label} check." for name in unknown}
        )
    return parameters


def whole_days(parameters: dict[str, Any], name: str, default: int, *, maximum: int = 3660) -> int:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ValidationError({f"parameters.{name}": f"Give a whole number of days from 1 to {maximum}."})
    return value


def outcome_of(resources: list[Resource], *, empty: str) -> tuple[str, str]:
    """fail when any resource failed, or when there is nothing to evaluate (with `empty` as the summary)."""
    if not resources:
        return "fail", empty
    failed = sum(1 for resource in resources if not resource.passed)
    if failed:
        return "fail", f"{failed} of {len(resources)} did not pass."
    return "pass", f"All {len(resources)} passed."


def result_of(resources: list[Resource], *, empty: str) -> CheckResult:
    """The result of a check that judges each resource: see `outcome_of`."""
    outcome, summary = outcome_of(resources, empty=empty)
    return CheckResult(outcome=outcome, summary=summary, resources=resources)


def no_parameters(label: str) -> Callable[[Any], dict[str, Any]]:
    """The `clean` of a kind that takes no parameters: refuses any, naming the check by `label`."""

    def clean(parameters: Any) -> dict[str, Any]:
        parameters_object(parameters, set(), label)
        return {}

    return clean
