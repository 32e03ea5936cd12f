"""Certificate freshness: every certification or audit report of the compliance register is in force.

Reads `trustroom.compliance.selectors.certifications` (state computed from the dates). Superseded ones
are left out; expired ones fail, and so do those expiring within 90 days when `expiring_soon_fails`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from trustroom.compliance import selectors as compliance
from trustroom.compliance.state import CertificationState
from trustroom.controls.checks import (
    CheckKind,
    CheckResult,
    Resource,
    RunContext,
    parameters_object,
    register,
    result_of,
)
from trustroom.tenancy.models import Organization


def clean(parameters: Any) -> dict[str, Any]:
    values = parameters_object(parameters, {"expiring_soon_fails"}, "certificate freshness")
    strict = values.get("expiring_soon_fails", False)
    if not isinstance(strict, bool):
        raise ValidationError({"parameters.expiring_soon_fails": "Give true or false."})
    return {"expiring_soon_fails": strict}


def run(organization: Organization, parameters: dict[str, Any], context: RunContext) -> CheckResult:
    failing = {CertificationState.EXPIRED}
    if parameters["expiring_soon_fails"]:
        failing.add(CertificationState.EXPIRING_SOON)
    resources = []
    for cert in compliance.certifications(context.now).exclude(superseded_by__isnull=False):
        state = str(cert.computed_state)  # type: ignore[attr-defined]
        resources.append(
            Resource(
                type="certification",
                id=str(cert.pk),
                name=cert.title,
                region="",
                passed=state not in failing,
                reason=f"{state.replace('_', ' ')}, valid until {cert.valid_until:%Y-%m-%d}",
            )
        )
    return result_of(resources, empty="No certification or report is recorded.")


KIND = register(
    CheckKind(
        key="certificate_freshness",
        label="Certificate freshness",
        clean=clean,
        run=run,
        description="Every certification and audit report in the compliance register is in force.",
    )
)
