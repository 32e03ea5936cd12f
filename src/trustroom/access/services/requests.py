"""Need-to-know access requests and their approval chain.

A member asks for a privilege on an environment for a number of days, saying why. The line manager
they name approves first; for production or a high/critical environment (`state.needs_business_unit_head`,
fixed at submission) the business-unit head they name approves second. Only the person named for the
pending step may decide it: separation of duties, so not even an owner may decide for them. Once
approved, an editor who is not the requester provisions it, which creates the grant.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trustroom.access import state
from trustroom.access.models import (
    AccessApproval,
    AccessGrant,
    AccessRequest,
    ApprovalDecision,
    ApprovalStep,
    Environment,
    GrantSource,
    PrivilegeLevel,
    RequestStatus,
)
from trustroom.audit.services import record_event
from trustroom.notifications.services import notify
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import membership_in

MIN_JUSTIFICATION = 20
JUSTIFICATION_MAX = 4000
MAX_DURATION_DAYS = 365
COMMENT_MAX = 2000
PENDING = (RequestStatus.PENDING_MANAGER, RequestStatus.PENDING_BU_HEAD)


def _email(user: Any) -> str:
    return getattr(user, "email", "") or "unknown"


def _same(user: Any, other: Any) -> bool:
    return user is not None and other is not None and user.pk == other.pk


def _request_url(request: AccessRequest) -> str:
    slug = require_org().slug
    return reverse("access:request-detail", kwargs={"org_slug": slug, "pk": request.pk})


def _what(request: AccessRequest) -> str:
    return f"{request.get_privilege_display().lower()} access to {request.environment}"


def _person_actor(actor: Principal, doing: str) -> Any:
    """The signed-in person behind `actor`; API tokens and the platform do not request or approve."""
    if not actor.is_member or actor.is_support:
        raise PermissionDenied(f"Only a member signed in as themselves may {doing}.")
    return actor.user


@transaction.atomic
def submit_request(
    *,
    actor: Principal,
    environment: Environment,
    privilege: str,
    justification: str,
    duration_days: int,
    line_manager: Any,
    business_unit_head: Any = None,
) -> AccessRequest:
    """Ask for access for yourself. Errors name the field; nothing is written when one is refused."""
    policies.check(actor, "add", AccessRequest)
    requester = _person_actor(actor, "request access")
    policies.check(actor, "view", environment)
    organization = require_org()
    errors: dict[str, str] = {}
    if privilege not in PrivilegeLevel.values:
        errors["privilege"] = f"Choose one of: {', '.join(PrivilegeLevel.values)}."
    text = (justification or "").strip()
    if len(text) < MIN_JUSTIFICATION:
        errors["justification"] = (
            f"Say why you need this access, in at least {MIN_JUSTIFICATION} characters "
            "(what you will do and for which ticket or task)."
        )
    elif len(text) > JUSTIFICATION_MAX:
        errors["justification"] = f"Keep the justification to {JUSTIFICATION_MAX} characters."
    if not isinstance(duration_days, int) or not 1 <= duration_days <= MAX_DURATION_DAYS:
        errors["duration_days"] = f"Ask for 1 to {MAX_DURATION_DAYS} days."
    if line_manager is None:
        errors["line_manager"] = "Name your line manager, who approves first."
    elif _same(line_manager, requester):
        errors["line_manager"] = "You cannot approve your own request: name your line manager."
    elif membership_in(line_manager, organization) is None:
        errors["line_manager"] = "The line manager must be a member of this organization."
    needs_head = state.needs_business_unit_head(environment)
    if not needs_head:
        business_unit_head = None  # not part of this request's chain
    elif business_unit_head is None:
        errors["business_unit_head"] = (
            f"{environment} is production or sensitive: name the business-unit head, who approves second."
        )
    elif _same(business_unit_head, requester):
        errors["business_unit_head"] = "You cannot approve your own request: name your business-unit head."
    elif _same(business_unit_head, line_manager):
        errors["business_unit_head"] = (
            "The business-unit head must be someone other than the line manager (two separate approvals)."
        )
    elif membership_in(business_unit_head, organization) is None:
        errors["business_unit_head"] = "The business-unit head must be a member of this organization."
    if errors:
        raise ValidationError(errors)
    request = AccessRequest.objects.create(
        organization=organization,
        requester=requester,
        environment=environment,
        privilege=privilege,
        justification=text,
        duration_days=duration_days,
        line_manager=line_manager,
        business_unit_head=business_unit_head,
        needs_business_unit_head=needs_head,
        status=RequestStatus.PENDING_MANAGER,
    )
    record_event(
        actor=actor,
        action="access.request_submitted",
        target=request,
        changes={
            "environment": str(environment),
            "privilege": privilege,
            "duration_days": duration_days,
            "justification": text,
            "line_manager": _email(line_manager),
            "business_unit_head": _email(business_unit_head) if business_unit_head else None,
            "needs_business_unit_head": needs_head,
        },
    )
    _notify_approver(actor, request, ApprovalStep.LINE_MANAGER)
    return request


def _notify_approver(actor: Principal, request: AccessRequest, step: str) -> None:
    approver = state.approver_for(request, step)
    notify(
        actor=actor,
        recipients=[approver],
        key=f"access:request:{request.pk}:approval:{step}",
        subject=f"Approval needed: {_email(request.requester)} asks for {_what(request)}",
        body=(
            f"{_email(request.requester)} asks for {_what(request)} for {request.duration_days} days. "
            f"You are named as {ApprovalStep(step).label.lower()}: approve or deny it.\n\n"
            f"Justification: {request.justification}"
        ),
        url=_request_url(request),
    )


def _locked(request: AccessRequest) -> AccessRequest:
    return (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("environment__system__owner", "requester", "line_manager", "business_unit_head")
        .get(pk=request.pk)
    )


def _decide(*, actor: Principal, request: AccessRequest, decision: str, comment: str) -> AccessRequest:
    policies.check(actor, "change", request)
    request = _locked(request)
    step = state.pending_step(request)
    if step is None:
        now_is = request.get_status_display().lower()
        raise ValidationError({"status": f"This request is not waiting for an approval: it is {now_is}."})
    approver = state.approver_for(request, step)
    label = ApprovalStep(step).label.lower()
    if not actor.is_member or actor.is_support or not _same(actor.user, approver):
        raise PermissionDenied(
            f"Only {_email(approver)}, named as the {label}, may decide this step "
            "(separation of duties: nobody decides for the named approver, whatever their role)."
        )
    comment = (comment or "").strip()
    if decision == ApprovalDecision.DENIED and not comment:
        raise ValidationError({"comment": "Say why the request is denied; the requester will read it."})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Keep the comment to {COMMENT_MAX} characters."})
    now = timezone.now()
    AccessApproval.objects.create(
        organization=require_org(),
        request=request,
        step=step,
        approver=approver,
        decision=decision,
        comment=comment,
        decided_at=now,
    )
    before = request.status
    if decision == ApprovalDecision.DENIED:
        request.status = RequestStatus.DENIED
    elif step == ApprovalStep.LINE_MANAGER and request.needs_business_unit_head:
        request.status = RequestStatus.PENDING_BU_HEAD
    else:
        request.status = RequestStatus.APPROVED
    if request.status != RequestStatus.PENDING_BU_HEAD:
        request.decided_at = now
    request.save(update_fields=["status", "decided_at"])
    record_event(
        actor=actor,
        action="access.request_approved"
        if decision == ApprovalDecision.APPROVED
        else "access.request_denied",
        target=request,
        changes={"step": step, "comment": comment, "status": {"from": before, "to": request.status}},
    )
    if request.status == RequestStatus.PENDING_BU_HEAD:
        _notify_approver(actor, request, ApprovalStep.BUSINESS_UNIT_HEAD)
    else:
        _notify_decided(actor, request, comment)
    if request.status == RequestStatus.APPROVED:
        _notify_provisioning(actor, request)
    return request


def _notify_decided(actor: Principal, request: AccessRequest, comment: str) -> None:
    approved = request.status == RequestStatus.APPROVED
    outcome = "approved" if approved else "denied"
    body = f"Your request for {_what(request)} was {outcome} by {_email(actor.user)}."
    if comment:
        body += f"\n\nComment: {comment}"
    if approved:
        body += "\n\nIt will be provisioned next; you will be told when the access is in place."
    notify(
        actor=actor,
        recipients=[request.requester],
        key=f"access:request:{request.pk}:decided",
        subject=f"Access request {outcome}: {request.environment}",
        body=body,
        url=_request_url(request),
    )


def _notify_provisioning(actor: Principal, request: AccessRequest) -> None:
    owner = request.environment.system.owner
    if owner is None or _same(owner, request.requester):
        return
    notify(
        actor=actor,
        recipients=[owner],
        key=f"access:request:{request.pk}:provision",
        subject=f"Provisioning needed: {_what(request)} for {_email(request.requester)}",
        body=(
            f"{_email(request.requester)}'s request for {_what(request)} for {request.duration_days} days "
            "is approved. Give the access in the system, then mark the request provisioned in Trustroom."
        ),
        url=_request_url(request),
    )


@transaction.atomic
def approve_request(*, actor: Principal, request: AccessRequest, comment: str = "") -> AccessRequest:
    """The named approver of the pending step approves it (anyone else: PermissionDenied)."""
    return _decide(actor=actor, request=request, decision=ApprovalDecision.APPROVED, comment=comment)


@transaction.atomic
def deny_request(*, actor: Principal, request: AccessRequest, comment: str) -> AccessRequest:
    """The named approver of the pending step denies it, saying why (the comment is required)."""
    return _decide(actor=actor, request=request, decision=ApprovalDecision.DENIED, comment=comment)


@transaction.atomic
def cancel_request(*, actor: Principal, request: AccessRequest) -> AccessRequest:
    """The requester withdraws their request while it waits for an approval."""
    policies.check(actor, "change", request)
    request = _locked(request)
    if not actor.is_member or actor.is_support or not _same(actor.user, request.requester):
        raise PermissionDenied("Only the requester may cancel their request.")
    if request.status not in PENDING:
        now_is = request.get_status_display().lower()
        raise ValidationError(
            {"status": f"Only a request waiting for approval can be cancelled; this one is {now_is}."}
        )
    before = request.status
    request.status = RequestStatus.CANCELLED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    record_event(
        actor=actor,
        action="access.request_cancelled",
        target=request,
        changes={"status": {"from": before, "to": request.status}},
    )
    return request


@transaction.atomic
def provision_request(*, actor: Principal, request: AccessRequest) -> AccessGrant:
    """The access was given in the system: create the grant (expiring after the requested days) and mark
    the request provisioned. Editors and above, never the requester themselves."""
    policies.check(actor, "add", AccessGrant)
    policies.check(actor, "change", request)
    request = _locked(request)
    if _same(actor.user, request.requester):
        raise PermissionDenied("You cannot provision your own access request: another editor must.")
    if request.status != RequestStatus.APPROVED:
        now_is = request.get_status_display().lower()
        raise ValidationError(
            {"status": f"Only an approved request can be provisioned; this one is {now_is}."}
        )
    now = timezone.now()
    requester = request.requester
    grant = AccessGrant.objects.create(
        organization=require_org(),
        environment=request.environment,
        person_email=requester.email.lower(),
        person_name=getattr(requester, "full_name", "") or "",
        user=requester,
        privilege=request.privilege,
        source=GrantSource.REQUEST,
        request=request,
        granted_by=actor.user if actor.is_member else None,
        granted_at=now,
        expires_at=now + timedelta(days=request.duration_days),
    )
    request.status = RequestStatus.PROVISIONED
    request.provisioned_at = now
    request.provisioned_by = actor.user if actor.is_member else None
    request.save(update_fields=["status", "provisioned_at", "provisioned_by"])
    record_event(
        actor=actor,
        action="access.request_provisioned",
        target=request,
        changes={"grant": grant.pk, "person": grant.person_email, "expires_at": grant.expires_at},
    )
    notify(
        actor=actor,
        recipients=[requester],
        key=f"access:request:{request.pk}:provisioned",
        subject=f"Access in place: {request.environment}",
        body=(f"Your {_what(request)} is provisioned and expires on {grant.expires_at:%Y-%m-%d %H:%M} UTC."),
        url=_request_url(request),
    )
    return grant
