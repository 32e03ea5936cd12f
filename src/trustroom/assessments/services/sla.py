"""The versioned SLA policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from trustroom.assessments.models import (
    SlaPolicy,
)
from trustroom.assessments.selectors import stored_policy_in_force
from trustroom.assessments.services.common import (
    DEFAULT_POLICY_EFFECTIVE_FROM,
    _aware,
    _invalidate_trust_center,
)
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org

# ---------------------------------------------------------------- SLA policy


def policy_in_force(at: datetime) -> SlaPolicy:
    """The SLA version in force at `at`; the organization's first (default) version is created on demand."""
    policy = stored_policy_in_force(at)
    if policy is not None:
        return policy
    return SlaPolicy.objects.create(
        organization=require_org(), version=1, effective_from=DEFAULT_POLICY_EFFECTIVE_FROM
    )


SLA_HOUR_FIELDS = (
    "critical_due_hours",
    "critical_target_hours",
    "high_due_hours",
    "high_target_hours",
    "medium_due_hours",
    "medium_target_hours",
)


@transaction.atomic
def create_sla_policy_version(
    *, actor: Principal, effective_from: datetime | None = None, **hours: int
) -> SlaPolicy:
    """A new version, applying to findings detected from `effective_from` (default now; not in the past).
    Unspecified hours are copied from the current version; existing findings keep their deadlines."""
    policies.check(actor, "add", SlaPolicy)
    now = timezone.now()
    effective_from = _aware(effective_from, "effective_from") if effective_from else now
    errors: dict[str, str] = {}
    unknown = set(hours) - set(SLA_HOUR_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "Unknown SLA setting."})
    if effective_from < now - timedelta(minutes=1):
        errors["effective_from"] = "A new version cannot apply in the past: findings keep their deadlines."
    current = policy_in_force(effective_from)
    values = {f: int(hours.get(f, getattr(current, f))) for f in SLA_HOUR_FIELDS}
    for sev in ("critical", "high", "medium"):
        due, target = values[f"{sev}_due_hours"], values[f"{sev}_target_hours"]
        if due < 1:
            errors[f"{sev}_due_hours"] = "Give at least one hour."
        elif not 0 < target <= due:
            errors[f"{sev}_target_hours"] = "The target must be between one hour and the deadline."
    if errors:
        raise ValidationError(errors)
    version = (SlaPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    policy = SlaPolicy.objects.create(
        organization=require_org(), version=version, effective_from=effective_from, **values
    )
    record_event(
        actor=actor,
        action="sla_policy.create",
        target=policy,
        changes={"version": version, "effective_from": effective_from.isoformat(), **values},
    )
    _invalidate_trust_center()
    return policy
