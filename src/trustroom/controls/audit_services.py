"""Writes of the auditor workspace: audit periods and auditor assignments (managers only). Keyword-only
with the acting principal first, atomic, policy-checked and audit-logged. Evidence packages: see
`trustroom.controls.evidence_package`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from trustroom.audit.services import record_event
from trustroom.compliance.models import Framework
from trustroom.controls.audit_models import AuditorAssignment, AuditPeriod, AuditPeriodStatus
from trustroom.tenancy import policies
from trustroom.tenancy.models import Membership, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org

PERIOD_FIELDS = ("name", "framework_codes", "starts_at", "ends_at", "status")


def _clean_period(values: dict[str, Any], *, exclude_pk: int | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = values.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = "Give the audit period a name."
    elif len(name) > 200:
        errors["name"] = "Keep the name to 200 characters or fewer."
    elif AuditPeriod.objects.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = "Another audit period has this name."
    codes = values.get("framework_codes")
    if not isinstance(codes, list | tuple) or not codes or not all(isinstance(c, str) for c in codes):
        errors["framework_codes"] = "Choose at least one framework."
    else:
        codes = sorted(set(codes))
        known = set(Framework.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            errors["framework_codes"] = f"Unknown framework(s): {', '.join(unknown)}."
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
            errors[field] = "Give a date and time with a time zone."
    both_given = isinstance(starts_at, dt.datetime) and isinstance(ends_at, dt.datetime)
    if both_given and not errors.keys() & {"starts_at", "ends_at"} and ends_at <= starts_at:  # type: ignore[operator]
        errors["ends_at"] = "The period must end after it starts."
    status = values.get("status", AuditPeriodStatus.OPEN)
    if status not in AuditPeriodStatus.values:
        errors["status"] = "Choose open or closed."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "framework_codes": codes,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "status": status,
    }


def _changes(period: AuditPeriod) -> dict[str, Any]:
    return {
        "name": period.name,
        "framework_codes": list(period.framework_codes),
        "starts_at": period.starts_at.isoformat(),
        "ends_at": period.ends_at.isoformat(),
        "status": period.status,
    }


@transaction.atomic
def create_period(
    *,
    actor: Principal,
    name: str,
    framework_codes: list[str],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    status: str = AuditPeriodStatus.OPEN,
) -> AuditPeriod:
    policies.check(actor, "add", AuditPeriod)
    values = _clean_period(
        {"name": name, "framework_codes": framework_codes, "starts_at": starts_at, "ends_at": ends_at,
         "status": status}
    )  # fmt: skip
    period = AuditPeriod.objects.create(created_by=actor.user if actor.is_member else None, **values)
    record_event(actor=actor, action="audit_period.created", target=period, changes=_changes(period))
    return period


@transaction.atomic
def update_period(*, actor: Principal, period: AuditPeriod, **updates: Any) -> AuditPeriod:
    policies.check(actor, "change", period)
    unknown = sorted(set(updates) - set(PERIOD_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    period = AuditPeriod.objects.select_for_update().get(pk=period.pk)
    before = _changes(period)
    values = _clean_period(
        {**{f: getattr(period, f) for f in PERIOD_FIELDS}, **updates}, exclude_pk=period.pk
    )
    for field, value in values.items():
        setattr(period, field, value)
    period.save(update_fields=list(PERIOD_FIELDS))
    after = _changes(period)
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    record_event(actor=actor, action="audit_period.changed", target=period, changes=changed)
    return period


@transaction.atomic
def delete_period(*, actor: Principal, period: AuditPeriod) -> None:
    """Delete the period with its assignments and packages; the stored ZIPs go once it has committed."""
    policies.check(actor, "delete", period)
    record_event(actor=actor, action="audit_period.deleted", target=period, changes=_changes(period))
    stored = [name for name in period.packages.values_list("storage_name", flat=True) if name]
    period.delete()

    def remove_files() -> None:
        for name in stored:
            default_storage.delete(name)

    transaction.on_commit(remove_files)


@transaction.atomic
def assign_auditor(*, actor: Principal, period: AuditPeriod, membership: Membership) -> AuditorAssignment:
    """Let a member with the auditor role read the workspace within `period`."""
    policies.check(actor, "add", AuditorAssignment)
    policies.check(actor, "view", period)
    org = require_org()
    if membership.organization_id != org.pk:
        raise ValidationError({"membership": "Choose a member of this organization."})
    if period.status == AuditPeriodStatus.CLOSED:
        raise ValidationError({"period": "This audit period is closed: reopen it to assign auditors."})
    if membership.role != Role.AUDITOR:
        raise ValidationError({"membership": "Only members with the auditor role can be assigned."})
    if AuditorAssignment.objects.filter(period=period, membership=membership).exists():
        raise ValidationError({"membership": "This auditor is already assigned to the period."})
    assignment = AuditorAssignment.objects.create(
        period=period, membership=membership, assigned_by=actor.user if actor.is_member else None
    )
    record_event(
        actor=actor,
        action="audit_period.auditor_assigned",
        target=period,
        changes={"auditor": membership.user.email, "assignment": assignment.pk},
    )
    return assignment


@transaction.atomic
def unassign_auditor(*, actor: Principal, assignment: AuditorAssignment) -> None:
    policies.check(actor, "delete", assignment)
    record_event(
        actor=actor,
        action="audit_period.auditor_unassigned",
        target=assignment.period,
        changes={"auditor": assignment.membership.user.email, "assignment": assignment.pk},
    )
    assignment.delete()
