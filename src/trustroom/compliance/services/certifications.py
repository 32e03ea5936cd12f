"""Certifications and attestation reports: validity, renewal, succession, and the attached PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from trustroom.audit.services import record_event
from trustroom.compliance.models import Certification, CertificationKind, Framework, Visibility
from trustroom.compliance.services.common import (
    _check_aware,
    _check_framework,
    _check_member,
    _invalidate_trust_center,
    _json_value,
)
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal

UNSET: Any = object()


CERTIFICATION_FIELDS = (
    "kind",
    "framework",
    "title",
    "series",
    "issuer",
    "number",
    "valid_from",
    "valid_until",
    "audit_period_start",
    "audit_period_end",
    "validity_years",
    "surveillance_interval_months",
    "owner",
    "visibility",
)
TEXT_FIELDS = ("title", "series", "issuer", "number")
DEFAULT_SURVEILLANCE_MONTHS = 12


def default_series(*, framework: Framework | None, kind: str, title: str) -> str:
    if framework is not None:
        return slugify(f"{framework.code}-{kind}")[:80]
    return slugify(title)[:80] or kind


def _validate_certification(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if values["kind"] not in CertificationKind.values:
        errors["kind"] = f"Kind must be one of: {', '.join(CertificationKind.values)}."
    _check_framework(values["framework"], errors, required=False)
    if not values["title"]:
        errors["title"] = "Give the certification a title."
    elif len(values["title"]) > 200:
        errors["title"] = "Use at most 200 characters."
    if values["series"] and (slugify(values["series"]) != values["series"] or len(values["series"]) > 80):
        errors["series"] = "Use up to 80 lowercase letters, digits and hyphens."
    for name, limit in (("issuer", 200), ("number", 100)):
        if len(values[name]) > limit:
            errors[name] = f"Use at most {limit} characters."
    for name in ("valid_from", "valid_until", "audit_period_start", "audit_period_end"):
        value = values[name]
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            errors[name] = "Give a date (YYYY-MM-DD)."
    if values["valid_from"] is None:
        errors.setdefault("valid_from", "Give the first day of validity.")
    if values["valid_until"] is None:
        errors.setdefault(
            "valid_until", "Give the last day of validity (or the renewal cycle): nothing is valid forever."
        )
    if (
        "valid_from" not in errors
        and "valid_until" not in errors
        and values["valid_until"] < values["valid_from"]
    ):
        errors["valid_until"] = "The last day of validity must not be before the first."
    start, end = values["audit_period_start"], values["audit_period_end"]
    if (
        (start is None) != (end is None)
        and "audit_period_start" not in errors
        and "audit_period_end" not in errors
    ):
        errors["audit_period_end" if end is None else "audit_period_start"] = (
            "Give both ends of the audit period."
        )
    elif start is not None and end is not None and "audit_period_end" not in errors and end < start:
        errors["audit_period_end"] = "The audit period must not end before it starts."
    if values["kind"] == CertificationKind.ATTESTATION_REPORT and start is None:
        errors.setdefault("audit_period_start", "An attestation report covers an audit period: give it.")
    for name, limit in (("validity_years", 10), ("surveillance_interval_months", 60)):
        value = values[name]
        if value is not None and (not isinstance(value, int) or not 1 <= value <= limit):
            errors[name] = f"Give a whole number from 1 to {limit}, or leave it empty."
    _check_member(values["owner"], "owner", errors)
    if values["visibility"] not in Visibility.values:
        errors["visibility"] = f"Visibility must be one of: {', '.join(Visibility.values)}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_certification(
    *,
    actor: Principal,
    kind: str,
    title: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    framework: Framework | None = None,
    series: str = "",
    issuer: str = "",
    number: str = "",
    audit_period_start: dt.date | None = None,
    audit_period_end: dt.date | None = None,
    validity_years: int | None = None,
    surveillance_interval_months: int | None = UNSET,
    owner: Any = None,
    visibility: str = Visibility.PUBLIC,
) -> Certification:
    """Record a certification. Certificates get a yearly surveillance audit unless told otherwise."""
    policies.check(actor, "add", Certification)
    if (
        valid_until is None
        and isinstance(valid_from, dt.date)
        and isinstance(validity_years, int)
        and 1 <= validity_years <= 10
    ):
        # Valid for the renewal cycle: N years from the first day, the day before the anniversary last.
        valid_until = valid_from + relativedelta(years=validity_years) - dt.timedelta(days=1)
    if surveillance_interval_months is UNSET:
        surveillance_interval_months = (
            DEFAULT_SURVEILLANCE_MONTHS if kind == CertificationKind.CERTIFICATE else None
        )
    values: dict[str, Any] = {
        "kind": kind,
        "framework": framework,
        "title": (title or "").strip(),
        "series": (series or "").strip(),
        "issuer": (issuer or "").strip(),
        "number": (number or "").strip(),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "audit_period_start": audit_period_start,
        "audit_period_end": audit_period_end,
        "validity_years": validity_years,
        "surveillance_interval_months": surveillance_interval_months,
        "owner": owner,
        "visibility": visibility,
    }
    _validate_certification(values)
    if not values["series"]:
        values["series"] = default_series(framework=framework, kind=kind, title=values["title"])
    certification = Certification.objects.create(**values)
    record_event(
        actor=actor,
        action="certification.created",
        target=certification,
        changes={name: _json_value(value) for name, value in values.items() if value not in (None, "")},
    )
    _invalidate_trust_center()
    return certification


@transaction.atomic
def update_certification(*, actor: Principal, certification: Certification, **updates: Any) -> Certification:
    policies.check(actor, "change", certification)
    unknown = sorted(set(updates) - set(CERTIFICATION_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    values = {name: getattr(certification, name) for name in CERTIFICATION_FIELDS}
    for name, value in updates.items():
        values[name] = (value or "").strip() if name in TEXT_FIELDS else value
    _validate_certification(values)
    if not values["series"]:
        values["series"] = default_series(
            framework=values["framework"], kind=values["kind"], title=values["title"]
        )
    changes: dict[str, Any] = {}
    for name in CERTIFICATION_FIELDS:
        old, new = getattr(certification, name), values[name]
        if _json_value(old) != _json_value(new):
            changes[name] = [_json_value(old), _json_value(new)]
            setattr(certification, name, new)
    if not changes:
        return certification
    certification.save()
    record_event(actor=actor, action="certification.updated", target=certification, changes=changes)
    _invalidate_trust_center()
    return certification


@transaction.atomic
def start_renewal(
    *, actor: Principal, certification: Certification, at: dt.datetime | None = None
) -> Certification:
    """Mark the renewal (recertification audit, next report) as started."""
    policies.check(actor, "change", certification)
    errors: dict[str, str] = {}
    _check_aware(at, "renewal_started_at", errors)
    if certification.superseded_by_id is not None:
        errors["renewal_started_at"] = "A superseded certification is not renewed; renew its successor."
    if errors:
        raise ValidationError(errors)
    if certification.renewal_started_at is not None:
        return certification
    certification.renewal_started_at = at or timezone.now()
    certification.save(update_fields=["renewal_started_at", "updated_at"])
    record_event(
        actor=actor,
        action="certification.renewal_started",
        target=certification,
        changes={"renewal_started_at": certification.renewal_started_at},
    )
    _invalidate_trust_center()
    return certification


@transaction.atomic
def supersede_certification(
    *, actor: Principal, certification: Certification, superseded_by: Certification | None
) -> Certification:
    """Record that a newer certification of the same series replaces this one."""
    policies.check(actor, "change", certification)
    errors: dict[str, str] = {}
    if superseded_by is None or superseded_by.organization_id != certification.organization_id:
        errors["superseded_by"] = "Choose a certification of the organization."
    elif superseded_by.pk == certification.pk:
        errors["superseded_by"] = "A certification cannot supersede itself."
    elif superseded_by.series != certification.series:
        errors["superseded_by"] = "Choose a certification of the same series."
    elif superseded_by.valid_from < certification.valid_from:
        errors["superseded_by"] = "Choose a newer certification (one valid from a later day)."
    elif superseded_by.superseded_by_id is not None:
        errors["superseded_by"] = "That certification is itself superseded; choose the newest."
    if errors:
        raise ValidationError(errors)
    assert superseded_by is not None  # noqa: S101 - narrowed by the checks above
    certification.superseded_by = superseded_by
    certification.save(update_fields=["superseded_by", "updated_at"])
    record_event(
        actor=actor,
        action="certification.superseded",
        target=certification,
        changes={"superseded_by": superseded_by.pk, "superseded_by_title": superseded_by.title},
    )
    _invalidate_trust_center()
    return certification


@transaction.atomic
def delete_certification(*, actor: Principal, certification: Certification) -> None:
    policies.check(actor, "delete", certification)
    record_event(
        actor=actor,
        action="certification.deleted",
        target=certification,
        changes={"title": certification.title, "series": certification.series},
    )
    Certification.objects.filter(superseded_by=certification).update(superseded_by=None)
    certification.delete()
    _invalidate_trust_center()


@transaction.atomic
def attach_document(
    *, actor: Principal, certification: Certification, content: bytes, filename: str, title: str = ""
) -> Certification:
    """Store the certificate or report PDF in the vault (checked, encrypted) and attach it."""
    from trustroom.vault.services import store_document

    policies.check(actor, "change", certification)
    document = store_document(
        actor=actor, title=(title or "").strip() or certification.title, content=content, filename=filename
    )
    previous = certification.document_id
    certification.document = document
    certification.save(update_fields=["document", "updated_at"])
    record_event(
        actor=actor,
        action="certification.document_attached",
        target=certification,
        changes={"document": document.pk, "previous_document": previous},
    )
    _invalidate_trust_center()
    return certification
