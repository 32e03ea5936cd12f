"""Policy rule violations, computed when read from the rules, groups and active grants.

A rule matches environments by kind and/or system (blank = any). It is violated by every active grant
of a matching environment held by someone outside its allowed group, and when more distinct people
than `max_people` hold active grants there. `violations(now)` is the read the trust center posture uses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from trustroom.access.models import AccessGrant, AccessPolicyRule
from trustroom.access.state import active_grants_q


@dataclass(frozen=True)
class RuleEvaluation:
    rule: AccessPolicyRule
    # Active grants of matching environments held by people outside the allowed group.
    out_of_group: list[AccessGrant] = field(default_factory=list)
    # Distinct people holding active grants of matching environments.
    people: int = 0

    @property
    def over_max(self) -> int:
        """How many people above the rule's maximum (0 when within it or when it sets none)."""
        if self.rule.max_people is None:
            return 0
        return max(0, self.people - self.rule.max_people)

    @property
    def violated(self) -> bool:
        return bool(self.out_of_group) or self.over_max > 0


def environments_q(rule: AccessPolicyRule, prefix: str = "environment__") -> Q:
    """The environments the rule applies to, as a filter on a related `environment`."""
    q = Q()
    if rule.environment_kind:
        q &= Q(**{f"{prefix}kind": rule.environment_kind})
    if rule.system_id is not None:
        q &= Q(**{f"{prefix}system_id": rule.system_id})
    return q


def evaluate(rule: AccessPolicyRule, now: dt.datetime | None = None) -> RuleEvaluation:
    now = now or timezone.now()
    grants = list(
        AccessGrant.objects.filter(active_grants_q(now) & environments_q(rule))
        .select_related("environment__system")
        .order_by("person_email", "id")
    )
    out: list[AccessGrant] = []
    if rule.allowed_group is not None:
        allowed = {email.lower() for email in rule.allowed_group.members.values_list("email", flat=True)}
        out = [grant for grant in grants if grant.person_email.lower() not in allowed]
    people = len({grant.person_email.lower() for grant in grants})
    return RuleEvaluation(rule=rule, out_of_group=out, people=people)


def evaluate_all(now: dt.datetime | None = None, *, enabled_only: bool = True) -> list[RuleEvaluation]:
    rules = AccessPolicyRule.objects.select_related("system", "allowed_group")
    if enabled_only:
        rules = rules.filter(enabled=True)
    return [evaluate(rule, now) for rule in rules]


def violations(now: dt.datetime | None = None) -> list[RuleEvaluation]:
    """The enabled rules that are violated now, each with its out-of-group grants and people count."""
    return [evaluation for evaluation in evaluate_all(now) if evaluation.violated]
