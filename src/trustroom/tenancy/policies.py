"""One policy object per model answers "may this principal do this to this (kind of) record?".

Views, viewsets and services ask `policy_for(Model).allows(principal, action, obj)`; a model with no
registered policy is denied everything (fail closed). A policy may come with a period rule: what an
auditor's audit periods admit of the model (`tenancy.narrowing`); without one, an auditor reads none of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model

from trustroom.tenancy.models import Role
from trustroom.tenancy.narrowing import PeriodRule
from trustroom.tenancy.principal import Principal

ACTIONS = ("view", "add", "change", "delete")

ALL_ROLES = frozenset(Role.values)
MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
NOBODY: frozenset[str] = frozenset()

# What platform support staff acting under a grant (`Principal.support_grant`) may do with a model:
# what the grant's role allows (the default), only read it (whatever the role), or nothing at all.
# Records that would let staff outlast or widen their grant (members, invitations, API tokens, the
# security policy, the IP allowlist, the grants themselves) are never theirs to change.
SUPPORT_AS_ROLE = "role"
SUPPORT_READ_ONLY = "read"
SUPPORT_NONE = "none"


class ModelPolicy:
    """Role-based rules per action; subclasses may add per-object rules in `allows_object`."""

    def __init__(
        self,
        *,
        view: Iterable[str],
        add: Iterable[str] = NOBODY,
        change: Iterable[str] = NOBODY,
        delete: Iterable[str] = NOBODY,
        support: str = SUPPORT_AS_ROLE,
    ) -> None:
        if support not in (SUPPORT_AS_ROLE, SUPPORT_READ_ONLY, SUPPORT_NONE):
            raise ValueError(f"Unknown support access rule {support!r}")
        self.support = support
        self.roles = {
            "view": frozenset(view),
            "add": frozenset(add),
            "change": frozenset(change),
            "delete": frozenset(delete),
        }

    def allows(self, principal: Principal | None, action: str, obj: Any = None) -> bool:
        if principal is None or action not in self.roles:
            return False
        if principal.role not in self.roles[action]:
            return False
        if principal.support_grant is not None and not self.allows_support(action):
            return False
        if obj is not None:
            from trustroom.tenancy.models import Organization

            owner_id = obj.pk if isinstance(obj, Organization) else getattr(obj, "organization_id", None)
            if owner_id is None or owner_id != principal.organization.pk:
                return False
            return self.allows_object(principal, action, obj)
        return True

    def allows_object(self, principal: Principal, action: str, obj: Any) -> bool:
        return True

    def allows_support(self, action: str) -> bool:
        if self.support == SUPPORT_NONE:
            return False
        return self.support == SUPPORT_AS_ROLE or action == "view"

    def check(self, principal: Principal | None, action: str, obj: Any = None) -> None:
        if not self.allows(principal, action, obj):
            raise PermissionDenied(f"Your role may not {action} this record.")


class _DenyAll(ModelPolicy):
    def __init__(self) -> None:
        super().__init__(view=NOBODY)


_registry: dict[type[Model], ModelPolicy] = {}
_period_rules: dict[type[Model], PeriodRule] = {}
_DENY_ALL = _DenyAll()


# The common shape: every member reads, editors and above write.
def editable_by_editors() -> ModelPolicy:
    return ModelPolicy(view=ALL_ROLES, add=EDITORS, change=EDITORS, delete=EDITORS)


def register(model: type[Model], policy: ModelPolicy, *, period_rule: PeriodRule | None = None) -> None:
    """Register `model`'s policy and, for a model an auditor samples, what their periods admit of it."""
    _registry[model] = policy
    if period_rule is not None:
        _period_rules[model] = period_rule
    else:
        _period_rules.pop(model, None)


def period_rule_for(model: type[Model]) -> PeriodRule | None:
    """What an auditor's periods admit of `model`; None = nothing (see `tenancy.narrowing`)."""
    return _period_rules.get(model)


def policy_for(model: type[Model] | Model) -> ModelPolicy:
    cls = model if isinstance(model, type) else type(model)
    return _registry.get(cls, _DENY_ALL)


def registered_models() -> list[type[Model]]:
    return list(_registry)


def check(principal: Principal | None, action: str, model_or_obj: type[Model] | Model) -> None:
    """Raise PermissionDenied unless the principal may do `action` (on the object, if one is given)."""
    obj = None if isinstance(model_or_obj, type) else model_or_obj
    policy_for(model_or_obj).check(principal, action, obj)


class MembershipPolicy(ModelPolicy):
    """Owners manage everyone; admins manage everyone but owners; nobody edits their own role here."""

    def allows_object(self, principal: Principal, action: str, obj: Any) -> bool:
        if action in ("change", "delete"):
            if principal.user is not None and obj.user_id == getattr(principal.user, "pk", None):
                return False
            if obj.role == Role.OWNER and principal.role != Role.OWNER:
                return False
        return True


def _register_tenancy_policies() -> None:
    from trustroom.tenancy.models import Invitation, Membership, Organization

    register(Organization, ModelPolicy(view=ALL_ROLES, change=MANAGERS))
    register(
        Membership,
        MembershipPolicy(view=ALL_ROLES, change=MANAGERS, delete=MANAGERS, support=SUPPORT_READ_ONLY),
    )
    register(Invitation, ModelPolicy(view=MANAGERS, add=MANAGERS, delete=MANAGERS, support=SUPPORT_READ_ONLY))


_register_tenancy_policies()
