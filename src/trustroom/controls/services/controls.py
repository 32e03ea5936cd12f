"""Writes of controls, their requirement mappings and their manual evidence (files and links)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.compliance.models import Requirement
from trustroom.controls.models import (
    DEFAULT_CONTROL_FREQUENCY,
    DEFAULT_FRESHNESS_DAYS,
    Control,
    ControlRequirement,
    Evidence,
    EvidenceKind,
)
from trustroom.controls.schedule import rule_error
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import membership_in
from trustroom.vault.models import Document

CONTROL_FIELDS = ("key", "name", "description", "owner", "frequency", "freshness_days")
KEY_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$")
MAX_FRESHNESS_DAYS = 3 * 366
MAX_REQUIREMENTS = 200
NOTE_MAX = 2000


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "email"):
        return value.email
    if hasattr(value, "pk"):
        return value.pk
    return value


def check_member(user: Any, field: str, errors: dict[str, str]) -> None:
    if user is not None and membership_in(user, require_org()) is None:
        errors[field] = "Choose a member of the organization."


def check_moment(value: Any, field: str, errors: dict[str, str]) -> None:
    if not isinstance(value, dt.datetime):
        errors[field] = "Give a date and time (ISO 8601, with a time zone)."
    elif timezone.is_naive(value):
        errors[field] = "Give the time with a time zone (UTC)."


def _validate_control(values: dict[str, Any], *, control: Control | None = None) -> None:
    errors: dict[str, str] = {}
    key = values["key"]
    if not isinstance(key, str) or not KEY_SHAPE.match(key) or len(key) > 20:
        errors["key"] = "Give a short key of letters and digits with dashes, e.g. DR-1 (at most 20)."
    else:
        clash = Control.objects.filter(key__iexact=key)
        if control is not None:
            clash = clash.exclude(pk=control.pk)
        if clash.exists():
            errors["key"] = "The organization already has a control with this key."
    name = values["name"]
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Name the control."
    elif len(name) > 200:
        errors["name"] = "Use at most 200 characters."
    if not isinstance(values["description"], str):
        errors["description"] = "Give text."
    message = rule_error(values["frequency"])
    if message:
        errors["frequency"] = message
    days = values["freshness_days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_FRESHNESS_DAYS:
        errors["freshness_days"] = f"Give a whole number of days from 1 to {MAX_FRESHNESS_DAYS}."
    check_member(values["owner"], "owner", errors)
    if errors:
        raise ValidationError(errors)


def _requirements(ids: Any) -> list[Requirement]:
    if not isinstance(ids, list | tuple) or len(ids) > MAX_REQUIREMENTS:
        raise ValidationError({"requirements": f"Give a list of at most {MAX_REQUIREMENTS} requirement ids."})
    raw: list[Any] = [getattr(item, "pk", item) for item in ids]
    if any(isinstance(pk, bool) or not isinstance(pk, int) for pk in raw):
        raise ValidationError({"requirements": "Give requirement ids (whole numbers)."})
    wanted: set[int] = set(raw)
    # Requirements belong to built-in frameworks (shared); the manager scopes custom ones out.
    found = list(Requirement.objects.filter(pk__in=wanted, framework__organization__isnull=True))
    missing = wanted - {r.pk for r in found}
    if missing:
        raise ValidationError({"requirements": f"No such framework requirement: {min(missing)}."})
    return found


def _set_requirements(control: Control, requirements: list[Requirement]) -> dict[str, list[str]]:
    current = {m.requirement_id: m for m in ControlRequirement.objects.filter(control=control)}
    wanted = {r.pk: r for r in requirements}
    ControlRequirement.objects.filter(control=control, requirement_id__in=set(current) - set(wanted)).delete()
    for pk, requirement in wanted.items():
        if pk not in current:
            ControlRequirement.objects.create(control=control, requirement=requirement)
    return {
        "added": sorted(str(wanted[pk]) for pk in set(wanted) - set(current)),
        "removed": sorted(str(current[pk].requirement) for pk in set(current) - set(wanted)),
    }


@transaction.atomic
def create_control(
    *,
    actor: Principal,
    key: str,
    name: str,
    description: str = "",
    owner: Any = None,
    frequency: str = DEFAULT_CONTROL_FREQUENCY,
    freshness_days: int = DEFAULT_FRESHNESS_DAYS,
    requirements: Any = (),
) -> Control:
    """A control of the program, mapped to the framework requirements it satisfies."""
    policies.check(actor, "add", Control)
    values = {
        "key": (key or "").strip() if isinstance(key, str) else key,
        "name": (name or "").strip() if isinstance(name, str) else name,
        "description": (description or "").strip() if isinstance(description, str) else description,
        "owner": owner,
        "frequency": (frequency or DEFAULT_CONTROL_FREQUENCY).strip()
        if isinstance(frequency, str | None)
        else frequency,
        "freshness_days": freshness_days,
    }
    _validate_control(values)
    mapped = _requirements(list(requirements))
    control = Control.objects.create(**values)
    _set_requirements(control, mapped)
    changes = {name: json_value(value) for name, value in values.items() if value not in (None, "")}
    changes["requirements"] = sorted(str(r) for r in mapped)
    record_event(actor=actor, action="control.created", target=control, changes=changes)
    return control


@transaction.atomic
def update_control(*, actor: Principal, control: Control, **updates: Any) -> Control:
    policies.check(actor, "change", control)
    control = Control.objects.select_for_update().get(pk=control.pk)
    unknown = sorted(set(updates) - set(CONTROL_FIELDS) - {"requirements"})
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    requirements = updates.pop("requirements", None)
    values = {name: getattr(control, name) for name in CONTROL_FIELDS}
    values.update({k: v.strip() if isinstance(v, str) else v for k, v in updates.items()})
    _validate_control(values, control=control)
    mapped = _requirements(list(requirements)) if requirements is not None else None
    changes: dict[str, Any] = {}
    for name in CONTROL_FIELDS:
        old, new = getattr(control, name), values[name]
        if json_value(old) != json_value(new):
            changes[name] = [json_value(old), json_value(new)]
            setattr(control, name, new)
    if changes:
        control.save()
    if mapped is not None:
        mapping = _set_requirements(control, mapped)
        if mapping["added"] or mapping["removed"]:
            changes["requirements"] = mapping
    if changes:
        record_event(actor=actor, action="control.updated", target=control, changes=changes)
    return control


@transaction.atomic
def delete_control(*, actor: Principal, control: Control) -> None:
    """Delete a control with its evidence items (vault files stay in the vault)."""
    policies.check(actor, "delete", control)
    record_event(
        actor=actor,
        action="control.deleted",
        target=control,
        changes={"key": control.key, "evidence": control.evidence.count()},
    )
    control.delete()


# --- Manual evidence --------------------------------------------------------------------------------


@transaction.atomic
def add_evidence(
    *,
    actor: Principal,
    control: Control,
    kind: str,
    document: Document | None = None,
    url: str = "",
    effective_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Evidence:
    """A file of the vault or a link as evidence that `control` works, fresh until `expires_at`
    (by default the control's freshness window after the effective moment, itself by default now)."""
    policies.check(actor, "add", Evidence)
    if control is None or control.pk is None or control.organization_id != require_org().pk:
        raise ValidationError({"control": "Choose a control of the organization."})
    now = now or timezone.now()
    effective_at = effective_at or now
    errors: dict[str, str] = {}
    url = (url or "").strip() if isinstance(url, str | None) else url
    if kind == EvidenceKind.FILE:
        if not isinstance(document, Document) or document.organization_id != require_org().pk:
            errors["document"] = "Choose a document of the organization's vault."
        if url:
            errors["url"] = "A file item has no link."
    elif kind == EvidenceKind.LINK:
        if document is not None:
            errors["document"] = "A link item has no file."
        try:
            if not isinstance(url, str) or len(url) > 500:
                raise ValidationError("bad")
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            errors["url"] = "Give an http(s) link of at most 500 characters."
    else:
        errors["kind"] = "Choose file or link (check results are added by running a check)."
    check_moment(effective_at, "effective_at", errors)
    if "effective_at" not in errors and effective_at > now + dt.timedelta(days=366):
        errors["effective_at"] = "The effective moment is more than a year ahead."
    if expires_at is None and "effective_at" not in errors:
        expires_at = effective_at + dt.timedelta(days=control.freshness_days)
    check_moment(expires_at, "expires_at", errors)
    if not errors and expires_at is not None and expires_at <= effective_at:
        errors["expires_at"] = "The evidence must expire after it takes effect."
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        errors["note"] = f"Give a note of at most {NOTE_MAX} characters."
    if errors or expires_at is None:
        raise ValidationError(errors or {"expires_at": "Give the expiry."})
    item = Evidence.objects.create(
        control=control,
        kind=kind,
        document=document if kind == EvidenceKind.FILE else None,
        url=url if kind == EvidenceKind.LINK else "",
        effective_at=effective_at.astimezone(dt.UTC),
        expires_at=expires_at.astimezone(dt.UTC),
        added_by=actor.user,
        note=note.strip(),
    )
    record_event(
        actor=actor,
        action="evidence.added",
        target=item,
        changes={
            "control": control.key,
            "kind": kind,
            "document": getattr(document, "pk", None),
            "url": item.url,
            "effective_at": json_value(item.effective_at),
            "expires_at": json_value(item.expires_at),
        },
    )
    return item


@transaction.atomic
def remove_evidence(*, actor: Principal, evidence: Evidence) -> None:
    policies.check(actor, "delete", evidence)
    if evidence.kind == EvidenceKind.CHECK_RESULT:
        raise ValidationError({"kind": "A check result stays: it is the record of a run."})
    record_event(
        actor=actor,
        action="evidence.removed",
        target=evidence,
        changes={"control": evidence.control.key, "kind": evidence.kind},
    )
    evidence.delete()
