"""The one place that decides what the auditor workspace shows to whom.

Owners and admins see every audit period. A member with the auditor role sees only the periods they are
assigned to, and within a period only: controls mapped to the period's frameworks, evidence of those
controls effective inside the window, check runs that finished inside it, and audit events that occurred
inside it. Everyone else, and an auditor with no assignment, sees nothing (fail closed). Every page, API
and export of the workspace reads through these functions.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from trustroom.audit.models import AuditEvent
from trustroom.controls.audit_models import AuditorAssignment, AuditPeriod, EvidencePackage
from trustroom.controls.models import CheckRun, Control, Evidence
from trustroom.tenancy.models import Role
from trustroom.tenancy.narrowing import AuditWindow
from trustroom.tenancy.principal import Principal

MANAGER_ROLES = (Role.OWNER, Role.ADMIN)


def assigned_period_ids(principal: Principal) -> set[int]:
    """The periods an auditor is assigned to (through their membership of the principal's organization)."""
    if principal.role != Role.AUDITOR or principal.is_support or principal.user is None:
        return set()
    return set(
        AuditorAssignment.objects.filter(
            membership__user_id=principal.user.pk,
            membership__organization_id=principal.organization.pk,
            membership__role=Role.AUDITOR,
        ).values_list("period_id", flat=True)
    )


def audit_windows(principal: Principal) -> list[AuditWindow]:
    """The windows of the principal's assigned periods: the provider of `tenancy.narrowing`, which narrows
    every read of an auditor's request to them (registered in `ControlsConfig.ready`)."""
    periods = AuditPeriod.objects.filter(pk__in=assigned_period_ids(principal)).order_by("pk")
    return [
        AuditWindow(
            period_id=period.pk,
            starts_at=period.starts_at,
            ends_at=period.ends_at,
            framework_codes=tuple(str(code) for code in period.framework_codes),
        )
        for period in periods
    ]


def may_see_period(principal: Principal, period: AuditPeriod) -> bool:
    if period.organization_id != principal.organization.pk:
        return False
    if principal.role in MANAGER_ROLES:
        return True
    return period.pk in assigned_period_ids(principal)


def visible_periods(principal: Principal) -> QuerySet[AuditPeriod]:
    periods = AuditPeriod.objects.select_related("created_by")
    if principal.role in MANAGER_ROLES:
        return periods
    return periods.filter(pk__in=assigned_period_ids(principal))


def period_for(principal: Principal, pk: int) -> AuditPeriod | None:
    """A period the principal may see, or None (answered as 404, like a missing one)."""
    return visible_periods(principal).filter(pk=pk).first()


def _checked(principal: Principal, period: AuditPeriod) -> AuditPeriod:
    if not may_see_period(principal, period):
        raise PermissionError("This audit period is not yours to see.")
    return period


def controls_in(principal: Principal, period: AuditPeriod) -> QuerySet[Control]:
    period = _checked(principal, period)
    codes = [str(code) for code in period.framework_codes]
    ids = Control.objects.filter(mappings__requirement__framework__code__in=codes).values("pk")
    return Control.objects.filter(pk__in=ids).select_related("owner").order_by("key", "pk")


def evidence_in(principal: Principal, period: AuditPeriod) -> QuerySet[Evidence]:
    """Evidence of the period's controls that took effect inside the window [starts_at, ends_at)."""
    return (
        Evidence.objects.filter(
            control__in=controls_in(principal, period),
            effective_at__gte=period.starts_at,
            effective_at__lt=period.ends_at,
        )
        .select_related("control", "document", "check_run", "check_run__check_ref", "added_by")
        .order_by("control__key", "effective_at", "pk")
    )


def runs_in(principal: Principal, period: AuditPeriod) -> QuerySet[CheckRun]:
    """Runs of checks feeding the period's controls that finished inside the window."""
    controls = controls_in(principal, period)
    return (
        CheckRun.objects.filter(
            Q(check_ref__feeds__control__in=controls),
            finished_at__gte=period.starts_at,
            finished_at__lt=period.ends_at,
        )
        .select_related("check_ref")
        .distinct()
        .order_by("finished_at", "pk")
    )


def events_in(principal: Principal, period: AuditPeriod) -> QuerySet[AuditEvent]:
    period = _checked(principal, period)
    return AuditEvent.objects.filter(occurred_at__gte=period.starts_at, occurred_at__lt=period.ends_at)


def packages_of(principal: Principal, period: AuditPeriod | None = None) -> QuerySet[EvidencePackage]:
    packages = EvidencePackage.objects.select_related("period", "created_by")
    if period is not None:
        return packages.filter(period=_checked(principal, period))
    return packages.filter(period__in=visible_periods(principal))
