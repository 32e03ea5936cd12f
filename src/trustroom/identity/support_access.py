"""Consented support access: platform staff enter an organization only while an owner's grant is active.

A grant names one staff member (`User.is_staff`), a scope (`read`: acts as an auditor; `admin`: acts as
an admin), a reason and an expiry at most `SUPPORT_ACCESS_MAX_DAYS` ahead. Whether it is active is
decided from its timestamps on every request (`active_grant`), so a grant that expires or is revoked
mid-session stops working on the very next request, with no job involved.

Where it is enforced: `trustroom.tenancy.mixins.session_principal`, the one function that turns a
signed-in person into a principal for every page under /o/<slug>/ and every session call under
/api/v1/orgs/<slug>/. A member acts as their membership; a non-member staff member with an active grant
acts with the grant's role and carries the grant (`Principal.support_grant`); everyone else gets the
same 404 as for a missing organization. Staff need a second factor to use a grant.

What staff may never change (members, invitations, API tokens, security policy, IP allowlist, support
grants) is declared on those models' policies (`support=` in `trustroom.tenancy.policies`); the
organization's IP allowlist for members applies to them as to any member.

Every request made under a grant is recorded as `support_access.used` (method, path, status, grant id)
by `SupportAccessAuditMiddleware`, after the request's own transaction, so refused and failed requests
are recorded too; writes done under a grant go through the services as usual and are attributed to the
staff member (`Principal.label` names them and the grant).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from trustroom.audit.models import AuditEvent
from trustroom.audit.services import record_event
from trustroom.identity.models import SUPPORT_ACCESS_MAX_DAYS, SupportAccessGrant, SupportScope
from trustroom.identity.selectors import has_mfa
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope, require_org
from trustroom.tenancy.selectors import membership_in

MAX_DURATION = timedelta(days=SUPPORT_ACCESS_MAX_DAYS)
MAX_REASON_CHARS = 2000
# The role a grant's scope acts with.
SCOPE_ROLES = {SupportScope.READ: Role.AUDITOR, SupportScope.ADMIN: Role.ADMIN}
ACTION_PREFIX = "support_access."
USED = "support_access.used"


class SupportMfaRequired(Exception):
    """A staff member with an active grant but no second factor: refused (403), never let in."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        super().__init__(
            f"Support access to {organization.name} needs two-factor authentication: set up an "
            "authenticator app or a security key on your account, then try again."
        )


# --- Reads (every request of a staff member who is not a member) ---------------------------------------


def is_platform_staff(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and getattr(user, "pk", None) is not None
    )


def active_grant(
    user: Any, organization: Organization, now: datetime | None = None
) -> SupportAccessGrant | None:
    """The staff user's active grant in `organization` (the latest, if several), else None.

    Checked against the current time whenever it is called: expiry needs no job.
    """
    if not is_platform_staff(user):
        return None
    now = now or timezone.now()
    with org_scope(organization):
        return (
            SupportAccessGrant.objects.filter(
                staff_user_id=user.pk, revoked_at__isnull=True, expires_at__gt=now
            )
            .order_by("-created_at", "-id")
            .first()
        )


def support_principal(user: Any, organization: Organization) -> Principal | None:
    """The principal of a non-member staff user acting under an active grant; None without one.

    Raises SupportMfaRequired when the grant is active but the staff user has no second factor.
    """
    grant = active_grant(user, organization)
    if grant is None:
        return None
    if not has_mfa(user):
        raise SupportMfaRequired(organization)
    return Principal(
        organization=organization, role=SCOPE_ROLES[SupportScope(grant.scope)], user=user, support_grant=grant
    )


def grants() -> QuerySet[SupportAccessGrant]:
    """The active organization's grants, newest first."""
    return SupportAccessGrant.objects.select_related("staff_user", "granted_by", "revoked_by")


def support_events() -> QuerySet[AuditEvent]:
    """The active organization's support access events (granted, revoked, used), newest first."""
    return AuditEvent.objects.filter(action__startswith=ACTION_PREFIX).order_by("-seq")


def organizations_with_active_grant(user: Any) -> list[tuple[Organization, SupportAccessGrant]]:
    """For the staff page: every organization where `user` has an active grant, with that grant.

    Grants live under row-level security, readable only inside their organization's scope, so this
    asks each organization in turn (one indexed query each; a self-hosted platform has few).
    """
    if not is_platform_staff(user):
        return []
    found = []
    now = timezone.now()
    for organization in Organization.objects.order_by("name"):
        grant = active_grant(user, organization, now)
        if grant is not None and membership_in(user, organization) is None:
            found.append((organization, grant))
    return found


# --- Writes ------------------------------------------------------------------------------------------


def _staff_user(email: str) -> Any:
    return get_user_model().objects.filter(email__iexact=email, is_staff=True, is_active=True).first()


@transaction.atomic
def grant_support_access(
    *, actor: Principal, staff_email: str, scope: str, reason: str, expires_at: datetime
) -> SupportAccessGrant:
    """Let one platform staff member into the organization until `expires_at` (owners only).

    Refused, naming the field, when the e-mail is not a staff account (or is already a member), the scope
    is unknown, the reason is empty, the expiry is not in the future or further than the maximum, or the
    staff member already holds an active grant here (revoke it first).
    """
    policies.check(actor, "add", SupportAccessGrant)
    if actor.token is not None or actor.support_grant is not None:
        raise PermissionDenied("Only an owner, signed in, grants support access.")
    organization = require_org()
    # One grant at a time per staff member: serialize grants of this organization.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    errors: dict[str, str] = {}
    email = (staff_email or "").strip().lower()
    staff = _staff_user(email) if email else None
    if not email:
        errors["staff_email"] = "Give the e-mail address of the platform staff member."
    elif staff is None:
        errors["staff_email"] = (
            f"{email} is not a platform staff account: support access can only be granted to the "
            "platform's staff."
        )
    elif membership_in(staff, organization) is not None:
        errors["staff_email"] = f"{email} is a member of {organization.name} already and needs no grant."
    elif active_grant(staff, organization) is not None:
        errors["staff_email"] = (
            f"{email} already has active support access here; revoke it first to grant a different one."
        )
    if scope not in SupportScope.values:
        errors["scope"] = f"Scope must be one of: {', '.join(SupportScope.values)}."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why support needs access (e.g. the ticket it is about)."
    elif len(reason) > MAX_REASON_CHARS:
        errors["reason"] = f"Keep the reason to {MAX_REASON_CHARS} characters."
    now = timezone.now()
    if expires_at is None or timezone.is_naive(expires_at):
        errors["expires_at"] = "Give the expiry with a time zone (UTC)."
    elif expires_at <= now:
        errors["expires_at"] = "The expiry must be in the future."
    elif expires_at > now + MAX_DURATION:
        errors["expires_at"] = f"Support access may last at most {SUPPORT_ACCESS_MAX_DAYS} days."
    if errors or staff is None:
        raise ValidationError(errors)
    grant = SupportAccessGrant.objects.create(
        organization=organization,
        staff_user=staff,
        scope=scope,
        reason=reason,
        granted_by=actor.user if actor.is_member else None,
        expires_at=expires_at,
    )
    record_event(
        actor=actor,
        action="support_access.granted",
        target=grant,
        changes={
            "staff_email": staff.email,
            "scope": scope,
            "reason": reason,
            "expires_at": expires_at,
        },
    )
    return grant


@transaction.atomic
def revoke_support_access(*, actor: Principal, grant: SupportAccessGrant) -> SupportAccessGrant:
    """End a grant now (owners only). It stays listed, as revoked; the next staff request gets a 404."""
    policies.check(actor, "delete", grant)
    locked = SupportAccessGrant.objects.select_for_update().select_related("staff_user").get(pk=grant.pk)
    state = locked.status()
    if state != "active":
        raise ValidationError({"grant": f"This support access is already {state}; there is nothing to end."})
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor.user if actor.is_member else None
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=actor,
        action="support_access.revoked",
        target=locked,
        changes={"staff_email": locked.staff_user.email, "scope": locked.scope},
    )
    return locked


def record_support_use(*, actor: Principal, method: str, path: str, status_code: int) -> AuditEvent:
    """Record one request made under a grant (reads included) in the organization's audit log."""
    grant = actor.support_grant
    if grant is None:
        raise ValueError("record_support_use() needs a principal acting under a support grant")
    with org_scope(actor.organization):
        return record_event(
            actor=actor,
            action=USED,
            target=grant,
            changes={
                "method": method,
                "path": path[:500],
                "status_code": status_code,
                "grant_id": grant.pk,
                "scope": grant.scope,
            },
        )


class SupportAccessAuditMiddleware:
    """Records `support_access.used` for every request whose principal acts under a support grant.

    Runs after the view and outside its transaction (ATOMIC_REQUESTS), so a refused (403), missing (404)
    or failed request is recorded too, not rolled back with it. If the record cannot be written the
    exception propagates and the response is not delivered (fail closed).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        principal = getattr(request, "principal", None)
        if isinstance(principal, Principal) and principal.support_grant is not None:
            record_support_use(
                actor=principal,
                method=request.method or "",
                path=request.get_full_path(),
                status_code=response.status_code,
            )
        return response


# --- Platform level (no organization; run by the operator) ---------------------------------------------


def platform_staff() -> list[str]:
    return list(
        get_user_model().objects.filter(is_staff=True).order_by("email").values_list("email", flat=True)
    )


@transaction.atomic
def set_platform_staff(*, email: str, is_staff: bool) -> tuple[Any, bool]:
    """Set or clear `User.is_staff`; returns the user and whether anything changed.

    Raises LookupError when no account has the e-mail address. Being staff grants no organization data
    by itself: an owner's grant is still needed.
    """
    user = get_user_model().objects.select_for_update().filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise LookupError(f"No account has the e-mail address {email!r}.")
    if user.is_staff == is_staff:
        return user, False
    user.is_staff = is_staff
    user.save(update_fields=["is_staff"])
    return user, True
