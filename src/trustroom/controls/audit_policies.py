"""Policies of the auditor workspace: managers run it; auditors read (and export) only what their assigned
periods let them see (`audit_scope.may_see_period`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trustroom.controls.audit_models import AuditorAssignment, AuditPeriod, EvidencePackage
from trustroom.tenancy.models import Role
from trustroom.tenancy.narrowing import ReaderNarrowing, belonging_to_reader, of_assigned_periods
from trustroom.tenancy.policies import MANAGERS, ModelPolicy, register
from trustroom.tenancy.principal import Principal

WORKSPACE_READERS = MANAGERS | {Role.AUDITOR}


class PeriodBoundPolicy(ModelPolicy):
    def allows_object(self, principal: Principal, action: str, obj: Any) -> bool:
        from trustroom.controls.audit_scope import may_see_period

        period = obj if isinstance(obj, AuditPeriod) else obj.period
        return may_see_period(principal, period)


def _own_assignments(narrowing: ReaderNarrowing) -> Q:
    return of_assigned_periods("period_id")(narrowing) & belonging_to_reader("membership__user_id")(narrowing)


# An auditor reads the periods they are assigned to, their own assignments, and those periods' packages.
register(
    AuditPeriod,
    PeriodBoundPolicy(view=WORKSPACE_READERS, add=MANAGERS, change=MANAGERS, delete=MANAGERS),
    period_rule=of_assigned_periods("pk"),
)
register(
    AuditorAssignment,
    PeriodBoundPolicy(view=WORKSPACE_READERS, add=MANAGERS, delete=MANAGERS),
    period_rule=_own_assignments,
)
register(
    EvidencePackage,
    PeriodBoundPolicy(view=WORKSPACE_READERS, add=WORKSPACE_READERS),
    period_rule=of_assigned_periods("period_id"),
)
