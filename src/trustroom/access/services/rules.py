"""Policy rules ("production only for DevOps, at most 5 people"): create, change, delete, and open
revocation tasks for the grants that break them. Violations themselves are computed when read
(`rules_state.py`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from trustroom.access import rules_state
from trustroom.access.models import (
    AccessGroup,
    AccessPolicyRule,
    EnvironmentKind,
    RevocationReason,
    RevocationTask,
    System,
)
from trustroom.access.services.revocations import open_revocation_task
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal

MAX_PEOPLE_LIMIT = 100_000


def _snapshot(rule: AccessPolicyRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "environment_kind": rule.environment_kind,
        "system": rule.system.name if rule.system is not None else None,
        "allowed_group": rule.allowed_group.name if rule.allowed_group is not None else None,
        "max_people": rule.max_people,
        "enabled": rule.enabled,
    }


def _validate(
    *,
    name: str,
    environment_kind: str,
    system: System | None,
    allowed_group: AccessGroup | None,
    max_people: int | None,
) -> str:
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the rule a name."
    elif len(name) > 200:
        errors["name"] = "The name is too long (at most 200 characters)."
    if environment_kind and environment_kind not in EnvironmentKind.values:
        errors["environment_kind"] = f"Environment kind must be one of: {', '.join(EnvironmentKind.values)}."
    if max_people is not None and (
        not isinstance(max_people, int) or not 0 <= max_people <= MAX_PEOPLE_LIMIT
    ):
        errors["max_people"] = f"Give a whole number of people from 0 to {MAX_PEOPLE_LIMIT}."
    if allowed_group is None and max_people is None and "max_people" not in errors:
        errors["allowed_group"] = "A rule must name an allowed group or a maximum number of people (or both)."
    if errors:
        raise ValidationError(errors)
    return name


@transaction.atomic
def create_rule(
    *,
    actor: Principal,
    name: str,
    environment_kind: str = "",
    system: System | None = None,
    allowed_group: AccessGroup | None = None,
    max_people: int | None = None,
    enabled: bool = True,
) -> AccessPolicyRule:
    policies.check(actor, "add", AccessPolicyRule)
    name = _validate(
        name=name,
        environment_kind=environment_kind,
        system=system,
        allowed_group=allowed_group,
        max_people=max_people,
    )
    rule = AccessPolicyRule.objects.create(
        name=name,
        environment_kind=environment_kind or "",
        system=system,
        allowed_group=allowed_group,
        max_people=max_people,
        enabled=enabled,
    )
    record_event(actor=actor, action="access.policy_rule_created", target=rule, changes=_snapshot(rule))
    return rule


@transaction.atomic
def update_rule(
    *,
    actor: Principal,
    rule: AccessPolicyRule,
    name: str,
    environment_kind: str = "",
    system: System | None = None,
    allowed_group: AccessGroup | None = None,
    max_people: int | None = None,
    enabled: bool = True,
) -> AccessPolicyRule:
    policies.check(actor, "change", rule)
    rule = AccessPolicyRule.objects.select_for_update().get(pk=rule.pk)
    name = _validate(
        name=name,
        environment_kind=environment_kind,
        system=system,
        allowed_group=allowed_group,
        max_people=max_people,
    )
    before = _snapshot(rule)
    rule.name = name
    rule.environment_kind = environment_kind or ""
    rule.system = system
    rule.allowed_group = allowed_group
    rule.max_people = max_people
    rule.enabled = enabled
    rule.save()
    record_event(
        actor=actor,
        action="access.policy_rule_updated",
        target=rule,
        changes={"before": before, "after": _snapshot(rule)},
    )
    return rule


@transaction.atomic
def delete_rule(*, actor: Principal, rule: AccessPolicyRule) -> None:
    policies.check(actor, "delete", rule)
    record_event(actor=actor, action="access.policy_rule_deleted", target=rule, changes=_snapshot(rule))
    rule.delete()


@transaction.atomic
def open_policy_revocations(
    *, actor: Principal, rule: AccessPolicyRule, now: dt.datetime | None = None
) -> list[RevocationTask]:
    """Open a revocation task (reason "policy") for every active grant outside the rule's allowed group;
    returns the tasks opened now (grants that already have an open policy task are left as they are).
    Too many people is for a person to settle: no grant is picked for removal by count."""
    policies.check(actor, "add", RevocationTask)
    policies.check(actor, "view", rule)
    evaluation = rules_state.evaluate(rule, now)
    opened: list[RevocationTask] = []
    group = rule.allowed_group.name if rule.allowed_group is not None else ""
    for grant in evaluation.out_of_group:
        task, created = open_revocation_task(
            actor=actor,
            grant=grant,
            reason=RevocationReason.POLICY,
            note=f"Policy rule {rule.name}: not a member of {group}.",
        )
        if created:
            opened.append(task)
    record_event(
        actor=actor,
        action="access.policy_revocations_opened",
        target=rule,
        changes={"opened": len(opened), "out_of_group": len(evaluation.out_of_group)},
    )
    return opened
