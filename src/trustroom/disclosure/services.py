"""Every write of the disclosure program: the policy and its security.txt hosts, the renewal job,
report intake (throttle, submit, e-mail verification), triage, updates, the finding link and rewards.

Keyword-only, `actor=` first for members; atomic; audit-logged. Researchers are not members: their
steps are authorized by what they hold (the verification link, the status link) and recorded under a
`VisitorPrincipal`, like the trust center's access requests.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trustroom.assessments.models import Application, Finding, Severity
from trustroom.audit.services import record_event
from trustroom.disclosure import securitytxt
from trustroom.disclosure.models import (
    DisclosurePolicy,
    DisclosureReport,
    ReportStatus,
    ReportUpdate,
    RewardEntry,
    RewardStatus,
    SecurityTxtHost,
    SeverityGuess,
    Validity,
)
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope, require_org
from trustroom.trustcenter.services.common import VisitorPrincipal, _base_url, _digest, _send_on_commit

VERIFICATION_TTL = timedelta(hours=24)
# Reports: at most this many per window, per client address and per e-mail address (shared cache).
REPORTS_PER_IP = 5
REPORTS_PER_EMAIL = 3
RATE_WINDOW_SECONDS = 3600
MAX_CONTACTS = 10
MAX_LANGUAGES = 20
MAX_HOSTS = 20
MAX_AMOUNT = Decimal("1000000")

_BCP47 = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?"
    r"(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$|^[A-Za-z]{4,8}$"
)
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
SEVERITIES = [s.value for s in Severity if s != Severity.INFO] + [Severity.INFO.value]


# --- The policy --------------------------------------------------------------------------------------


def policy_or_none() -> DisclosurePolicy | None:
    return DisclosurePolicy.objects.select_related("organization").first()


def _clean_contacts(values: Iterable[str]) -> list[str]:
    contacts: list[str] = []
    for raw in values:
        uri = raw.strip()
        if not uri:
            continue
        if uri.lower().startswith("mailto:"):
            try:
                validate_email(uri[7:])
            except ValidationError as error:
                raise ValidationError({"contacts": f"{uri!r} is not a mailto: address."}) from error
            uri = "mailto:" + uri[7:]
        elif uri.lower().startswith("https://"):
            try:
                URLValidator(schemes=["https"])(uri)
            except ValidationError as error:
                raise ValidationError({"contacts": f"{uri!r} is not a valid https: URL."}) from error
        else:
            raise ValidationError(
                {"contacts": f"{uri!r}: a contact must be a mailto: or an https: URI (RFC 9116)."}
            )
        if uri not in contacts:
            contacts.append(uri)
    if not contacts:
        raise ValidationError({"contacts": "Give at least one contact (mailto: or https:)."})
    if len(contacts) > MAX_CONTACTS:
        raise ValidationError({"contacts": f"At most {MAX_CONTACTS} contacts."})
    return contacts


def _clean_languages(values: Iterable[str]) -> list[str]:
    languages: list[str] = []
    for raw in values:
        tag = raw.strip()
        if not tag:
            continue
        if not _BCP47.match(tag):
            raise ValidationError(
                {"preferred_languages": f"{tag!r} is not a BCP 47 language tag (like en, de or pt-BR)."}
            )
        if tag.lower() not in [t.lower() for t in languages]:
            languages.append(tag)
    if len(languages) > MAX_LANGUAGES:
        raise ValidationError({"preferred_languages": f"At most {MAX_LANGUAGES} languages."})
    return languages


def _clean_https(value: str, field: str) -> str:
    value = value.strip()
    if value:
        try:
            URLValidator(schemes=["https"])(value)
        except ValidationError as error:
            raise ValidationError({field: "Enter an https:// URL, or leave it empty."}) from error
    return value


def _clean_hosts(values: Iterable[str], org: Organization) -> list[str]:
    hosts: list[str] = []
    for raw in values:
        host = raw.strip().lower().rstrip(".")
        if not host:
            continue
        if not _HOST.match(host):
            raise ValidationError({"hosts": f"{raw.strip()!r} is not a host name (like www.example.com)."})
        if host not in hosts:
            hosts.append(host)
    if len(hosts) > MAX_HOSTS:
        raise ValidationError({"hosts": f"At most {MAX_HOSTS} host names."})
    taken = SecurityTxtHost.objects.filter(host__in=hosts).exclude(organization=org)
    if taken.exists():
        raise ValidationError({"hosts": f"{taken.first()} is already used by another organization."})
    return hosts


def clean_rewards(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{severity: {"eligible": bool, "amount": "500.00", "currency": "USD"}} for known severities."""
    if not isinstance(table, dict):
        raise ValidationError({"rewards": "Give the reward table as one entry per severity."})
    cleaned: dict[str, dict[str, Any]] = {}
    for severity, row in table.items():
        if severity not in Severity.values:
            raise ValidationError({"rewards": f"{severity!r} is not a severity ({', '.join(SEVERITIES)})."})
        if not isinstance(row, dict):
            raise ValidationError({"rewards": f"{severity}: give eligible, amount and currency."})
        eligible = bool(row.get("eligible"))
        if not eligible:
            cleaned[severity] = {"eligible": False, "amount": "0.00", "currency": ""}
            continue
        try:
            amount = Decimal(str(row.get("amount", ""))).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as error:
            raise ValidationError({"rewards": f"{severity}: the amount is not a number."}) from error
        if not (Decimal(0) < amount <= MAX_AMOUNT):
            raise ValidationError(
                {"rewards": f"{severity}: the amount must be above 0 and at most {MAX_AMOUNT}."}
            )
        currency = str(row.get("currency", "")).strip().upper()
        if not _CURRENCY.match(currency):
            raise ValidationError({"rewards": f"{severity}: the currency must be a 3-letter code like USD."})
        cleaned[severity] = {"eligible": True, "amount": str(amount), "currency": currency}
    return cleaned


@transaction.atomic
def update_policy(
    *,
    actor: Principal,
    published: bool,
    contacts: Iterable[str],
    scope: str = "",
    policy_text: str = "",
    preferred_languages: Iterable[str] = (),
    acknowledgments_url: str = "",
    hiring_url: str = "",
    rewards: dict[str, Any] | None = None,
    expires_at: datetime | None = None,
    hosts: Iterable[str] | None = None,
    openpgp_key_id: str = "",
    now: datetime | None = None,
) -> DisclosurePolicy:
    """Create or change the organization's policy (whole, or not at all). `expires_at` defaults to the
    current one, or now + 1 year - 1 day for a new policy; it must be in the future and under a year."""
    org = require_org()
    existing = DisclosurePolicy.objects.select_for_update().first()
    policies.check(actor, "change" if existing else "add", existing or DisclosurePolicy)
    now = now or timezone.now()
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    cleaners: list[tuple[str, Any]] = [
        ("contacts", lambda: _clean_contacts(contacts)),
        ("preferred_languages", lambda: _clean_languages(preferred_languages)),
        ("acknowledgments_url", lambda: _clean_https(acknowledgments_url, "acknowledgments_url")),
        ("hiring_url", lambda: _clean_https(hiring_url, "hiring_url")),
        (
            "rewards",
            lambda: clean_rewards(rewards if rewards is not None else (existing.rewards if existing else {})),
        ),
    ]
    if hosts is not None:
        cleaners.append(("hosts", lambda: _clean_hosts(hosts, org)))
    for name, clean in cleaners:
        try:
            values[name] = clean()
        except ValidationError as error:
            errors.update(error.message_dict)
    if expires_at is None:
        expires_at = existing.expires_at if existing else now + securitytxt.RENEWED_AHEAD
    elif timezone.is_naive(expires_at):
        errors["expires_at"] = ["Give a date and time with a time zone (UTC)."]
    if "expires_at" not in errors:
        if expires_at <= now:
            errors["expires_at"] = ["The expiry must be in the future."]
        elif expires_at - now > securitytxt.MAX_AHEAD:
            errors["expires_at"] = ["The expiry must be less than a year ahead (RFC 9116)."]
    if len(scope) > 20000 or len(policy_text) > 20000:
        errors["policy_text"] = ["Keep the scope and the rules under 20,000 characters each."]
    if openpgp_key_id and not re.fullmatch(r"[0-9A-Fa-fx]{8,64}", openpgp_key_id.strip()):
        errors["openpgp_key_id"] = ["Give the key id or fingerprint in hexadecimal."]
    if errors:
        raise ValidationError(errors)
    new_hosts = values.pop("hosts", None)
    policy = existing or DisclosurePolicy(organization=org)
    before = _policy_snapshot(policy) if existing else {}
    policy.published = bool(published)
    policy.scope = scope.strip()
    policy.policy_text = policy_text.strip()
    policy.expires_at = expires_at
    policy.openpgp_key_id = openpgp_key_id.strip()
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    if new_hosts is not None:
        SecurityTxtHost.objects.filter(organization=org).exclude(host__in=new_hosts).delete()
        for host in new_hosts:
            SecurityTxtHost.objects.get_or_create(host=host, organization=org)
    after = _policy_snapshot(policy)
    changes = {k: v for k, v in after.items() if before.get(k) != v}
    record_event(
        actor=actor,
        action="disclosure.policy_create" if not existing else "disclosure.policy_update",
        target=policy,
        changes=changes,
    )
    _invalidate_trust_center(org.pk)
    return policy


def _policy_snapshot(policy: DisclosurePolicy) -> dict[str, Any]:
    hosts = (
        sorted(
            SecurityTxtHost.objects.filter(organization_id=policy.organization_id).values_list(
                "host", flat=True
            )
        )
        if policy.organization_id
        else []
    )
    return {
        "published": policy.published,
        "contacts": list(policy.contacts),
        "preferred_languages": list(policy.preferred_languages),
        "acknowledgments_url": policy.acknowledgments_url,
        "hiring_url": policy.hiring_url,
        "rewards": dict(policy.rewards),
        "expires_at": policy.expires_at.isoformat() if policy.expires_at else None,
        "hosts": hosts,
        "openpgp_key_id": policy.openpgp_key_id,
        "scope_chars": len(policy.scope),
        "policy_text_chars": len(policy.policy_text),
    }


def _invalidate_trust_center(organization_id: int) -> None:
    """The trust center's overview links security.txt when a published policy exists."""
    from trustroom.trustcenter.cache import invalidate_trust_center

    transaction.on_commit(lambda: invalidate_trust_center(organization_id), robust=True)


def hosts_of(organization: Organization) -> list[str]:
    return list(SecurityTxtHost.objects.filter(organization=organization).values_list("host", flat=True))


def organization_for_host(host: str) -> Organization | None:
    name = host.strip().lower().rstrip(".")
    if name.startswith("["):
        return None
    name = name.rsplit(":", 1)[0] if ":" in name else name
    entry = SecurityTxtHost.objects.filter(host=name).select_related("organization").first()
    return entry.organization if entry is not None else None


@dataclass(frozen=True)
class RenewalRun:
    organizations: int
    renewed: int


def renew_security_txt(
    *, now: datetime | None = None, organization: Organization | None = None
) -> RenewalRun:
    """The daily job: a policy whose expiry falls within 30 days (or has passed) gets now + 1 year - 1 day.
    Idempotent: run again, the expiry is far off and nothing changes."""
    now = now or timezone.now()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    renewed = 0
    for org in organizations:
        with org_scope(org):
            if _renew_one(org, now):
                renewed += 1
    return RenewalRun(organizations=len(organizations), renewed=renewed)


@transaction.atomic
def _renew_one(org: Organization, now: datetime) -> bool:
    policy = DisclosurePolicy.objects.select_for_update().first()
    if policy is None or policy.expires_at - now > securitytxt.RENEW_WITHIN:
        return False
    old = policy.expires_at
    policy.expires_at = now + securitytxt.RENEWED_AHEAD
    policy.save(update_fields=["expires_at", "updated_at"])
    record_event(
        actor=system_principal(org),
        action="disclosure.security_txt_renewed",
        target=policy,
        changes={"expires_at": [old.isoformat(), policy.expires_at.isoformat()]},
    )
    return True


# --- Report intake -----------------------------------------------------------------------------------

LIMITS = {"reporter_name": 200, "title": 200, "affected_asset": 500, "description": 20000, "steps": 20000}


def throttle_report(*, ip: str | None, email: str) -> None:
    """Count one submission against the client address and the e-mail address (shared cache); refuse
    beyond the limits. Counted before validation, so probing costs as much as reporting."""
    org = require_org()
    checks = [(f"disc:report:email:{org.pk}:{_digest(email.strip().lower())}", REPORTS_PER_EMAIL)]
    if ip:
        checks.append((f"disc:report:ip:{org.pk}:{_digest(ip)}", REPORTS_PER_IP))
    for key, limit in checks:
        cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
            count = 1
        if count > limit:
            message = "Too many reports from here; please try again in an hour."
            raise ValidationError({"email": ValidationError(message, code="throttled")})


def published_policy() -> DisclosurePolicy | None:
    policy = policy_or_none()
    return policy if policy is not None and policy.published else None


@transaction.atomic
def submit_report(
    *,
    name: str,
    email: str,
    title: str,
    description: str,
    affected_asset: str = "",
    steps: str = "",
    severity_guess: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> tuple[DisclosureReport, str]:
    """A researcher reports. The report is held (UNVERIFIED) until they open the e-mailed link; returns
    it and the link's secret (mailed, never stored: only its digest is)."""
    org = require_org()
    if published_policy() is None:
        raise PermissionDenied("This organization does not take reports here.")
    fields = {
        "reporter_name": name.strip(),
        "title": title.strip(),
        "description": description.strip(),
        "affected_asset": affected_asset.strip(),
        "steps": steps.strip(),
    }
    errors: dict[str, str] = {}
    for field, required in (("reporter_name", True), ("title", True), ("description", True)):
        if required and not fields[field]:
            errors[field if field != "reporter_name" else "name"] = "This field is required."
    for field, limit in LIMITS.items():
        if len(fields[field]) > limit:
            errors[field if field != "reporter_name" else "name"] = f"Keep it under {limit:,} characters."
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter a valid e-mail address."
    if severity_guess not in SeverityGuess.values:
        errors["severity_guess"] = "Choose one of the listed severities."
    if errors:
        raise ValidationError(errors)
    secret = secrets.token_urlsafe(32)
    report = DisclosureReport.objects.create(
        organization=org,
        reporter_email=email,
        severity_guess=severity_guess,
        verification_digest=_digest(secret),
        verification_expires_at=timezone.now() + VERIFICATION_TTL,
        ip=ip or None,
        user_agent=user_agent[:400],
        **fields,
    )
    visitor = VisitorPrincipal(org, name=report.reporter_name, email=email)
    record_event(actor=visitor, action="disclosure.report_submitted", target=report, changes={"email": email})
    link = _base_url() + reverse("disclosure-public:verify", kwargs={"org_slug": org.slug, "secret": secret})
    _send_on_commit(
        subject=f"Confirm your e-mail to send your report to {org.name}",
        template="disclosure/email/verify.txt",
        context={"organization": org, "report": report, "link": link, "ttl_hours": 24},
        to=[email],
    )
    return report, secret


class LinkRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def find_report_by_secret(secret: str) -> DisclosureReport | None:
    return DisclosureReport.objects.filter(verification_digest=_digest(secret)).first()


def _status_key() -> bytes:
    return hashlib.sha256(b"trustroom.disclosure.status:" + settings.SECRET_KEY.encode()).digest()


def status_token(report: DisclosureReport) -> str:
    """The private status link's token: HMAC(server key, the report's random salt). The database holds
    the salt and the token's digest, never the token, so a copy of the database opens no status page."""
    return hmac.new(_status_key(), report.status_salt.encode(), hashlib.sha256).hexdigest()


def status_link(report: DisclosureReport) -> str:
    org = require_org()
    return _base_url() + reverse(
        "disclosure-public:status", kwargs={"org_slug": org.slug, "token": status_token(report)}
    )


def find_report_by_status_token(token: str) -> DisclosureReport | None:
    if not token:
        return None
    report = DisclosureReport.objects.filter(status_digest=_digest(token)).exclude(status_digest="").first()
    if report is None or not hmac.compare_digest(status_token(report), token):
        return None
    return report


@transaction.atomic
def verify_report(*, secret: str) -> DisclosureReport:
    """The researcher opened the verification link: the report enters triage and they get the status
    link by e-mail. Opening it again does nothing more."""
    org = require_org()
    found = find_report_by_secret(secret)
    if found is None:
        raise LinkRefused("invalid")
    report = DisclosureReport.objects.select_for_update().get(pk=found.pk)
    if report.email_verified_at is not None:
        return report
    if report.verification_expires_at <= timezone.now():
        raise LinkRefused("expired")
    report.email_verified_at = timezone.now()
    report.status = ReportStatus.NEW
    report.status_salt = secrets.token_urlsafe(32)
    report.status_digest = _digest(status_token(report))
    report.save(update_fields=["email_verified_at", "status", "status_salt", "status_digest", "updated_at"])
    visitor = VisitorPrincipal(org, name=report.reporter_name, email=report.reporter_email)
    record_event(actor=visitor, action="disclosure.report_verified", target=report, changes={})
    _send_on_commit(
        subject=f"{org.name} received your report #{report.pk}",
        template="disclosure/email/received.txt",
        context={"organization": org, "report": report, "link": status_link(report)},
        to=[report.reporter_email],
    )
    _notify_triagers(org, report)
    return report


def _notify_triagers(org: Organization, report: DisclosureReport) -> None:
    from trustroom.notifications.services import notify
    from trustroom.tenancy.models import Membership, Role

    triagers = [
        m.user
        for m in Membership.objects.filter(
            organization=org, role__in=[Role.OWNER, Role.ADMIN, Role.EDITOR]
        ).select_related("user")
    ]
    notify(
        actor=system_principal(org),
        recipients=triagers,
        key=f"disclosure.report.{report.pk}",
        subject=f"New vulnerability report #{report.pk}",
        body="A researcher confirmed a report; it waits for triage.",
        url=reverse("disclosure:report", kwargs={"org_slug": org.slug, "pk": report.pk}),
    )


# --- Triage ------------------------------------------------------------------------------------------

STATUS_ORDER = [s.value for s in ReportStatus if s != ReportStatus.UNVERIFIED]


def _require_verified(report: DisclosureReport) -> None:
    if report.status == ReportStatus.UNVERIFIED:
        raise ValidationError({"status": "The researcher has not confirmed this report yet."})


@transaction.atomic
def triage_report(
    *,
    actor: Principal,
    report: DisclosureReport,
    validity: str,
    severity: str = "",
    duplicate_of: DisclosureReport | None = None,
) -> DisclosureReport:
    """Record validity (valid / invalid / duplicate of another report / out of scope) and severity."""
    policies.check(actor, "change", report)
    report = DisclosureReport.objects.select_for_update().get(pk=report.pk)
    _require_verified(report)
    errors: dict[str, str] = {}
    if validity not in Validity.values or not validity:
        errors["validity"] = "Choose valid, invalid, duplicate or out of scope."
    if validity == Validity.VALID and severity not in Severity.values:
        errors["severity"] = "A valid report needs a severity."
    if severity and severity not in Severity.values:
        errors["severity"] = "Choose one of the listed severities."
    if validity == Validity.DUPLICATE:
        if duplicate_of is None:
            errors["duplicate_of"] = "Name the report this one duplicates."
        elif duplicate_of.pk == report.pk:
            errors["duplicate_of"] = "A report cannot duplicate itself."
        elif duplicate_of.organization_id != report.organization_id:
            errors["duplicate_of"] = "Choose one of your reports."
    if errors:
        raise ValidationError(errors)
    old = {"validity": report.validity, "severity": report.severity, "status": report.status}
    report.validity = validity
    report.severity = severity if validity == Validity.VALID else (severity or "")
    report.duplicate_of = duplicate_of if validity == Validity.DUPLICATE else None
    report.triaged_at = report.triaged_at or timezone.now()
    if report.status == ReportStatus.NEW:
        report.status = ReportStatus.TRIAGED
    report.save()
    record_event(
        actor=actor,
        action="disclosure.report_triaged",
        target=report,
        changes={
            "validity": [old["validity"], report.validity],
            "severity": [old["severity"], report.severity],
            "status": [old["status"], report.status],
            "duplicate_of": report.duplicate_of_id,
        },
    )
    return report


@transaction.atomic
def set_report_status(*, actor: Principal, report: DisclosureReport, status: str) -> DisclosureReport:
    policies.check(actor, "change", report)
    report = DisclosureReport.objects.select_for_update().get(pk=report.pk)
    _require_verified(report)
    if status not in STATUS_ORDER:
        raise ValidationError({"status": "Choose new, triaged, in progress, fixed or closed."})
    if status != ReportStatus.NEW and not report.validity:
        raise ValidationError({"status": "Triage the report (validity) before moving it on."})
    old = report.status
    if old == status:
        return report
    report.status = status
    report.save(update_fields=["status", "updated_at"])
    record_event(
        actor=actor, action="disclosure.report_status", target=report, changes={"status": [old, status]}
    )
    return report


@transaction.atomic
def add_update(*, actor: Principal, report: DisclosureReport, body: str, public: bool) -> ReportUpdate:
    """A public update (shown on the status page and e-mailed with the status link) or an internal note."""
    policies.check(actor, "add", ReportUpdate)
    _require_verified(report)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the update."})
    if len(body) > 10000:
        raise ValidationError({"body": "Keep it under 10,000 characters."})
    update = ReportUpdate.objects.create(
        organization=require_org(), report=report, public=public, body=body, author=actor.user
    )
    record_event(
        actor=actor,
        action="disclosure.public_update" if public else "disclosure.internal_note",
        target=report,
        changes={"update": update.pk, "chars": len(body)},
    )
    if public:
        org = require_org()
        _send_on_commit(
            subject=f"Update on your report #{report.pk} to {org.name}",
            template="disclosure/email/update.txt",
            context={"organization": org, "report": report, "update": update, "link": status_link(report)},
            to=[report.reporter_email],
        )
    return update


@transaction.atomic
def link_finding(
    *,
    actor: Principal,
    report: DisclosureReport,
    application: Application | None = None,
    finding: Finding | None = None,
) -> Finding:
    """Link the report to a finding: an existing one, or a new one created through the assessments
    service (so the SLA in force applies, its clock started when the researcher confirmed the report)."""
    from trustroom.assessments.services import create_finding

    policies.check(actor, "change", report)
    report = DisclosureReport.objects.select_for_update().get(pk=report.pk)
    if report.validity != Validity.VALID or not report.severity:
        raise ValidationError({"finding": "Only a report triaged valid, with a severity, becomes a finding."})
    if report.finding_id is not None:
        raise ValidationError({"finding": "This report is already linked to a finding."})
    if finding is None:
        if application is None:
            raise ValidationError({"application": "Choose the application the finding belongs to."})
        finding = create_finding(
            actor=actor,
            application=application,
            title=report.title[:500],
            severity=report.severity,
            detected_at=report.email_verified_at or report.created_at,
            description=report.description,
            asset=report.affected_asset[:500],
            evidence=report.steps,
        )
    elif finding.organization_id != report.organization_id:
        raise ValidationError({"finding": "Choose one of your findings."})
    report.finding = finding
    if report.status in (ReportStatus.NEW, ReportStatus.TRIAGED):
        report.status = ReportStatus.IN_PROGRESS
    report.save(update_fields=["finding", "status", "updated_at"])
    record_event(
        actor=actor, action="disclosure.finding_linked", target=report, changes={"finding": finding.pk}
    )
    return finding


# --- Rewards -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    amount: Decimal | None = None
    currency: str = ""


def reward_eligibility(report: DisclosureReport) -> Eligibility:
    """From the policy's reward table and the triaged severity (a valid report only)."""
    if report.validity != Validity.VALID:
        return Eligibility(False, "Only valid reports earn a reward.")
    policy = policy_or_none()
    row = (policy.rewards if policy else {}).get(report.severity)
    if not report.severity or not row or not row.get("eligible"):
        return Eligibility(False, f"The reward table pays nothing for {report.severity or 'this'} severity.")
    return Eligibility(True, "", Decimal(row["amount"]), row["currency"])


@transaction.atomic
def propose_reward(
    *,
    actor: Principal,
    report: DisclosureReport,
    amount: Decimal | str | None = None,
    currency: str = "",
    note: str = "",
) -> RewardEntry:
    """A reward line (proposed). Refused when the policy's table makes the report ineligible; the amount
    defaults to the table's, and may be set lower or higher by whoever proposes (the approver decides)."""
    policies.check(actor, "add", RewardEntry)
    report = DisclosureReport.objects.select_for_update().get(pk=report.pk)
    eligibility = reward_eligibility(report)
    if not eligibility.eligible:
        raise ValidationError({"amount": eligibility.reason})
    if report.rewards.exclude(status=RewardStatus.PROPOSED).exists() or report.rewards.exists():
        raise ValidationError({"amount": "This report already has a reward entry."})
    try:
        value = (
            Decimal(str(amount)).quantize(Decimal("0.01")) if amount not in (None, "") else eligibility.amount
        )
    except InvalidOperation as error:
        raise ValidationError({"amount": "The amount is not a number."}) from error
    if value is None or not (Decimal(0) < value <= MAX_AMOUNT):
        raise ValidationError({"amount": f"The amount must be above 0 and at most {MAX_AMOUNT}."})
    currency = (currency or eligibility.currency).strip().upper()
    if not _CURRENCY.match(currency):
        raise ValidationError({"currency": "Use a 3-letter currency code like USD."})
    entry = RewardEntry.objects.create(
        organization=require_org(),
        report=report,
        severity=report.severity,
        amount=value,
        currency=currency,
        note=note.strip()[:500],
        created_by=actor.user,
    )
    record_event(
        actor=actor,
        action="disclosure.reward_proposed",
        target=entry,
        changes={
            "report": report.pk,
            "amount": str(value),
            "currency": currency,
            "severity": report.severity,
        },
    )
    return entry


_NEXT = {RewardStatus.PROPOSED: RewardStatus.APPROVED, RewardStatus.APPROVED: RewardStatus.PAID}


@transaction.atomic
def set_reward_status(*, actor: Principal, entry: RewardEntry, status: str) -> RewardEntry:
    """Proposed → approved → paid (managers), one step at a time."""
    policies.check(actor, "change", entry)
    entry = RewardEntry.objects.select_for_update().get(pk=entry.pk)
    if _NEXT.get(RewardStatus(entry.status)) != status:
        raise ValidationError(
            {"status": f"A {entry.get_status_display().lower()} reward cannot become {status}."}
        )
    old = entry.status
    entry.status = status
    entry.save(update_fields=["status", "updated_at"])
    record_event(
        actor=actor, action="disclosure.reward_status", target=entry, changes={"status": [old, status]}
    )
    return entry
