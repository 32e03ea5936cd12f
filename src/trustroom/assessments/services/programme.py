"""Vendors, applications and engagements."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.assessments.models import (
    Application,
    Cadence,
    Criticality,
    Engagement,
    EngagementStatus,
    Finding,
    FindingImport,
    ScopeArea,
    Vendor,
    default_cadence,
)
from trustroom.assessments.services.common import (
    _aware,
    _invalidate_trust_center,
    _required_text,
)
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.vault.models import Document

# ---------------------------------------------------------------- vendors


def _clean_vendor(errors: dict[str, str], *, name: str, exclude_pk: int | None = None) -> str:
    name = _required_text(errors, "name", name, max_length=200, label="vendor's name")
    if name and Vendor.objects.filter(name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = "A vendor with this name already exists."
    return name


@transaction.atomic
def create_vendor(*, actor: Principal, name: str, accreditation: str = "", contacts: str = "") -> Vendor:
    policies.check(actor, "add", Vendor)
    errors: dict[str, str] = {}
    name = _clean_vendor(errors, name=name)
    if errors:
        raise ValidationError(errors)
    vendor = Vendor.objects.create(
        organization=require_org(),
        name=name,
        accreditation=(accreditation or "").strip()[:200],
        contacts=(contacts or "").strip(),
    )
    record_event(actor=actor, action="vendor.create", target=vendor, changes={"name": name})
    _invalidate_trust_center()
    return vendor


@transaction.atomic
def update_vendor(
    *, actor: Principal, vendor: Vendor, name: str, accreditation: str = "", contacts: str = ""
) -> Vendor:
    policies.check(actor, "change", vendor)
    errors: dict[str, str] = {}
    name = _clean_vendor(errors, name=name, exclude_pk=vendor.pk)
    if errors:
        raise ValidationError(errors)
    before = {"name": vendor.name, "accreditation": vendor.accreditation, "contacts": vendor.contacts}
    vendor.name, vendor.accreditation, vendor.contacts = name, (accreditation or "").strip()[:200], contacts
    vendor.save(update_fields=["name", "accreditation", "contacts"])
    after = {"name": vendor.name, "accreditation": vendor.accreditation, "contacts": vendor.contacts}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    record_event(actor=actor, action="vendor.update", target=vendor, changes=changes)
    _invalidate_trust_center()
    return vendor


# ---------------------------------------------------------------- applications


def _clean_application(
    errors: dict[str, str], *, name: str, criticality: str, test_cadence: str | None, exclude_pk: int | None
) -> tuple[str, str]:
    name = _required_text(errors, "name", name, max_length=200, label="application's name")
    if name and Application.objects.filter(name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = "An application with this name already exists."
    if criticality not in Criticality.values:
        errors["criticality"] = "Choose critical, high, medium or low."
    cadence = test_cadence or default_cadence(criticality)
    if cadence not in Cadence.values:
        errors["test_cadence"] = "Choose quarterly, twice a year or yearly."
    return name, cadence


@transaction.atomic
def create_application(
    *,
    actor: Principal,
    name: str,
    criticality: str,
    test_cadence: str | None = None,
    description: str = "",
) -> Application:
    """`test_cadence` defaults by criticality: critical → twice a year, others → yearly."""
    policies.check(actor, "add", Application)
    errors: dict[str, str] = {}
    name, cadence = _clean_application(
        errors, name=name, criticality=criticality, test_cadence=test_cadence, exclude_pk=None
    )
    if errors:
        raise ValidationError(errors)
    application = Application.objects.create(
        organization=require_org(),
        name=name,
        criticality=criticality,
        test_cadence=cadence,
        description=(description or "").strip(),
    )
    record_event(
        actor=actor,
        action="application.create",
        target=application,
        changes={"name": name, "criticality": criticality, "test_cadence": cadence},
    )
    _invalidate_trust_center()
    return application


@transaction.atomic
def update_application(
    *,
    actor: Principal,
    application: Application,
    name: str,
    criticality: str,
    test_cadence: str | None = None,
    description: str = "",
) -> Application:
    policies.check(actor, "change", application)
    errors: dict[str, str] = {}
    name, cadence = _clean_application(
        errors, name=name, criticality=criticality, test_cadence=test_cadence, exclude_pk=application.pk
    )
    if errors:
        raise ValidationError(errors)
    fields = ("name", "criticality", "test_cadence", "description")
    before = {f: getattr(application, f) for f in fields}
    application.name, application.criticality, application.test_cadence = name, criticality, cadence
    application.description = (description or "").strip()
    application.save(update_fields=list(fields))
    changes = {
        f: [before[f], getattr(application, f)] for f in fields if before[f] != getattr(application, f)
    }
    record_event(actor=actor, action="application.update", target=application, changes=changes)
    _invalidate_trust_center()
    return application


# ---------------------------------------------------------------- engagements


def _clean_engagement(
    errors: dict[str, str],
    *,
    vendor: Vendor,
    application: Application,
    name: str,
    window_start: datetime,
    window_end: datetime,
    scope_areas: Iterable[str],
    documents: Iterable[Document],
) -> tuple[str, list[str], list[Document]]:
    org = require_org()
    name = _required_text(errors, "name", name, max_length=200, label="engagement a name")
    if vendor.organization_id != org.pk:
        errors["vendor"] = "Choose one of your vendors."
    if application.organization_id != org.pk:
        errors["application"] = "Choose one of your applications."
    if window_end < window_start:
        errors["window_end"] = "The window ends before it starts."
    areas = list(dict.fromkeys(scope_areas))
    unknown = [a for a in areas if a not in ScopeArea.values]
    if unknown:
        errors["scope_areas"] = f"Unknown scope area: {', '.join(unknown)}."
    docs = list(documents)
    if any(d.organization_id != org.pk for d in docs):
        errors["report_documents"] = "Choose documents from your own vault."
    return name, areas, docs


@transaction.atomic
def create_engagement(
    *,
    actor: Principal,
    vendor: Vendor,
    application: Application,
    name: str,
    window_start: datetime,
    window_end: datetime,
    scope_areas: Iterable[str] = (),
    report_documents: Iterable[Document] = (),
) -> Engagement:
    policies.check(actor, "add", Engagement)
    window_start, window_end = _aware(window_start, "window_start"), _aware(window_end, "window_end")
    errors: dict[str, str] = {}
    name, areas, docs = _clean_engagement(
        errors,
        vendor=vendor,
        application=application,
        name=name,
        window_start=window_start,
        window_end=window_end,
        scope_areas=scope_areas,
        documents=report_documents,
    )
    if errors:
        raise ValidationError(errors)
    engagement = Engagement.objects.create(
        organization=require_org(),
        vendor=vendor,
        application=application,
        name=name,
        window_start=window_start,
        window_end=window_end,
        scope_areas=areas,
    )
    engagement.report_documents.set(docs)
    record_event(
        actor=actor,
        action="engagement.create",
        target=engagement,
        changes={
            "vendor": vendor.name,
            "application": application.name,
            "window": [window_start.isoformat(), window_end.isoformat()],
            "scope_areas": areas,
            "report_documents": [d.pk for d in docs],
        },
    )
    _invalidate_trust_center()
    return engagement


@transaction.atomic
def update_engagement(
    *,
    actor: Principal,
    engagement: Engagement,
    name: str,
    window_start: datetime,
    window_end: datetime,
    scope_areas: Iterable[str],
    report_documents: Iterable[Document],
    status: str | None = None,
) -> Engagement:
    """Edit the plan; `status` may move planned ↔ in progress (completion goes through
    `complete_engagement`)."""
    policies.check(actor, "change", engagement)
    window_start, window_end = _aware(window_start, "window_start"), _aware(window_end, "window_end")
    errors: dict[str, str] = {}
    name, areas, docs = _clean_engagement(
        errors,
        vendor=engagement.vendor,
        application=engagement.application,
        name=name,
        window_start=window_start,
        window_end=window_end,
        scope_areas=scope_areas,
        documents=report_documents,
    )
    new_status = status or engagement.status
    if new_status != engagement.status and (
        new_status not in (EngagementStatus.PLANNED, EngagementStatus.IN_PROGRESS)
        or engagement.status == EngagementStatus.COMPLETED
    ):
        errors["status"] = "Complete an engagement with “Complete”; a completed one stays completed."
    if errors:
        raise ValidationError(errors)
    engagement.name, engagement.window_start, engagement.window_end = name, window_start, window_end
    engagement.scope_areas, engagement.status = areas, new_status
    engagement.save(update_fields=["name", "window_start", "window_end", "scope_areas", "status"])
    engagement.report_documents.set(docs)
    record_event(
        actor=actor,
        action="engagement.update",
        target=engagement,
        changes={
            "name": name,
            "window": [window_start.isoformat(), window_end.isoformat()],
            "scope_areas": areas,
            "status": new_status,
            "report_documents": [d.pk for d in docs],
        },
    )
    _invalidate_trust_center()
    return engagement


@transaction.atomic
def complete_engagement(
    *,
    actor: Principal,
    engagement: Engagement,
    window_end: datetime | None = None,
    report_documents: Iterable[Document] | None = None,
    now: datetime | None = None,
) -> Engagement:
    """Mark the VAPT done (optionally with its actual end and the reports); the cadence counts from the
    window's end."""
    policies.check(actor, "change", engagement)
    now = now or timezone.now()
    if engagement.status == EngagementStatus.COMPLETED:
        raise ValidationError({"status": "This engagement is already completed."})
    if window_end is not None:
        window_end = _aware(window_end, "window_end")
        if window_end < engagement.window_start:
            raise ValidationError({"window_end": "The window ends before it starts."})
        engagement.window_end = window_end
    if report_documents is not None:
        docs = list(report_documents)
        if any(d.organization_id != engagement.organization_id for d in docs):
            raise ValidationError({"report_documents": "Choose documents from your own vault."})
        engagement.report_documents.add(*docs)
    engagement.status = EngagementStatus.COMPLETED
    engagement.completed_at = now
    engagement.save(update_fields=["status", "completed_at", "window_end"])
    record_event(
        actor=actor,
        action="engagement.complete",
        target=engagement,
        changes={"window_end": engagement.window_end.isoformat()},
    )
    _invalidate_trust_center()
    return engagement


# ---------------------------------------------------------------- deletions
# Deleting is for mistakes (a record typed twice, a test never held). Nothing that carries history goes:
# a record that others point at is refused with the reason, never cascaded (the foreign keys PROTECT
# or SET_NULL; the checks come first so the answer is a clear message, not a ProtectedError).


def _refuse_if(reasons: list[str]) -> None:
    if reasons:
        raise ValidationError({"__all__": reasons})


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def vendor_delete_blockers(vendor: Vendor) -> list[str]:
    """Why this vendor cannot be deleted (empty when it can)."""
    engagements = Engagement.objects.filter(vendor=vendor).count()
    if engagements:
        held = _count(engagements, "engagement was", "engagements were")
        return [f"{held} held with this vendor; they keep it as their record."]
    return []


def application_delete_blockers(application: Application) -> list[str]:
    """Why this application cannot be deleted: its engagements, findings, scanner imports, and a trust
    center publication (unpublishing is a manager's explicit choice in the trust center)."""
    from trustroom.trustcenter.models import SafeToHostPublication

    reasons = []
    engagements = Engagement.objects.filter(application=application).count()
    if engagements:
        reasons.append(f"It has {_count(engagements, 'engagement', 'engagements')}.")
    findings = Finding.objects.filter(application=application).count()
    if findings:
        reasons.append(f"It has {_count(findings, 'finding', 'findings')}.")
    imports = FindingImport.objects.filter(application=application).count()
    if imports:
        reasons.append(f"It has {_count(imports, 'scanner import', 'scanner imports')}.")
    if SafeToHostPublication.objects.filter(application=application).exists():
        reasons.append("Its “safe to host” attestation is published in the trust center; unpublish it first.")
    return reasons


def engagement_delete_blockers(engagement: Engagement) -> list[str]:
    """Why this engagement cannot be deleted: a completed one is evidence of the cadence; findings and
    scanner imports point at it."""
    reasons = []
    if engagement.status == EngagementStatus.COMPLETED:
        reasons.append("It is completed: it is the evidence of the application's testing cadence.")
    findings = Finding.objects.filter(engagement=engagement).count()
    if findings:
        reasons.append(f"{_count(findings, 'finding points', 'findings point')} at it.")
    imports = FindingImport.objects.filter(engagement=engagement).count()
    if imports:
        reasons.append(f"{_count(imports, 'scanner import points', 'scanner imports point')} at it.")
    return reasons


_Deletable = TypeVar("_Deletable", Vendor, Application, Engagement)


def _delete(
    *,
    actor: Principal,
    record: _Deletable,
    action: str,
    blockers: Callable[[_Deletable], list[str]],
    changes: Callable[[], dict[str, object]],
) -> None:
    """Delete `record` unless something still depends on it: its row held while checking (so a record
    added meanwhile cannot slip past the checks), audit-logged, then the trust center refreshed.
    `blockers` and `changes` are read once the row is held."""
    policies.check(actor, "delete", record)
    type(record).objects.select_for_update().filter(pk=record.pk).exists()
    _refuse_if(blockers(record))
    record_event(actor=actor, action=action, target=record, changes=changes())
    record.delete()
    _invalidate_trust_center()


@transaction.atomic
def delete_vendor(*, actor: Principal, vendor: Vendor) -> None:
    _delete(
        actor=actor,
        record=vendor,
        action="vendor.delete",
        blockers=vendor_delete_blockers,
        changes=lambda: {"name": vendor.name, "accreditation": vendor.accreditation},
    )


@transaction.atomic
def delete_application(*, actor: Principal, application: Application) -> None:
    _delete(
        actor=actor,
        record=application,
        action="application.delete",
        blockers=application_delete_blockers,
        changes=lambda: {
            "name": application.name,
            "criticality": application.criticality,
            "test_cadence": application.test_cadence,
        },
    )


@transaction.atomic
def delete_engagement(*, actor: Principal, engagement: Engagement) -> None:
    """The report documents stay in the vault; only the engagement's links to them go."""
    _delete(
        actor=actor,
        record=engagement,
        action="engagement.delete",
        blockers=engagement_delete_blockers,
        changes=lambda: {
            "name": engagement.name,
            "vendor": engagement.vendor.name,
            "application": engagement.application.name,
            "status": engagement.status,
            "window": [engagement.window_start.isoformat(), engagement.window_end.isoformat()],
            "report_documents": list(engagement.report_documents.values_list("pk", flat=True)),
        },
    )
