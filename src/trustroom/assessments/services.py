"""Writes of the VAPT programme. Keyword-only, `actor` first, one audit event per write.

Decisions:
- One application per engagement (a programme covering three applications is three engagements), so
  each application's cadence reads straight from its own engagements.
- Deadlines (`due_at`, `target_at`) are fixed at detection from the SLA policy version in force then and
  never move: a later policy version, a failed retest or a reopen keep the original deadline.
- Low findings are due when the application is next tested (its earliest planned engagement after
  detection, else the date its cadence requires); info findings have no deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from trustroom.assessments.models import (
    Application,
    Cadence,
    Criticality,
    Engagement,
    EngagementStatus,
    Finding,
    FindingStatus,
    ScopeArea,
    Severity,
    SlaPolicy,
    Vendor,
    default_cadence,
)
from trustroom.assessments.state import effective_status, next_scheduled_engagement_start, parse_cvss
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.models import Membership
from trustroom.tenancy.policies import MANAGERS
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.vault.models import Document

RETEST_WINDOW = timedelta(days=30)
MAX_RISK_ACCEPTANCE = timedelta(days=365)
# The first version every organization gets; `effective_from` precedes any plausible detection.
DEFAULT_POLICY_EFFECTIVE_FROM = datetime(2000, 1, 1, tzinfo=UTC)


def _required_text(errors: dict[str, str], field: str, value: str, *, max_length: int, label: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = f"Give the {label}."
    elif len(value) > max_length:
        errors[field] = f"Keep the {label} to {max_length} characters or fewer."
    return value


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise ValidationError({field: "Give a date and time with a time zone."})
    return value.astimezone(UTC)


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
    return engagement


# ---------------------------------------------------------------- SLA policy


def policy_in_force(at: datetime) -> SlaPolicy:
    """The SLA version in force at `at`; the organization's first (default) version is created on demand."""
    policy = SlaPolicy.objects.filter(effective_from__lte=at).order_by("-effective_from", "-version").first()
    if policy is not None:
        return policy
    earliest = SlaPolicy.objects.order_by("effective_from", "version").first()
    if earliest is not None:  # detected before the first version: the first version applies
        return earliest
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
    return policy


# ---------------------------------------------------------------- findings


def _member_user(user: Any, field: str) -> Any:
    if user is None:
        return None
    if not Membership.objects.filter(organization=require_org(), user=user).exists():
        raise ValidationError({field: "Choose a member of this organization."})
    return user


def deadlines(
    *, application: Application, severity: str, detected_at: datetime, policy: SlaPolicy
) -> tuple[datetime | None, datetime | None]:
    """(due_at, target_at) for a finding detected now under `policy`."""
    hours = policy.hours_for(severity)
    if hours is not None:
        due, target = hours
        return detected_at + timedelta(hours=due), detected_at + timedelta(hours=target)
    if severity == Severity.LOW:
        due_at = next_scheduled_engagement_start(application, after=detected_at)
        return due_at, due_at
    return None, None


def _clean_cwe(value: int | str | None) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip().upper().removeprefix("CWE-")
    if not text.isdigit() or int(text) == 0:
        raise ValidationError({"cwe_id": "Give a CWE number such as 79 or CWE-79."})
    return int(text)


@transaction.atomic
def create_finding(
    *,
    actor: Principal,
    application: Application,
    title: str,
    severity: str,
    detected_at: datetime | None = None,
    description: str = "",
    cvss_vector: str = "",
    cwe_id: int | str | None = None,
    asset: str = "",
    engagement: Engagement | None = None,
    assignee: Any = None,
    evidence: str = "",
    fingerprint: str = "",
) -> Finding:
    policies.check(actor, "add", Finding)
    org = require_org()
    detected_at = _aware(detected_at, "detected_at") if detected_at else timezone.now()
    errors: dict[str, str] = {}
    title = _required_text(errors, "title", title, max_length=500, label="finding a title")
    if severity not in Severity.values:
        errors["severity"] = "Choose critical, high, medium, low or info."
    if application.organization_id != org.pk:
        errors["application"] = "Choose one of your applications."
    if engagement is not None and engagement.application_id != application.pk:
        errors["engagement"] = "This engagement tested another application."
    fingerprint = (fingerprint or "").strip()[:128]
    if fingerprint and Finding.objects.filter(application=application, fingerprint=fingerprint).exists():
        errors["fingerprint"] = "A finding with this fingerprint already exists for this application."
    try:
        cwe = _clean_cwe(cwe_id)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        cwe = None
    try:
        cvss = parse_cvss(cvss_vector)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        cvss = None
    if errors:
        raise ValidationError(errors)
    assignee = _member_user(assignee, "assignee")
    policy = policy_in_force(detected_at)
    due_at, target_at = deadlines(
        application=application, severity=severity, detected_at=detected_at, policy=policy
    )
    finding = Finding.objects.create(
        organization=org,
        application=application,
        engagement=engagement,
        title=title,
        description=(description or "").strip(),
        severity=severity,
        cvss_vector=cvss.vector if cvss else "",
        cvss_version=cvss.version if cvss else "",
        cvss_score=cvss.base_score if cvss else None,
        cwe_id=cwe,
        asset=(asset or "").strip()[:500],
        assignee=assignee,
        evidence=evidence or "",
        detected_at=detected_at,
        sla_policy=policy,
        due_at=due_at,
        target_at=target_at,
        fingerprint=fingerprint,
    )
    record_event(
        actor=actor,
        action="finding.create",
        target=finding,
        changes={
            "title": title,
            "severity": severity,
            "application": application.name,
            "sla_policy_version": policy.version,
            "due_at": due_at.isoformat() if due_at else None,
        },
    )
    return finding


def _transition(actor: Principal, finding: Finding, action: str, old: str, **changes: Any) -> None:
    record_event(
        actor=actor,
        action=f"finding.{action}",
        target=finding,
        changes={"status": [old, finding.status], **changes},
    )


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


@transaction.atomic
def assign_finding(*, actor: Principal, finding: Finding, assignee: Any) -> Finding:
    policies.check(actor, "change", finding)
    assignee = _member_user(assignee, "assignee")
    old = finding.assignee_id
    finding.assignee = assignee
    finding.save(update_fields=["assignee", "updated_at"])
    record_event(
        actor=actor,
        action="finding.assign",
        target=finding,
        changes={"assignee": [old, assignee.pk if assignee else None]},
    )
    return finding


@transaction.atomic
def mark_fixed(*, actor: Principal, finding: Finding, now: datetime | None = None) -> Finding:
    """The team fixed it: the SLA clock stops; the vendor's retest is due within 30 days."""
    policies.check(actor, "change", finding)
    now = _now(now)
    old = effective_status(finding, now=now)
    if old not in (FindingStatus.OPEN, FindingStatus.REOPENED):
        raise ValidationError({"status": "Only an open or reopened finding can be marked fixed."})
    finding.status = FindingStatus.FIXED_AWAITING_RETEST
    finding.fixed_at = now
    finding.retest_due_at = now + RETEST_WINDOW
    _clear_risk(finding)
    finding.save()
    _transition(actor, finding, "fix", old, retest_due_at=finding.retest_due_at.isoformat())
    return finding


@transaction.atomic
def record_retest(
    *, actor: Principal, finding: Finding, passed: bool, notes: str = "", now: datetime | None = None
) -> Finding:
    """The vendor retested: pass → closed; fail → reopened against the ORIGINAL due_at (no new clock)."""
    policies.check(actor, "change", finding)
    now = _now(now)
    old = finding.status
    if old != FindingStatus.FIXED_AWAITING_RETEST:
        raise ValidationError({"status": "Only a finding awaiting retest can be retested."})
    if passed:
        finding.status = FindingStatus.CLOSED
        finding.closed_at = now
    else:
        finding.status = FindingStatus.REOPENED
        finding.fixed_at = None
        finding.retest_due_at = None
    finding.save()
    _transition(actor, finding, "retest", old, passed=passed, notes=(notes or "").strip())
    return finding


def _clear_risk(finding: Finding) -> None:
    finding.risk_reason, finding.risk_accepted_by, finding.risk_expires_at = "", None, None


@transaction.atomic
def accept_risk(
    *, actor: Principal, finding: Finding, reason: str, expires_at: datetime, now: datetime | None = None
) -> Finding:
    """Owners and admins accept the risk until `expires_at` (at most 365 days); on expiry it reads as
    reopened and `expire_risk_acceptances` persists that."""
    policies.check(actor, "change", finding)
    if actor.role not in MANAGERS:
        raise PermissionDenied("Only owners and admins can accept a risk.")
    now = _now(now)
    old = effective_status(finding, now=now)
    errors: dict[str, str] = {}
    if old not in (FindingStatus.OPEN, FindingStatus.REOPENED, FindingStatus.RISK_ACCEPTED):
        errors["status"] = "Only an open or reopened finding can be risk-accepted."
    reason = _required_text(errors, "reason", reason, max_length=5000, label="reason for accepting the risk")
    if expires_at is None:
        errors["expires_at"] = "A risk acceptance needs an expiry."
    else:
        expires_at = _aware(expires_at, "expires_at")
        if expires_at <= now:
            errors["expires_at"] = "The expiry must be in the future."
        elif expires_at > now + MAX_RISK_ACCEPTANCE:
            errors["expires_at"] = "A risk can be accepted for at most 365 days."
    if errors:
        raise ValidationError(errors)
    finding.status = FindingStatus.RISK_ACCEPTED
    finding.risk_reason, finding.risk_accepted_by, finding.risk_expires_at = reason, actor.user, expires_at
    finding.save()
    _transition(actor, finding, "accept_risk", old, reason=reason, expires_at=expires_at.isoformat())
    return finding


@transaction.atomic
def mark_false_positive(
    *, actor: Principal, finding: Finding, reason: str, now: datetime | None = None
) -> Finding:
    policies.check(actor, "change", finding)
    now = _now(now)
    old = effective_status(finding, now=now)
    errors: dict[str, str] = {}
    if old in (FindingStatus.CLOSED, FindingStatus.FALSE_POSITIVE):
        errors["status"] = "This finding is already closed."
    reason = _required_text(errors, "reason", reason, max_length=5000, label="reason it is a false positive")
    if errors:
        raise ValidationError(errors)
    finding.status = FindingStatus.FALSE_POSITIVE
    finding.closed_at = now
    _clear_risk(finding)
    finding.save()
    _transition(actor, finding, "false_positive", old, reason=reason)
    return finding


@transaction.atomic
def reopen_finding(
    *, actor: Principal, finding: Finding, reason: str = "", now: datetime | None = None
) -> Finding:
    """Reopen a closed, false-positive or risk-accepted finding; its original deadline still applies."""
    policies.check(actor, "change", finding)
    now = _now(now)
    old = finding.status
    if old in (FindingStatus.OPEN, FindingStatus.REOPENED):
        raise ValidationError({"status": "This finding is already open."})
    finding.status = FindingStatus.REOPENED
    finding.fixed_at = finding.retest_due_at = finding.closed_at = None
    _clear_risk(finding)
    finding.save()
    _transition(actor, finding, "reopen", old, reason=(reason or "").strip())
    return finding


@transaction.atomic
def expire_risk_acceptances(*, actor: Principal, now: datetime | None = None) -> int:
    """Persist what `effective_status` already shows: risk acceptances past their expiry are reopened.
    Idempotent (a second run finds nothing); one audit event per reopened finding."""
    policies.check(actor, "change", Finding)
    now = _now(now)
    expired = list(
        Finding.objects.select_for_update().filter(
            status=FindingStatus.RISK_ACCEPTED, risk_expires_at__lte=now
        )
    )
    for finding in expired:
        expires_at = finding.risk_expires_at
        finding.status = FindingStatus.REOPENED
        _clear_risk(finding)
        finding.save()
        _transition(
            actor,
            finding,
            "risk_expired",
            FindingStatus.RISK_ACCEPTED,
            expired_at=expires_at.isoformat() if expires_at else None,
        )
    return len(expired)
