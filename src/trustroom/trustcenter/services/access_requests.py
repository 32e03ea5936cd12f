"""Writes of the trust center's gated-document flow, and the one place a download is authorized.

Members act through `Principal`s checked by the models' policies. Visitors are not members: their steps
are authorized by what they hold (the verification link, the access link, the signed download link) and
recorded in the audit log under a `VisitorPrincipal`, which names the person and holds no role.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.models import Membership, Organization, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.trustcenter import selectors
from trustroom.trustcenter.models import (
    AccessGrant,
    AccessGrantDocument,
    AccessRequest,
    AccessRequestDocument,
    ConfidentialityTerms,
    CustomerAccount,
    CustomerAccountDocument,
    CustomerContact,
    DownloadEvent,
    RequestStatus,
    TermsAcceptance,
    TrustCenterSettings,
)
from trustroom.vault.models import Document

VERIFICATION_TTL = timedelta(hours=24)
DOWNLOAD_LINK_SECONDS = 300  # a download link works for five minutes
DOWNLOAD_SALT = "trustroom.trustcenter.download"
MAX_GRANT_DAYS = 366
# Access requests: at most this many per window, per client address and per e-mail address.
REQUESTS_PER_IP = 10
REQUESTS_PER_EMAIL = 3
RATE_WINDOW_SECONDS = 3600
VISITOR_ROLE = "visitor"  # not a membership role: no policy grants it anything

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class VisitorPrincipal(Principal):
    """An external person acting on the trust center (requesting, accepting terms, downloading).

    They are not a member and hold no role: audit events name them by e-mail, services authorize them
    by the grant (or customer account) they hold.
    """

    def __init__(self, organization: Organization, *, name: str, email: str, user: Any = None) -> None:
        super().__init__(organization=organization, role=VISITOR_ROLE, user=user)
        object.__setattr__(self, "visitor_name", name)
        object.__setattr__(self, "visitor_email", email)

    @property
    def label(self) -> str:
        return f"Visitor {self.visitor_name} <{self.visitor_email}>"  # type: ignore[attr-defined]

    @property
    def is_member(self) -> bool:
        return False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _base_url() -> str:
    return str(settings.TRUSTROOM_BASE_URL).rstrip("/")


def _send_on_commit(*, subject: str, template: str, context: dict[str, Any], to: list[str]) -> None:
    """Mail once the transaction commits: nothing is sent for a change that was rolled back."""
    body = render_to_string(template, context)
    recipients = [address for address in to if address]
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients), robust=True)


# --- Settings and terms ------------------------------------------------------------------------------


def _clean_domains(values: Iterable[str], field: str) -> list[str]:
    domains: list[str] = []
    for raw in values:
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN_RE.match(domain):
            raise ValidationError({field: f"{raw.strip()!r} is not an e-mail domain (like example.com)."})
        if domain not in domains:
            domains.append(domain)
    return domains


SETTINGS_FIELDS = (
    "published",
    "intro",
    "default_grant_days",
    "auto_approve_domains",
    "refused_email_domains",
)


@transaction.atomic
def update_settings(*, actor: Principal, **changes: Any) -> TrustCenterSettings:
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown trust center settings: {', '.join(sorted(unknown))}")
    current = TrustCenterSettings.objects.select_for_update().first()
    policies.check(actor, "change" if current is not None else "add", current or TrustCenterSettings)
    obj = current or TrustCenterSettings()
    for field in ("auto_approve_domains", "refused_email_domains"):
        if field in changes:
            changes[field] = _clean_domains(changes[field], field)
    if "default_grant_days" in changes:
        days = changes["default_grant_days"]
        if not isinstance(days, int) or not 1 <= days <= MAX_GRANT_DAYS:
            raise ValidationError({"default_grant_days": f"Use a number of days from 1 to {MAX_GRANT_DAYS}."})
    before = {field: getattr(obj, field) for field in changes}
    for field, value in changes.items():
        setattr(obj, field, value)
    obj.full_clean(exclude=["organization"])
    obj.save()
    diff = {f: [before[f], getattr(obj, f)] for f in changes if before[f] != getattr(obj, f)}
    if diff or current is None:
        record_event(actor=actor, action="trustcenter.settings_updated", target=obj, changes=diff)
        from trustroom.trustcenter.cache import invalidate_trust_center

        invalidate_trust_center(obj.organization_id)
    return obj


@transaction.atomic
def publish_terms(
    *, actor: Principal, body: str, title: str = "Confidentiality terms"
) -> ConfidentialityTerms:
    """Publish a new version of the terms; every grant must accept it before its next download."""
    policies.check(actor, "add", ConfidentialityTerms)
    body, title = body.strip(), title.strip() or "Confidentiality terms"
    if not body:
        raise ValidationError({"body": "The terms need a text."})
    latest = ConfidentialityTerms.objects.select_for_update().order_by("-version").first()
    if latest is not None and latest.body == body and latest.title == title:
        raise ValidationError({"body": "This is the current version already; change the text to publish."})
    terms = ConfidentialityTerms(
        version=(latest.version + 1) if latest is not None else 1,
        title=title,
        body=body,
        published_by=actor.user if actor.is_member else None,
    )
    terms.full_clean(exclude=["organization"])
    terms.save()
    record_event(
        actor=actor,
        action="trustcenter.terms_published",
        target=terms,
        changes={"version": terms.version, "title": title},
    )
    return terms


# --- Access requests -------------------------------------------------------------------------------


def throttle_access_request(*, ip: str | None, email: str) -> None:
    """Count one request against the client address and the e-mail address (shared cache); refuse
    beyond the limits. Counting happens before validation, so probing costs as much as asking."""
    org = require_org()
    checks = [(f"tc:req:email:{org.pk}:{_digest(email.strip().lower())}", REQUESTS_PER_EMAIL)]
    if ip:
        checks.append((f"tc:req:ip:{org.pk}:{_digest(ip)}", REQUESTS_PER_IP))
    for key, limit in checks:
        cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
            count = 1
        if count > limit:
            message = "Too many access requests from here; please try again in an hour."
            raise ValidationError({"email": ValidationError(message, code="throttled")})


def _check_work_email(email: str, config: TrustCenterSettings) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from error
    domain = selectors.domain_of(email)
    refused = {d.lower() for d in config.refused_email_domains}
    if domain in refused:
        raise ValidationError(
            {"email": f"Use your work e-mail address; {domain} addresses are not accepted."}
        )
    return email


@transaction.atomic
def submit_access_request(
    *,
    name: str,
    email: str,
    company: str,
    reason: str = "",
    document_ids: Iterable[int] | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> tuple[AccessRequest, str]:
    """A visitor asks for gated documents. Returns the request and the verification link's secret
    (mailed, never stored)."""
    org = require_org()
    config = selectors.trust_center_settings()
    if not config.published:
        raise PermissionDenied("This trust center is not published.")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter your name."
    if not company.strip():
        errors["company"] = "Enter your company."
    if errors:
        raise ValidationError(errors)
    email = _check_work_email(email, config)
    offered = {item.document.pk for item in selectors.gated_items()}
    wanted = set(document_ids or [])
    if wanted - offered:
        raise ValidationError({"documents": "Choose among the documents this trust center offers."})
    secret = secrets.token_urlsafe(32)
    access_request = AccessRequest(
        name=name.strip(),
        email=email,
        company=company.strip(),
        reason=reason.strip(),
        all_gated_documents=not wanted,
        verification_digest=_digest(secret),
        verification_expires_at=timezone.now() + VERIFICATION_TTL,
        ip=ip or None,
        user_agent=user_agent[:400],
    )
    access_request.full_clean(exclude=["organization"])
    access_request.save()
    for document_id in sorted(wanted):
        AccessRequestDocument.objects.create(request=access_request, document_id=document_id)
    visitor = VisitorPrincipal(org, name=access_request.name, email=email)
    record_event(
        actor=visitor,
        action="trustcenter.access_requested",
        target=access_request,
        changes={"email": email, "company": access_request.company, "documents": sorted(wanted) or "all"},
    )
    link = _base_url() + reverse("trust:verify-email", kwargs={"org_slug": org.slug, "secret": secret})
    _send_on_commit(
        subject=f"Confirm your e-mail to request documents from {org.name}",
        template="trustcenter/email/verify.txt",
        context={"organization": org, "access_request": access_request, "link": link, "ttl_hours": 24},
        to=[email],
    )
    return access_request, secret


def find_request_by_secret(secret: str) -> AccessRequest | None:
    return AccessRequest.objects.filter(verification_digest=_digest(secret)).first()


class LinkRefused(Exception):
    """A link that does not open anything: tampered, expired, revoked or for another organization.
    Views answer 403 with a page that says which of these, in words a visitor understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def grant_refusal(grant: AccessGrant, now: datetime | None = None) -> str:
    """Why a grant opens nothing now: "revoked" or "access-expired" (for the 403 page)."""
    return "revoked" if grant.status(now) == "revoked" else "access-expired"


@dataclass(frozen=True)
class VerificationOutcome:
    access_request: AccessRequest
    grant: AccessGrant | None
    access_secret: str | None


@transaction.atomic
def verify_access_request(*, secret: str) -> VerificationOutcome:
    """The visitor opened the verification link: their e-mail is verified; an auto-approve rule (the
    organization's domains, or a customer account's) grants access at once, else it waits for review."""
    org = require_org()
    found = find_request_by_secret(secret)
    if found is None:
        raise LinkRefused("invalid")
    access_request = AccessRequest.objects.select_for_update().get(pk=found.pk)
    if access_request.email_verified_at is not None:
        return VerificationOutcome(access_request, None, None)  # opened twice: nothing more to do
    if access_request.verification_expires_at <= timezone.now():
        raise LinkRefused("expired")
    access_request.email_verified_at = timezone.now()
    access_request.status = RequestStatus.PENDING
    access_request.save(update_fields=["email_verified_at", "status"])
    visitor = VisitorPrincipal(org, name=access_request.name, email=access_request.email)
    record_event(
        actor=visitor,
        action="trustcenter.access_request_verified",
        target=access_request,
        changes={"email": access_request.email},
    )
    config = selectors.trust_center_settings()
    domain = selectors.domain_of(access_request.email)
    account = selectors.customer_account_for_domain(domain)
    rule = ""
    if domain in {d.lower() for d in config.auto_approve_domains}:
        rule = f"auto-approve domain {domain}"
    elif account is not None:
        rule = f"customer account {account.name}"
    if rule:
        grant, access_secret = _approve(
            actor=visitor,
            access_request=access_request,
            days=config.default_grant_days,
            decided_by=None,
            rule=rule,
            account=account,
        )
        return VerificationOutcome(access_request, grant, access_secret)
    _notify_reviewers(org, access_request)
    return VerificationOutcome(access_request, None, None)


def _notify_reviewers(org: Organization, access_request: AccessRequest) -> None:
    """Tell the people who decide (owners, admins, editors) in the app and by e-mail, once per request."""
    from trustroom.notifications.services import notify
    from trustroom.tenancy.principal import system_principal

    reviewers = [
        membership.user
        for membership in Membership.objects.filter(
            organization=org, role__in=[Role.OWNER, Role.ADMIN, Role.EDITOR]
        ).select_related("user")
    ]
    body = render_to_string(
        "trustcenter/email/review.txt", {"organization": org, "access_request": access_request}
    )
    notify(
        actor=system_principal(org),
        recipients=reviewers,
        key=f"trustcenter.access-request.{access_request.pk}",
        subject=f"Access request from {access_request.name} ({access_request.company})",
        body=body.strip(),
        url=reverse("trustcenter:requests", kwargs={"org_slug": org.slug}),
    )


def _approve(
    *,
    actor: Principal,
    access_request: AccessRequest,
    days: int,
    decided_by: Any,
    rule: str,
    account: CustomerAccount | None,
) -> tuple[AccessGrant, str]:
    org = require_org()
    now = timezone.now()
    access_request.status = RequestStatus.APPROVED
    access_request.decided_at = now
    access_request.decided_by = decided_by
    access_request.auto_approved_by = rule
    access_request.save(update_fields=["status", "decided_at", "decided_by", "auto_approved_by"])
    secret = secrets.token_urlsafe(32)
    if account is not None:  # a customer account's contact sees what the account may see
        all_documents = account.all_gated_documents
        document_ids = set(account.document_links.values_list("document_id", flat=True))
    else:
        all_documents = access_request.all_gated_documents
        document_ids = set(access_request.document_links.values_list("document_id", flat=True))
    grant = AccessGrant(
        request=access_request,
        customer_account=account,
        name=access_request.name,
        email=access_request.email,
        company=access_request.company,
        all_gated_documents=all_documents,
        access_digest=_digest(secret),
        created_by=decided_by,
        expires_at=now + timedelta(days=days),
    )
    grant.full_clean(exclude=["organization", "request"])
    grant.save()
    for document_id in sorted(document_ids):
        AccessGrantDocument.objects.create(grant=grant, document_id=document_id)
    record_event(
        actor=actor,
        action="trustcenter.access_approved",
        target=access_request,
        changes={
            "email": access_request.email,
            "grant": grant.pk,
            "expires_at": grant.expires_at,
            "rule": rule or "reviewed",
        },
    )
    _send_access_link(org, grant, secret)
    return grant, secret


def _send_access_link(org: Organization, grant: AccessGrant, secret: str) -> None:
    link = _base_url() + reverse("trust:access", kwargs={"org_slug": org.slug, "secret": secret})
    _send_on_commit(
        subject=f"Your access to {org.name}'s security documents",
        template="trustcenter/email/granted.txt",
        context={"organization": org, "grant": grant, "link": link},
        to=[grant.email],
    )


@transaction.atomic
def resend_access_link(*, actor: Principal, grant: AccessGrant) -> tuple[AccessGrant, str]:
    """E-mail the holder a new access link (for a lost e-mail); the previous link stops working."""
    policies.check(actor, "change", grant)
    locked = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if not locked.is_active():
        raise ValidationError(f"This grant is {locked.status()}; approve a new request instead.")
    secret = secrets.token_urlsafe(32)
    locked.access_digest = _digest(secret)
    locked.save(update_fields=["access_digest"])
    record_event(
        actor=actor, action="trustcenter.access_link_reissued", target=locked, changes={"email": locked.email}
    )
    _send_access_link(require_org(), locked, secret)
    return locked, secret


def _decidable(access_request: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if locked.status == RequestStatus.UNVERIFIED:
        raise ValidationError("The requester has not verified their e-mail address yet.")
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(f"This request was already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def approve_access_request(
    *, actor: Principal, access_request: AccessRequest, days: int | None = None
) -> tuple[AccessGrant, str]:
    """Approve a verified request: a grant for `days` (default: the settings'), e-mailed access link."""
    policies.check(actor, "change", access_request)
    policies.check(actor, "add", AccessGrant)
    days = days if days is not None else selectors.trust_center_settings().default_grant_days
    if not 1 <= days <= MAX_GRANT_DAYS:
        raise ValidationError({"days": f"Use a number of days from 1 to {MAX_GRANT_DAYS}."})
    locked = _decidable(access_request)
    return _approve(
        actor=actor,
        access_request=locked,
        days=days,
        decided_by=actor.user if actor.is_member else None,
        rule="",
        account=None,
    )


@transaction.atomic
def deny_access_request(*, actor: Principal, access_request: AccessRequest, note: str = "") -> AccessRequest:
    policies.check(actor, "change", access_request)
    locked = _decidable(access_request)
    locked.status = RequestStatus.DENIED
    locked.decided_at = timezone.now()
    locked.decided_by = actor.user if actor.is_member else None
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    record_event(
        actor=actor, action="trustcenter.access_denied", target=locked, changes={"email": locked.email}
    )
    org = require_org()
    _send_on_commit(
        subject=f"Your request for {org.name}'s security documents",
        template="trustcenter/email/denied.txt",
        context={"organization": org, "access_request": locked},
        to=[locked.email],
    )
    return locked


@transaction.atomic
def revoke_grant(*, actor: Principal, grant: AccessGrant) -> AccessGrant:
    """Revoke at once: the access link, the visitor's session and every download link stop working."""
    policies.check(actor, "delete", grant)
    locked = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.revoked_at is not None:
        raise ValidationError("This grant is already revoked.")
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor.user if actor.is_member else None
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=actor,
        action="trustcenter.grant_revoked",
        target=locked,
        changes={
            "email": locked.email,
            "was": "expired" if locked.expires_at <= locked.revoked_at else "active",
        },
    )
    return locked


def find_grant_by_secret(secret: str) -> AccessGrant | None:
    return AccessGrant.objects.filter(access_digest=_digest(secret)).first()


# --- Terms acceptance ------------------------------------------------------------------------------


@transaction.atomic
def accept_terms(
    *,
    terms: ConfidentialityTerms,
    grant: AccessGrant | None = None,
    contact: CustomerContact | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> TermsAcceptance:
    """Record that the grant's holder (or a customer contact) accepted this version of the terms."""
    org = require_org()
    if (grant is None) == (contact is None):
        raise TypeError("accept_terms needs a grant or a contact")
    current = selectors.current_terms()
    if current is None or current.pk != terms.pk:
        raise ValidationError("These terms have been replaced by a newer version; read and accept that one.")
    if grant is not None and not grant.is_active():
        raise PermissionDenied(f"This access is {grant.status()}.")
    name = grant.name if grant is not None else (contact.name or contact.email)  # type: ignore[union-attr]
    email = grant.email if grant is not None else contact.email  # type: ignore[union-attr]
    acceptance = TermsAcceptance(
        terms=terms,
        grant=grant,
        contact=contact,
        name=name,
        email=email,
        ip=ip or None,
        user_agent=user_agent[:400],
    )
    acceptance.save()
    record_event(
        actor=VisitorPrincipal(org, name=name, email=email),
        action="trustcenter.terms_accepted",
        target=acceptance,
        changes={
            "terms_version": terms.version,
            "grant": getattr(grant, "pk", None),
            "contact": getattr(contact, "pk", None),
        },
    )
    return acceptance


# --- Downloads: signed links, and the one check every download passes ------------------------------


def download_token(*, document: Document, acceptance: TermsAcceptance) -> str:
    """A link token for one document, bound to the grant (or contact), the acceptance and the
    organization; signed and timestamped, valid DOWNLOAD_LINK_SECONDS."""
    payload = {
        "o": acceptance.organization_id,
        "g": acceptance.grant_id,
        "c": acceptance.contact_id,
        "d": document.pk,
        "a": acceptance.pk,
    }
    return signing.dumps(payload, salt=DOWNLOAD_SALT)


@dataclass(frozen=True)
class AuthorizedDownload:
    document: Document
    title: str
    acceptance: TermsAcceptance
    grant: AccessGrant | None
    contact: CustomerContact | None
    name: str
    email: str


def authorize_download(*, token: str, user: Any = None, now: datetime | None = None) -> AuthorizedDownload:
    """Everything a download must satisfy, checked in one place, failing closed (LinkRefused):
    the signature is valid and younger than DOWNLOAD_LINK_SECONDS; it was made for this organization;
    the grant is active (not expired, not revoked) — or the signed-in person is still the customer
    contact; the acceptance it carries is theirs and of the CURRENT terms; the document is still offered
    (gated or public, not private) and within the grant's (or account's) documents."""
    org = require_org()
    try:
        payload = signing.loads(token, salt=DOWNLOAD_SALT, max_age=DOWNLOAD_LINK_SECONDS)
    except signing.SignatureExpired as error:
        raise LinkRefused("expired") from error
    except signing.BadSignature as error:
        raise LinkRefused("invalid") from error
    if not isinstance(payload, dict) or payload.get("o") != org.pk:
        raise LinkRefused("invalid")
    acceptance_id = payload.get("a")
    if not isinstance(acceptance_id, int):
        raise LinkRefused("invalid")
    acceptance = TermsAcceptance.objects.select_related("terms").filter(pk=acceptance_id).first()
    if acceptance is None:
        raise LinkRefused("invalid")
    terms = selectors.current_terms()
    if terms is None or acceptance.terms_id != terms.pk:
        raise LinkRefused("terms")
    grant: AccessGrant | None = None
    contact: CustomerContact | None = None
    if payload.get("g") is not None:
        grant = AccessGrant.objects.filter(pk=payload["g"]).first()
        if grant is None or acceptance.grant_id != grant.pk:
            raise LinkRefused("invalid")
        if not grant.is_active(now):
            raise LinkRefused(grant_refusal(grant, now))
        scope = selectors.grant_document_ids(grant)
        name, email = grant.name, grant.email
    elif payload.get("c") is not None:
        contact = selectors.contact_for_user(user)
        if contact is None or contact.pk != payload["c"] or acceptance.contact_id != contact.pk:
            raise LinkRefused("invalid")
        scope = selectors.account_document_ids(contact.account)
        name, email = contact.name or contact.email, contact.email
    else:
        raise LinkRefused("invalid")
    document_id = payload.get("d")
    if not isinstance(document_id, int) or (scope is not None and document_id not in scope):
        raise LinkRefused("document")
    offered = {item.document.pk: item for item in selectors.offered_items(visibilities=("gated", "public"))}
    item = offered.get(document_id)
    if item is None:
        raise LinkRefused("document")
    return AuthorizedDownload(
        document=item.document,
        title=item.title,
        acceptance=acceptance,
        grant=grant,
        contact=contact,
        name=name,
        email=email,
    )


def watermark_lines(*, organization: Organization, name: str, email: str, at: datetime) -> list[str]:
    stamp = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return [
        f"Confidential - provided by {organization.name} to {name} <{email}>",
        f"Downloaded {stamp} - do not redistribute",
    ]


@transaction.atomic
def download_document(
    *, authorized: AuthorizedDownload, ip: str | None = None, user_agent: str = ""
) -> tuple[bytes, str]:
    """Produce the copy watermarked for this viewer (name, e-mail and UTC time on every page), and
    record the download (report row + audit event). Returns the PDF and its server-made file name."""
    from trustroom.vault.selectors import document_bytes
    from trustroom.vault.watermark import watermark_pdf

    org = require_org()
    now = timezone.now()
    pdf = watermark_pdf(
        document_bytes(authorized.document),
        lines=watermark_lines(organization=org, name=authorized.name, email=authorized.email, at=now),
    )
    event = DownloadEvent.objects.create(
        document=authorized.document,
        document_title=authorized.title[:300],
        grant=authorized.grant,
        contact=authorized.contact,
        acceptance=authorized.acceptance,
        name=authorized.name,
        email=authorized.email,
        downloaded_at=now,
        ip=ip or None,
        user_agent=user_agent[:400],
    )
    record_event(
        actor=VisitorPrincipal(org, name=authorized.name, email=authorized.email),
        action="trustcenter.document_downloaded",
        target=authorized.document,
        changes={
            "document": authorized.title,
            "grant": getattr(authorized.grant, "pk", None),
            "contact": getattr(authorized.contact, "pk", None),
            "terms_version": authorized.acceptance.terms.version,
            "download": event.pk,
        },
    )
    return pdf, authorized.document.download_filename


# --- Customer accounts -----------------------------------------------------------------------------


def _check_documents(document_ids: Iterable[int]) -> set[int]:
    wanted = set(document_ids)
    offered = {item.document.pk for item in selectors.gated_items()}
    if wanted - offered:
        raise ValidationError({"documents": "Choose among the gated documents of the trust center."})
    return wanted


def _set_account_documents(account: CustomerAccount, wanted: set[int]) -> None:
    account.document_links.exclude(document_id__in=wanted).delete()
    have = set(account.document_links.values_list("document_id", flat=True))
    for document_id in sorted(wanted - have):
        CustomerAccountDocument.objects.create(account=account, document_id=document_id)


@transaction.atomic
def create_customer_account(
    *,
    actor: Principal,
    name: str,
    email_domains: Iterable[str] = (),
    all_gated_documents: bool = False,
    document_ids: Iterable[int] = (),
) -> CustomerAccount:
    policies.check(actor, "add", CustomerAccount)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the customer's name."})
    if CustomerAccount.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a customer account named {name}."})
    domains = _clean_domains(email_domains, "email_domains")
    wanted = _check_documents(document_ids)
    account = CustomerAccount(name=name, email_domains=domains, all_gated_documents=all_gated_documents)
    account.save()
    _set_account_documents(account, wanted)
    record_event(
        actor=actor,
        action="trustcenter.customer_account_created",
        target=account,
        changes={
            "name": name,
            "email_domains": domains,
            "all": all_gated_documents,
            "documents": sorted(wanted),
        },
    )
    return account


@transaction.atomic
def update_customer_account(
    *,
    actor: Principal,
    account: CustomerAccount,
    name: str | None = None,
    email_domains: Iterable[str] | None = None,
    all_gated_documents: bool | None = None,
    document_ids: Iterable[int] | None = None,
) -> CustomerAccount:
    policies.check(actor, "change", account)
    account = CustomerAccount.objects.select_for_update().get(pk=account.pk)
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != account.name:
        name = name.strip()
        if not name:
            raise ValidationError({"name": "Enter the customer's name."})
        if CustomerAccount.objects.filter(name__iexact=name).exclude(pk=account.pk).exists():
            raise ValidationError({"name": f"There is already a customer account named {name}."})
        changes["name"] = [account.name, name]
        account.name = name
    if email_domains is not None:
        domains = _clean_domains(email_domains, "email_domains")
        if domains != account.email_domains:
            changes["email_domains"] = [account.email_domains, domains]
            account.email_domains = domains
    if all_gated_documents is not None and all_gated_documents != account.all_gated_documents:
        changes["all"] = [account.all_gated_documents, all_gated_documents]
        account.all_gated_documents = all_gated_documents
    account.save()
    if document_ids is not None:
        wanted = _check_documents(document_ids)
        before = set(account.document_links.values_list("document_id", flat=True))
        if wanted != before:
            changes["documents"] = [sorted(before), sorted(wanted)]
            _set_account_documents(account, wanted)
    if changes:
        record_event(
            actor=actor, action="trustcenter.customer_account_updated", target=account, changes=changes
        )
    return account


CONTACT_INVITE_TTL = timedelta(days=14)


@transaction.atomic
def add_customer_contact(
    *, actor: Principal, account: CustomerAccount, email: str, name: str = ""
) -> CustomerContact:
    """Add a person to a customer account and e-mail them: a link to create their sign-in, or (when they
    already have an account here) where to find the documents."""
    policies.check(actor, "add", CustomerContact)
    policies.check(actor, "change", account)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from error
    if CustomerContact.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a contact of a customer account."})
    contact = CustomerContact(account=account, email=email, name=name.strip())
    contact.save()
    record_event(
        actor=actor,
        action="trustcenter.customer_contact_added",
        target=contact,
        changes={"account": account.name, "email": email},
    )
    _welcome_contact(contact)
    return contact


def _welcome_contact(contact: CustomerContact) -> str | None:
    """E-mail the contact; returns the join link's secret when they still need a sign-in."""
    from django.contrib.auth import get_user_model

    org = require_org()
    account_link = _base_url() + reverse("trust:account", kwargs={"org_slug": org.slug})
    secret: str | None = None
    join_link = ""
    if not get_user_model().objects.filter(email__iexact=contact.email).exists():
        secret = secrets.token_urlsafe(32)
        contact.invite_digest = _digest(secret)
        contact.invite_expires_at = timezone.now() + CONTACT_INVITE_TTL
        contact.save(update_fields=["invite_digest", "invite_expires_at"])
        join_link = _base_url() + reverse(
            "trust:account-join", kwargs={"org_slug": org.slug, "secret": secret}
        )
    _send_on_commit(
        subject=f"{org.name} shares its security documents with {contact.account.name}",
        template="trustcenter/email/contact.txt",
        context={
            "organization": org,
            "contact": contact,
            "join_link": join_link,
            "account_link": account_link,
            "ttl_days": CONTACT_INVITE_TTL.days,
        },
        to=[contact.email],
    )
    return secret


@transaction.atomic
def invite_customer_contact(*, actor: Principal, contact: CustomerContact) -> str | None:
    """Send the contact a fresh e-mail (a new join link if they still have no sign-in; the old one stops
    working). Returns the new link's secret, or None when they can already sign in."""
    policies.check(actor, "change", contact)
    secret = _welcome_contact(contact)
    record_event(
        actor=actor,
        action="trustcenter.customer_contact_invited",
        target=contact,
        changes={"email": contact.email, "join_link": secret is not None},
    )
    return secret


def find_contact_invitation(secret: str) -> CustomerContact | None:
    return CustomerContact.objects.select_related("account").filter(invite_digest=_digest(secret)).first()


@transaction.atomic
def join_as_customer_contact(*, secret: str, full_name: str, password: str) -> Any:
    """Create the invited contact's sign-in (the link proves the address, so it is verified)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    org = require_org()
    contact = find_contact_invitation(secret)
    if contact is None:
        raise LinkRefused("invalid")
    if contact.invite_expires_at is None or contact.invite_expires_at <= timezone.now():
        raise LinkRefused("expired")
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=contact.email).exists():
        raise ValidationError("An account with this e-mail already exists: sign in instead.")
    user = user_model.objects.create_user(contact.email, password, full_name=full_name.strip())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    contact.invite_digest = ""
    contact.invite_expires_at = None
    if not contact.name:
        contact.name = full_name.strip()
    contact.save(update_fields=["invite_digest", "invite_expires_at", "name"])
    record_event(
        actor=VisitorPrincipal(org, name=contact.name, email=contact.email, user=user),
        action="trustcenter.customer_contact_joined",
        target=contact,
        changes={"email": contact.email, "account": contact.account.name},
    )
    return user


@transaction.atomic
def remove_customer_contact(*, actor: Principal, contact: CustomerContact) -> None:
    policies.check(actor, "delete", contact)
    record_event(
        actor=actor,
        action="trustcenter.customer_contact_removed",
        target=contact,
        changes={"account": contact.account.name, "email": contact.email},
    )
    contact.delete()
