"""Findings: creation with deadlines fixed at detection, and every status transition."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.assessments.models import (
    Application,
    Engagement,
    Finding,
    FindingStatus,
    Severity,
    SlaPolicy,
)
from trustroom.assessments.services.common import (
    MAX_RISK_ACCEPTANCE,
    RETEST_WINDOW,
    _aware,
    _invalidate_trust_center,
    _required_text,
)
from trustroom.assessments.services.sla import policy_in_force
from trustroom.assessments.state import effective_status, next_scheduled_engagement_start, parse_cvss
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.models import Membership
from trustroom.tenancy.policies import MANAGERS
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org

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


def _collect(errors: dict[str, str], clean: Any, value: Any) -> Any:
    """`clean(value)`, or None with its field's message added to `errors`."""
    try:
        return clean(value)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return None


def _clean_content(
    errors: dict[str, str],
    *,
    application: Application,
    title: str,
    description: str,
    severity: str,
    cvss_vector: str,
    cwe_id: int | str | None,
    asset: str,
    evidence: str,
    engagement: Engagement | None,
) -> dict[str, Any]:
    """A finding's describing fields as stored, checked the same way on creation and on edit; each
    problem is added to `errors` under its field."""
    title = _required_text(errors, "title", title, max_length=500, label="finding a title")
    if severity not in Severity.values:
        errors["severity"] = "Choose critical, high, medium, low or info."
    if engagement is not None and engagement.application_id != application.pk:
        errors["engagement"] = "This engagement tested another application."
    cwe = _collect(errors, _clean_cwe, cwe_id)
    cvss = _collect(errors, parse_cvss, cvss_vector)
    return {
        "title": title,
        "description": (description or "").strip(),
        "severity": severity,
        "cvss_vector": cvss.vector if cvss else "",
        "cvss_version": cvss.version if cvss else "",
        "cvss_score": cvss.base_score if cvss else None,
        "cwe_id": cwe,
        "asset": (asset or "").strip()[:500],
        "evidence": evidence or "",
        "engagement": engagement,
    }


def retriaged_deadlines(
    finding: Finding,
    *,
    severity: str,
    application: Application | None = None,
    policy: SlaPolicy | None = None,
) -> tuple[datetime | None, datetime | None]:
    """(due_at, target_at) of `finding` re-triaged to `severity`: computed from its ORIGINAL detection
    time under its OWN policy version, so a deadline stays a function of detection, version and
    severity (a newer policy version or the time of the edit change nothing). `application` and
    `policy` may be given when the caller already holds them (the finding's own)."""
    return deadlines(
        application=application or finding.application,
        severity=severity,
        detected_at=finding.detected_at,
        policy=policy or finding.sla_policy,
    )


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
    if application.organization_id != org.pk:
        errors["application"] = "Choose one of your applications."
    content = _clean_content(
        errors,
        application=application,
        title=title,
        description=description,
        severity=severity,
        cvss_vector=cvss_vector,
        cwe_id=cwe_id,
        asset=asset,
        evidence=evidence,
        engagement=engagement,
    )
    fingerprint = (fingerprint or "").strip()[:128]
    if fingerprint and Finding.objects.filter(application=application, fingerprint=fingerprint).exists():
        errors["fingerprint"] = "A finding with this fingerprint already exists for this application."
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
        **content,
        assignee=assignee,
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
            "title": content["title"],
            "severity": severity,
            "application": application.name,
            "sla_policy_version": policy.version,
            "due_at": due_at.isoformat() if due_at else None,
        },
    )
    _invalidate_trust_center()
    return finding


def _audit_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Engagement):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def update_finding(
    *,
    actor: Principal,
    finding: Finding,
    title: str,
    description: str,
    severity: str,
    cvss_vector: str,
    cwe_id: int | str | None,
    asset: str,
    evidence: str,
    engagement: Engagement | None,
) -> Finding:
    """Edit what describes a finding (not its application, detection time, status or assignee).

    A severity change is a re-triage: due_at/target_at are recomputed by `retriaged_deadlines` (from
    detection, under the finding's own policy version). The audit event carries before/after of the
    changed fields only; saving what is already stored writes nothing and records nothing.
    """
    policies.check(actor, "change", finding)
    # Lock the row and compare with what is stored now, not with what the caller read earlier.
    list(Finding.objects.select_for_update().filter(pk=finding.pk).values_list("pk", flat=True))
    finding.refresh_from_db()
    errors: dict[str, str] = {}
    content = _clean_content(
        errors,
        application=finding.application,
        title=title,
        description=description,
        severity=severity,
        cvss_vector=cvss_vector,
        cwe_id=cwe_id,
        asset=asset,
        evidence=evidence,
        engagement=engagement,
    )
    if errors:
        raise ValidationError(errors)
    if content["severity"] != finding.severity:
        content["due_at"], content["target_at"] = retriaged_deadlines(finding, severity=severity)
    changes: dict[str, list[Any]] = {}
    for name, value in content.items():
        old = getattr(finding, name)
        if old != value:
            changes[name] = [_audit_value(old), _audit_value(value)]
            setattr(finding, name, value)
    if not changes:
        return finding
    if "severity" in changes and "due_at" not in changes:  # a re-triage always states its deadline
        changes["due_at"] = [_audit_value(finding.due_at)] * 2
    finding.save(update_fields=[*(n for n in content if n in changes), "updated_at"])
    record_event(actor=actor, action="finding.update", target=finding, changes=changes)
    _invalidate_trust_center()
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
    _invalidate_trust_center()
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
    _invalidate_trust_center()
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
    _invalidate_trust_center()
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
    _invalidate_trust_center()
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
    _invalidate_trust_center()
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
    _invalidate_trust_center()
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
    _invalidate_trust_center()
    return len(expired)
