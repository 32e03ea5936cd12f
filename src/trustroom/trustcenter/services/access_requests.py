"""Access requests and grants: throttling, submission, e-mail verification, review (approve or deny),
the access link, and revocation.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
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
    CustomerAccount,
    RequestStatus,
    TrustCenterSettings,
)
from trustroom.trustcenter.services.common import (
    MAX_GRANT_DAYS,
    LinkRefused,
    VisitorPrincipal,
    _base_url,
    _digest,
    _send_on_commit,
)

VERIFICATION_TTL = timedelta(hours=24)
# Access requests: at most this many per window, per client address and per e-mail address.
REQUESTS_PER_IP = 10
REQUESTS_PER_EMAIL = 3
RATE_WINDOW_SECONDS = 3600


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
