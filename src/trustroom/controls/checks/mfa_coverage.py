"""MFA coverage: every member of the organization (optionally of some roles) has a second factor enrolled.

Reads `trustroom.tenancy.selectors.members_of` and `trustroom.identity.selectors.has_mfa`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from trustroom.controls.checks import (
    CheckKind,
    CheckResult,
    Resource,
    RunContext,
    parameters_object,
    register,
    result_of,
)
from trustroom.identity.selectors import has_mfa
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.selectors import members_of


def clean(parameters: Any) -> dict[str, Any]:
    values = parameters_object(parameters, {"roles"}, "MFA coverage")
    roles = values.get("roles", [])
    if not isinstance(roles, list) or any(role not in Role.values for role in roles):
        raise ValidationError({"parameters.roles": f"Give a list of roles among: {', '.join(Role.values)}."})
    return {"roles": sorted(set(roles))}


def run(organization: Organization, parameters: dict[str, Any], context: RunContext) -> CheckResult:
    memberships = members_of(organization)
    if parameters["roles"]:
        memberships = memberships.filter(role__in=parameters["roles"])
    resources = []
    for membership in memberships:
        enrolled = has_mfa(membership.user)
        resources.append(
            Resource(
                type="member",
                id=str(membership.user_id),
                name=membership.user.email,
                region="",
                passed=enrolled,
                reason=f"{membership.role}; "
                + ("second factor enrolled" if enrolled else "no second factor"),
            )
        )
    return result_of(resources, empty="No member to evaluate.")


KIND = register(
    CheckKind(
        key="mfa_coverage",
        label="MFA coverage of members",
        clean=clean,
        run=run,
        description="Every member has a TOTP app or a security key enrolled.",
    )
)
