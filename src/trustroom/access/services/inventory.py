"""The inventory (systems and their environments) and access groups: every write, keyword-only with the
actor first, atomic and audit-logged.

A system or environment that grants or requests refer to cannot be deleted (the evidence would lose what
it was about); the refusal says what still refers to it. Group members are e-mail addresses, stored
lower-cased; adding several at once is all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from trustroom.access.models import (
    AccessGrant,
    AccessGroup,
    AccessGroupMember,
    AccessPolicyRule,
    AccessRequest,
    Environment,
    EnvironmentKind,
    ReviewerAssignment,
    Sensitivity,
    System,
)
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import membership_in

NAME_MAX = System._meta.get_field("name").max_length or 200
ENV_NAME_MAX = Environment._meta.get_field("name").max_length or 100
GROUP_NAME_MAX = AccessGroup._meta.get_field("name").max_length or 100
MAX_BULK_MEMBERS = 500


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _clean_name(value: str, *, field: str, limit: int, what: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValidationError({field: f"Give the {what} a name."})
    if len(name) > limit:
        raise ValidationError({field: f"Keep the {what}'s name to {limit} characters."})
    return name


def _check_sensitivity(value: str, *, field: str = "sensitivity", blank: bool = False) -> str:
    if blank and value == "":
        return value
    if value not in Sensitivity.values:
        raise ValidationError({field: f"Choose one of: {', '.join(Sensitivity.values)}."})
    return value


def _check_owner(owner: Any) -> Any:
    if owner is not None and membership_in(owner, require_org()) is None:
        raise ValidationError({"owner": "The system owner must be a member of this organization."})
    return owner


def _system_snapshot(system: System) -> dict[str, Any]:
    return {
        "name": system.name,
        "description": system.description,
        "sensitivity": system.sensitivity,
        "owner": getattr(system.owner, "email", None),
    }


# --- Systems -------------------------------------------------------------------------------------------


@transaction.atomic
def create_system(
    *,
    actor: Principal,
    name: str,
    description: str = "",
    sensitivity: str = Sensitivity.MODERATE,
    owner: Any = None,
) -> System:
    policies.check(actor, "add", System)
    name = _clean_name(name, field="name", limit=NAME_MAX, what="system")
    _check_sensitivity(sensitivity)
    _check_owner(owner)
    if System.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A system named “{name}” already exists."})
    system = System.objects.create(
        organization=require_org(),
        name=name,
        description=(description or "").strip(),
        sensitivity=sensitivity,
        owner=owner,
    )
    record_event(actor=actor, action="access.system_created", target=system, changes=_system_snapshot(system))
    return system


@transaction.atomic
def update_system(
    *,
    actor: Principal,
    system: System,
    name: str,
    description: str = "",
    sensitivity: str = Sensitivity.MODERATE,
    owner: Any = None,
) -> System:
    policies.check(actor, "change", system)
    system = System.objects.select_for_update().get(pk=system.pk)
    name = _clean_name(name, field="name", limit=NAME_MAX, what="system")
    _check_sensitivity(sensitivity)
    _check_owner(owner)
    if System.objects.filter(name__iexact=name).exclude(pk=system.pk).exists():
        raise ValidationError({"name": f"A system named “{name}” already exists."})
    before = _system_snapshot(system)
    system.name = name
    system.description = (description or "").strip()
    system.sensitivity = sensitivity
    system.owner = owner
    system.save()
    after = _system_snapshot(system)
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    if changed:
        record_event(actor=actor, action="access.system_updated", target=system, changes=changed)
    return system


def _references(environments: Any) -> list[str]:
    """What still refers to these environments, as phrases for a refusal ("3 grants", ...)."""
    reasons = []
    grants = AccessGrant.objects.filter(environment__in=environments).count()
    if grants:
        reasons.append(_plural(grants, "access grant"))
    requests = AccessRequest.objects.filter(environment__in=environments).count()
    if requests:
        reasons.append(_plural(requests, "access request"))
    return reasons


@transaction.atomic
def delete_system(*, actor: Principal, system: System) -> None:
    """Delete a system and its environments; refused while grants, requests or reviews refer to it."""
    policies.check(actor, "delete", system)
    system = System.objects.select_for_update().get(pk=system.pk)
    environments = Environment.objects.filter(system=system)
    reasons = _references(environments)
    reviews = ReviewerAssignment.objects.filter(system=system).count()
    if reviews:
        reasons.append(_plural(reviews, "access review assignment"))
    if reasons:
        raise ValidationError(
            {
                "system": f"{system.name} cannot be deleted: {', '.join(reasons)} refer to it. "
                "Revoke the grants and keep the system as a record instead."
            }
        )
    snapshot = _system_snapshot(system)
    snapshot["environments"] = [env.label for env in environments]
    record_event(actor=actor, action="access.system_deleted", target=system, changes=snapshot)
    AccessPolicyRule.objects.filter(system=system).delete()
    environments.delete()
    system.delete()


# --- Environments ----------------------------------------------------------------------------------------


def _clean_environment(*, kind: str, name: str, sensitivity: str) -> tuple[str, str, str]:
    if kind not in EnvironmentKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(EnvironmentKind.values)}."})
    name = (name or "").strip()
    if kind == EnvironmentKind.CUSTOM and not name:
        raise ValidationError({"name": "A custom environment needs a name (e.g. “sandbox”)."})
    if len(name) > ENV_NAME_MAX:
        raise ValidationError({"name": f"Keep the environment's name to {ENV_NAME_MAX} characters."})
    _check_sensitivity(sensitivity, blank=True)
    return kind, name, sensitivity


def _check_unique_environment(system: System, kind: str, name: str, exclude: int | None = None) -> None:
    clash = Environment.objects.filter(system=system, kind=kind, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        label = name or EnvironmentKind(kind).label
        raise ValidationError({"kind": f"{system.name} already has the environment “{label}”."})


def _environment_snapshot(environment: Environment) -> dict[str, Any]:
    return {
        "system": environment.system.name,
        "kind": environment.kind,
        "name": environment.name,
        "sensitivity": environment.sensitivity,
    }


@transaction.atomic
def create_environment(
    *, actor: Principal, system: System, kind: str, name: str = "", sensitivity: str = ""
) -> Environment:
    """A new environment of `system`; a custom one needs a name. Blank sensitivity: the system's."""
    policies.check(actor, "add", Environment)
    policies.check(actor, "view", system)
    kind, name, sensitivity = _clean_environment(kind=kind, name=name, sensitivity=sensitivity)
    _check_unique_environment(system, kind, name)
    environment = Environment.objects.create(
        organization=require_org(), system=system, kind=kind, name=name, sensitivity=sensitivity
    )
    record_event(
        actor=actor,
        action="access.environment_created",
        target=environment,
        changes=_environment_snapshot(environment),
    )
    return environment


@transaction.atomic
def update_environment(
    *, actor: Principal, environment: Environment, kind: str, name: str = "", sensitivity: str = ""
) -> Environment:
    policies.check(actor, "change", environment)
    environment = Environment.objects.select_for_update().select_related("system").get(pk=environment.pk)
    kind, name, sensitivity = _clean_environment(kind=kind, name=name, sensitivity=sensitivity)
    _check_unique_environment(environment.system, kind, name, exclude=environment.pk)
    before = _environment_snapshot(environment)
    environment.kind, environment.name, environment.sensitivity = kind, name, sensitivity
    environment.save(update_fields=["kind", "name", "sensitivity"])
    after = _environment_snapshot(environment)
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    if changed:
        record_event(actor=actor, action="access.environment_updated", target=environment, changes=changed)
    return environment


@transaction.atomic
def delete_environment(*, actor: Principal, environment: Environment) -> None:
    """Refused, saying why, while grants or requests refer to the environment."""
    policies.check(actor, "delete", environment)
    environment = Environment.objects.select_for_update().select_related("system").get(pk=environment.pk)
    reasons = _references([environment])
    if reasons:
        raise ValidationError(
            {
                "environment": f"{environment} cannot be deleted: {', '.join(reasons)} refer to it. "
                "Revoke the grants and keep the environment as a record instead."
            }
        )
    record_event(
        actor=actor,
        action="access.environment_deleted",
        target=environment,
        changes=_environment_snapshot(environment),
    )
    environment.delete()


# --- Groups ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_group(*, actor: Principal, name: str, description: str = "") -> AccessGroup:
    policies.check(actor, "add", AccessGroup)
    name = _clean_name(name, field="name", limit=GROUP_NAME_MAX, what="group")
    if AccessGroup.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A group named “{name}” already exists."})
    group = AccessGroup.objects.create(
        organization=require_org(), name=name, description=(description or "").strip()
    )
    record_event(actor=actor, action="access.group_created", target=group, changes={"name": name})
    return group


@transaction.atomic
def update_group(*, actor: Principal, group: AccessGroup, name: str, description: str = "") -> AccessGroup:
    policies.check(actor, "change", group)
    group = AccessGroup.objects.select_for_update().get(pk=group.pk)
    name = _clean_name(name, field="name", limit=GROUP_NAME_MAX, what="group")
    if AccessGroup.objects.filter(name__iexact=name).exclude(pk=group.pk).exists():
        raise ValidationError({"name": f"A group named “{name}” already exists."})
    before = {"name": group.name, "description": group.description}
    group.name, group.description = name, (description or "").strip()
    group.save(update_fields=["name", "description"])
    after = {"name": group.name, "description": group.description}
    if before != after:
        record_event(
            actor=actor,
            action="access.group_updated",
            target=group,
            changes={"before": before, "after": after},
        )
    return group


@transaction.atomic
def delete_group(*, actor: Principal, group: AccessGroup) -> None:
    """Refused while a policy rule names the group (the rule would lose its meaning)."""
    policies.check(actor, "delete", group)
    group = AccessGroup.objects.select_for_update().get(pk=group.pk)
    rules = list(AccessPolicyRule.objects.filter(allowed_group=group).values_list("name", flat=True))
    if rules:
        names = ", ".join(f"“{name}”" for name in rules)
        raise ValidationError(
            {"group": f"The group {group.name} cannot be deleted: the policy rule(s) {names} refer to it."}
        )
    emails = list(AccessGroupMember.objects.filter(group=group).values_list("email", flat=True))
    record_event(
        actor=actor,
        action="access.group_deleted",
        target=group,
        changes={"name": group.name, "members": emails},
    )
    group.delete()


def normalize_email(value: str, *, field: str = "email") -> str:
    """The address lower-cased and checked; a ValidationError on `field` saying why otherwise."""
    email = (value or "").strip().lower()
    if not email:
        raise ValidationError({field: "Give an e-mail address."})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({field: f"“{value.strip()}” is not an e-mail address."}) from None
    return email


@transaction.atomic
def add_group_member(*, actor: Principal, group: AccessGroup, email: str) -> AccessGroupMember:
    policies.check(actor, "add", AccessGroupMember)
    policies.check(actor, "view", group)
    address = normalize_email(email)
    group = AccessGroup.objects.select_for_update().get(pk=group.pk)
    if AccessGroupMember.objects.filter(group=group, email=address).exists():
        raise ValidationError({"email": f"{address} is already in the group {group.name}."})
    row = AccessGroupMember.objects.create(organization=require_org(), group=group, email=address)
    record_event(actor=actor, action="access.group_members_added", target=group, changes={"added": [address]})
    return row


def parse_member_lines(text_or_lines: str | Sequence[str]) -> list[tuple[int, str]]:
    """(line number, address as typed) per non-blank line; commas and semicolons also separate."""
    lines = text_or_lines.splitlines() if isinstance(text_or_lines, str) else list(text_or_lines)
    found = []
    for number, line in enumerate(lines, start=1):
        for part in line.replace(";", ",").split(","):
            if part.strip():
                found.append((number, part.strip()))
    return found


@transaction.atomic
def add_group_members(
    *, actor: Principal, group: AccessGroup, emails: str | Sequence[str]
) -> list[AccessGroupMember]:
    """Add every address of a pasted list (one per line, or separated by commas), all or nothing.

    Every line is checked first; a bad address, one already in the group or one repeated in the list is
    an error naming its line under "emails", and then nothing is added. One audit event lists the added.
    """
    policies.check(actor, "add", AccessGroupMember)
    policies.check(actor, "view", group)
    group = AccessGroup.objects.select_for_update().get(pk=group.pk)
    entries = parse_member_lines(emails)
    if not entries:
        raise ValidationError({"emails": "Give at least one e-mail address, one per line."})
    if len(entries) > MAX_BULK_MEMBERS:
        raise ValidationError({"emails": f"Add at most {MAX_BULK_MEMBERS} addresses at once."})
    present = set(AccessGroupMember.objects.filter(group=group).values_list("email", flat=True))
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, typed in entries:
        try:
            address = normalize_email(typed)
        except ValidationError:
            errors.append(f"line {number}: “{typed}” is not an e-mail address")
            continue
        if address in present:
            errors.append(f"line {number}: {address} is already in the group")
        elif address in seen:
            errors.append(f"line {number}: {address} is already listed on line {seen[address]}")
        else:
            seen[address] = number
    if errors:
        raise ValidationError({"emails": errors})
    organization = require_org()
    rows = [
        AccessGroupMember.objects.create(organization=organization, group=group, email=address)
        for address in seen
    ]
    record_event(
        actor=actor, action="access.group_members_added", target=group, changes={"added": list(seen)}
    )
    return rows


@transaction.atomic
def remove_group_member(*, actor: Principal, member: AccessGroupMember) -> None:
    policies.check(actor, "delete", member)
    group = AccessGroup.objects.get(pk=member.group_id)
    record_event(
        actor=actor, action="access.group_member_removed", target=group, changes={"removed": member.email}
    )
    member.delete()


@transaction.atomic
def remove_group_member_by_email(*, actor: Principal, group: AccessGroup, email: str) -> None:
    address = normalize_email(email)
    member = AccessGroupMember.objects.filter(group=group, email=address).first()
    if member is None:
        raise ValidationError({"email": f"{address} is not in the group {group.name}."})
    remove_group_member(actor=actor, member=member)
