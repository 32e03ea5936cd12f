"""What the controls pages and API show to whom: the one hook that narrows their reads for an auditor.

Every role but auditor reads every control, evidence item, check and run of the organization. A principal
acting with the auditor role reads only what their assigned audit periods cover (`audit_scope`): controls
mapped to a period's frameworks, evidence of those controls effective inside that period's window, checks
feeding those controls, and runs of those checks finished inside the window. With no assignment they read
nothing (fail closed). Out-of-scope rows are simply absent, so a lookup answers 404, as for a row of another
organization.

Who counts as an auditor follows `audit_scope.assigned_period_ids`:
- a member with the auditor role: their own assignments;
- an API token with the `audit` scope (it acts with the auditor role): the assignments of the auditor who
  created it; a token made by anyone else has none, and reads nothing here;
- support staff under a read-only grant (they act with the auditor role) are not members and have no
  assignment, so they read nothing here either.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet

from trustroom.controls.audit_models import AuditPeriod
from trustroom.controls.audit_scope import assigned_period_ids, controls_in
from trustroom.controls.models import Check, CheckRun, Control, Evidence
from trustroom.tenancy.models import Role
from trustroom.tenancy.principal import Principal


def is_period_scoped(principal: Principal) -> bool:
    return principal.role == Role.AUDITOR


def _assigned_periods(principal: Principal) -> list[AuditPeriod]:
    return list(AuditPeriod.objects.filter(pk__in=assigned_period_ids(principal)))


def _any_period(
    principal: Principal, queryset: QuerySet[Any], clause: Callable[[AuditPeriod], Q]
) -> QuerySet[Any]:
    """The rows matching `clause` of at least one assigned period; none without an assignment."""
    periods = _assigned_periods(principal)
    if not periods:
        return queryset.none()
    matching = queryset.model.objects.filter(reduce(or_, (clause(period) for period in periods)))
    return queryset.filter(pk__in=matching.values("pk"))


def visible_controls(principal: Principal, queryset: QuerySet[Control]) -> QuerySet[Control]:
    if not is_period_scoped(principal):
        return queryset
    return _any_period(
        principal, queryset, lambda period: Q(pk__in=controls_in(principal, period).values("pk"))
    )


def visible_evidence(principal: Principal, queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
    if not is_period_scoped(principal):
        return queryset
    return _any_period(
        principal,
        queryset,
        lambda period: Q(
            control__in=controls_in(principal, period).values("pk"),
            effective_at__gte=period.starts_at,
            effective_at__lt=period.ends_at,
        ),
    )


def visible_checks(principal: Principal, queryset: QuerySet[Check]) -> QuerySet[Check]:
    if not is_period_scoped(principal):
        return queryset
    return _any_period(
        principal,
        queryset,
        lambda period: Q(feeds__control__in=controls_in(principal, period).values("pk")),
    )


def visible_runs(principal: Principal, queryset: QuerySet[CheckRun]) -> QuerySet[CheckRun]:
    if not is_period_scoped(principal):
        return queryset
    return _any_period(
        principal,
        queryset,
        lambda period: Q(
            check_ref__feeds__control__in=controls_in(principal, period).values("pk"),
            finished_at__gte=period.starts_at,
            finished_at__lt=period.ends_at,
        ),
    )


_NARROWERS: dict[type[Any], Callable[[Principal, QuerySet[Any]], QuerySet[Any]]] = {
    Control: visible_controls,
    Evidence: visible_evidence,
    Check: visible_checks,
    CheckRun: visible_runs,
}


def narrow(principal: Principal, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` as the principal may read it; for an auditor, a model without a rule here reads nothing."""
    if not is_period_scoped(principal):
        return queryset
    narrower = _NARROWERS.get(queryset.model)
    return narrower(principal, queryset) if narrower is not None else queryset.none()
