"""Data residency: every RDS DB cluster and instance and every S3 bucket lies in an allowed region.

Parameters: {"allowed_regions": ["ap-south-1"], "source": "aws_api" | "config_snapshot",
"regions": [regions to scan; aws_api only, default the allowed ones]}. From AWS APIs the check lists the
resources of the scanned regions (and every bucket); from a snapshot it reads the check's latest import.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ValidationError

from trustroom.controls.checks import CheckKind, CheckResult, Resource, RunContext, register
from trustroom.controls.checks.regions import region_error
from trustroom.tenancy.models import Organization

SOURCES = ("aws_api", "config_snapshot")
MAX_REGIONS = 40
PARAMETERS = {"allowed_regions", "source", "regions"}
PROGRESS_EVERY = 200  # resources between progress reports


def _regions(value: Any, name: str, errors: dict[str, str], *, required: bool) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        errors[f"parameters.{name}"] = 'Give a list of AWS region names, e.g. ["ap-south-1"].'
        return []
    if len(value) > MAX_REGIONS:
        errors[f"parameters.{name}"] = f"Give at most {MAX_REGIONS} regions."
        return []
    for region in value:
        message = region_error(region)
        if message:
            errors[f"parameters.{name}"] = message
            return []
    return sorted(set(value))


def clean(parameters: Any) -> dict[str, Any]:
    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": "Give the parameters as a JSON object."})
    errors: dict[str, str] = {}
    for unknown in sorted(set(parameters) - PARAMETERS):
        errors[f"parameters.{unknown}"] = "Not a parameter of the data residency check."
    allowed = _regions(parameters.get("allowed_regions"), "allowed_regions", errors, required=True)
    source = parameters.get("source", "config_snapshot")
    if source not in SOURCES:
        errors["parameters.source"] = f"Choose one of: {', '.join(SOURCES)}."
    scanned = _regions(parameters.get("regions"), "regions", errors, required=False)
    if errors:
        raise ValidationError(errors)
    cleaned: dict[str, Any] = {"allowed_regions": allowed, "source": source}
    if source == "aws_api":
        cleaned["regions"] = scanned or allowed
    return cleaned


def evaluate(
    inventory: list[dict[str, str]], allowed: list[str], context: RunContext | None = None
) -> CheckResult:
    resources = []
    for position, item in enumerate(inventory, start=1):
        inside = item["region"] in allowed
        resources.append(
            Resource(
                type=item["type"],
                id=item["id"],
                name=item["name"],
                region=item["region"],
                passed=inside,
                reason="" if inside else f"in {item['region']}, outside {', '.join(allowed)}",
            )
        )
        if context is not None and (position % PROGRESS_EVERY == 0 or position == len(inventory)):
            context.report(position, len(inventory))
    outside = [r for r in resources if not r.passed]
    where = ", ".join(allowed)
    if outside:
        summary = f"{len(outside)} of {len(resources)} resources lie outside {where}."
    else:
        summary = f"All {len(resources)} resources lie in {where}."
    counts: dict[str, int] = {}
    for resource in resources:
        counts[resource.type] = counts.get(resource.type, 0) + 1
    return CheckResult(
        outcome="fail" if outside else "pass",
        summary=summary,
        details={"allowed_regions": allowed, "evaluated": counts, "outside": len(outside)},
        resources=resources,
    )


def run(organization: Organization, parameters: dict[str, Any], context: RunContext) -> CheckResult:
    allowed = parameters["allowed_regions"]
    if parameters["source"] == "config_snapshot":
        snapshot = context.check.snapshots.first()
        if snapshot is None:
            return CheckResult(outcome="error", summary="No inventory snapshot imported yet: upload one.")
        result = evaluate(snapshot.resources, allowed, context)
        result.details.update(
            {"source": "config_snapshot", "snapshot": snapshot.pk, "snapshot_sha256": snapshot.sha256}
        )
        return result
    from trustroom.controls.checks import aws_inventory

    try:
        inventory = aws_inventory.scan(parameters["regions"])
    except (BotoCoreError, ClientError) as error:
        return CheckResult(outcome="error", summary=f"Could not read the AWS inventory: {error}"[:500])
    result = evaluate(inventory, allowed, context)
    result.details.update({"source": "aws_api", "regions_scanned": parameters["regions"]})
    return result


KIND = register(
    CheckKind(
        key="data_residency",
        label="Data residency",
        clean=clean,
        run=run,
        description="Every RDS cluster and instance and every S3 bucket lies in an allowed AWS region.",
    )
)
