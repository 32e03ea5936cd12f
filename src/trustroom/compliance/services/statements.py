"""Compliance statements (one per framework) and their revision history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.compliance.models import (
    ComplianceStatement,
    ComplianceStatus,
    Framework,
    StatementRevision,
    Visibility,
)
from trustroom.compliance.services.common import (
    _check_aware,
    _check_framework,
    _check_member,
    _invalidate_trust_center,
    _json_value,
)
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal

MAX_MEASURES = 50
MEASURE_MAX_CHARS = 500


STATEMENT_FIELDS = (
    "framework",
    "status",
    "summary",
    "measures",
    "not_applicable_reason",
    "owner",
    "last_reviewed_at",
    "visibility",
)


def clean_measures(measures: Iterable[str] | str | None) -> list[str]:
    """Measures as given (a list, or text with one per line): stripped, empty ones dropped."""
    if measures is None:
        return []
    items = measures.splitlines() if isinstance(measures, str) else list(measures)
    return [" ".join(str(item).split()) for item in items if str(item).strip()]


def _validate_statement(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    _check_framework(values["framework"], errors, required=True)
    if values["status"] not in ComplianceStatus.values:
        errors["status"] = f"Status must be one of: {', '.join(ComplianceStatus.values)}."
    summary = values["summary"]
    if not summary:
        errors["summary"] = "Give a one-line summary."
    elif len(summary) > 300 or "\n" in summary:
        errors["summary"] = "Keep the summary to one line of at most 300 characters."
    measures = values["measures"]
    if len(measures) > MAX_MEASURES:
        errors["measures"] = f"List at most {MAX_MEASURES} measures."
    elif any(len(m) > MEASURE_MAX_CHARS for m in measures):
        errors["measures"] = f"Keep each measure under {MEASURE_MAX_CHARS} characters."
    if values["status"] == ComplianceStatus.NOT_APPLICABLE and not values["not_applicable_reason"]:
        errors["not_applicable_reason"] = "Say why the framework does not apply."
    _check_member(values["owner"], "owner", errors)
    _check_aware(values["last_reviewed_at"], "last_reviewed_at", errors)
    if values["visibility"] not in Visibility.values:
        errors["visibility"] = f"Visibility must be one of: {', '.join(Visibility.values)}."
    if errors:
        raise ValidationError(errors)


def _record_revision(
    *, actor: Principal, statement: ComplianceStatement, action: str, changes: dict[str, Any]
) -> StatementRevision:
    last = StatementRevision.objects.filter(statement=statement).order_by("-number").first()
    return StatementRevision.objects.create(
        statement=statement,
        number=(last.number if last else 0) + 1,
        action=action,
        changed_by=actor.user if actor.user is not None else None,
        changed_by_label=actor.label[:300],
        changed_at=timezone.now(),
        changes=changes,
    )


@transaction.atomic
def create_statement(
    *,
    actor: Principal,
    framework: Framework | None,
    status: str,
    summary: str,
    measures: Iterable[str] | str | None = None,
    not_applicable_reason: str = "",
    owner: Any = None,
    last_reviewed_at: dt.datetime | None = None,
    visibility: str = Visibility.PUBLIC,
) -> ComplianceStatement:
    policies.check(actor, "add", ComplianceStatement)
    values: dict[str, Any] = {
        "framework": framework,
        "status": status,
        "summary": (summary or "").strip(),
        "measures": clean_measures(measures),
        "not_applicable_reason": (not_applicable_reason or "").strip(),
        "owner": owner,
        "last_reviewed_at": last_reviewed_at,
        "visibility": visibility,
    }
    _validate_statement(values)
    if ComplianceStatement.objects.filter(framework=framework).exists():
        raise ValidationError({"framework": "The organization already has a statement for this framework."})
    statement = ComplianceStatement.objects.create(**values)
    changes = {
        name: [None, _json_value(value)] for name, value in values.items() if value not in (None, "", [])
    }
    _record_revision(actor=actor, statement=statement, action="created", changes=changes)
    record_event(actor=actor, action="compliance_statement.created", target=statement, changes=changes)
    _invalidate_trust_center()
    return statement


@transaction.atomic
def update_statement(
    *, actor: Principal, statement: ComplianceStatement, **updates: Any
) -> ComplianceStatement:
    """Change some fields of a statement (any of STATEMENT_FIELDS); each change goes into its history."""
    policies.check(actor, "change", statement)
    unknown = sorted(set(updates) - set(STATEMENT_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    statement = ComplianceStatement.objects.select_for_update().get(pk=statement.pk)
    values = {name: getattr(statement, name) for name in STATEMENT_FIELDS}
    for name, value in updates.items():
        if name in ("summary", "not_applicable_reason"):
            value = (value or "").strip()
        elif name == "measures":
            value = clean_measures(value)
        values[name] = value
    _validate_statement(values)
    if (
        values["framework"].pk != statement.framework_id
        and ComplianceStatement.objects.filter(framework=values["framework"])
        .exclude(pk=statement.pk)
        .exists()
    ):
        raise ValidationError({"framework": "The organization already has a statement for this framework."})
    changes: dict[str, Any] = {}
    for name in STATEMENT_FIELDS:
        old, new = getattr(statement, name), values[name]
        if _json_value(old) != _json_value(new):
            changes[name] = [_json_value(old), _json_value(new)]
            setattr(statement, name, new)
    if not changes:
        return statement
    statement.save()
    _record_revision(actor=actor, statement=statement, action="updated", changes=changes)
    record_event(actor=actor, action="compliance_statement.updated", target=statement, changes=changes)
    _invalidate_trust_center()
    return statement


@transaction.atomic
def delete_statement(*, actor: Principal, statement: ComplianceStatement) -> None:
    policies.check(actor, "delete", statement)
    record_event(
        actor=actor,
        action="compliance_statement.deleted",
        target=statement,
        changes={"framework": statement.framework.code, "status": statement.status},
    )
    statement.delete()
    _invalidate_trust_center()
