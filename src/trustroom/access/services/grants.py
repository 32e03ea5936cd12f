"""Access grants: recorded by hand, their privilege changed, revoked; and the expiry job.

A grant past `expires_at` already reads as expired (`state.grant_state`); `expire_grants` only makes
sure someone takes the access away in the real system: it opens a revocation task (reason "expired")
for each such grant and tells the system's owner once. Safe to run twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trustroom.access import state
from trustroom.access.models import (
    AccessGrant,
    Environment,
    GrantSource,
    PrivilegeLevel,
    RevocationReason,
    RevocationTask,
)
from trustroom.access.services.inventory import normalize_email
from trustroom.access.services.revocations import complete_revocation_task, open_revocation_task
from trustroom.audit.services import record_event
from trustroom.notifications.services import notify
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope, require_org
from trustroom.tenancy.selectors import membership_in

PERSON_NAME_MAX = AccessGrant._meta.get_field("person_name").max_length or 200


def _check_privilege(privilege: str) -> str:
    if privilege not in PrivilegeLevel.values:
        raise ValidationError({"privilege": f"Choose one of: {', '.join(PrivilegeLevel.values)}."})
    return privilege


def member_with_email(email: str) -> Any:
    """The Trustroom user with this address if they are a member of the current organization, else None
    (people outside it are not looked up: a grant never reveals other organizations' accounts)."""
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None or membership_in(user, require_org()) is None:
        return None
    return user


def grant_snapshot(grant: AccessGrant) -> dict[str, Any]:
    return {
        "environment": str(grant.environment),
        "person": grant.person_email,
        "privilege": grant.privilege,
        "source": grant.source,
        "expires_at": grant.expires_at,
    }


@transaction.atomic
def record_grant(
    *,
    actor: Principal,
    environment: Environment,
    person_email: str,
    privilege: str,
    person_name: str = "",
    expires_at: datetime | None = None,
    source: str = GrantSource.MANUAL,
) -> AccessGrant:
    """Record access someone already has (or was just given) by hand.

    The address is lower-cased and linked to the member with that address when there is one. An expiry
    is optional but must lie in the future; a person holds at most one active grant per environment
    (change its privilege instead).
    """
    policies.check(actor, "add", AccessGrant)
    policies.check(actor, "view", environment)
    email = normalize_email(person_email, field="person_email")
    _check_privilege(privilege)
    name = (person_name or "").strip()
    if len(name) > PERSON_NAME_MAX:
        raise ValidationError({"person_name": f"Keep the name to {PERSON_NAME_MAX} characters."})
    now = timezone.now()
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValidationError({"expires_at": "Give the expiry with a time zone."})
        if expires_at <= now:
            raise ValidationError({"expires_at": "The expiry must be in the future."})
    if source not in GrantSource.values:
        raise ValidationError({"source": f"Choose one of: {', '.join(GrantSource.values)}."})
    Environment.objects.select_for_update().get(pk=environment.pk)  # serializes grants per environment
    active = AccessGrant.objects.filter(
        state.active_grants_q(now), environment=environment, person_email=email
    )
    if active.exists():
        raise ValidationError(
            {
                "person_email": f"{email} already has active access to {environment}; "
                "change that grant's privilege instead."
            }
        )
    user = member_with_email(email)
    grant = AccessGrant.objects.create(
        organization=require_org(),
        environment=environment,
        person_email=email,
        person_name=name or (getattr(user, "full_name", "") or ""),
        user=user,
        privilege=privilege,
        source=source,
        granted_by=actor.user if actor.is_member else None,
        granted_at=now,
        expires_at=expires_at,
    )
    record_event(actor=actor, action="access.grant_recorded", target=grant, changes=grant_snapshot(grant))
    return grant


def _locked_active(grant: AccessGrant, verb: str) -> AccessGrant:
    grant = AccessGrant.objects.select_for_update().select_related("environment__system").get(pk=grant.pk)
    current = state.grant_state(grant)
    if current != state.GrantState.ACTIVE:
        raise ValidationError({"grant": f"This grant is {current}; only an active grant can be {verb}."})
    return grant


@transaction.atomic
def change_privilege(*, actor: Principal, grant: AccessGrant, privilege: str) -> AccessGrant:
    policies.check(actor, "change", grant)
    _check_privilege(privilege)
    grant = _locked_active(grant, "changed")
    if grant.privilege == privilege:
        raise ValidationError({"privilege": f"The grant is already {PrivilegeLevel(privilege).label}."})
    before = grant.privilege
    grant.privilege = privilege
    grant.save(update_fields=["privilege"])
    record_event(
        actor=actor,
        action="access.grant_privilege_changed",
        target=grant,
        changes={"person": grant.person_email, "privilege": {"from": before, "to": privilege}},
    )
    return grant


@transaction.atomic
def revoke_grant(*, actor: Principal, grant: AccessGrant, reason: str) -> AccessGrant:
    """Revoke now, with the reason; any open revocation task of the grant is confirmed along with it.

    An expired grant may still be revoked (that is how its expiry is confirmed); a revoked one may not.
    """
    policies.check(actor, "change", grant)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the access is revoked."})
    grant = AccessGrant.objects.select_for_update().select_related("environment__system").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ValidationError({"grant": "This grant was already revoked."})
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor.user if actor.is_member else None
    grant.revocation_reason = reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    record_event(
        actor=actor,
        action="access.grant_revoked",
        target=grant,
        changes={"person": grant.person_email, "environment": str(grant.environment), "reason": reason},
    )
    for task in RevocationTask.objects.filter(grant=grant, completed_at__isnull=True):
        complete_revocation_task(actor=actor, task=task, note=f"Revoked: {reason}")
    return grant


# --- The expiry job ------------------------------------------------------------------------------------


@dataclass
class ExpiryRun:
    organizations: int = 0
    expired: int = 0
    tasks_opened: int = 0
    notifications_sent: int = 0


def _grant_url(organization: Organization, grant: AccessGrant) -> str:
    return reverse("access:grant-detail", kwargs={"org_slug": organization.slug, "pk": grant.pk})


def expire_grants(*, organization: Organization, now: datetime | None = None) -> ExpiryRun:
    """For one organization: a revocation task (reason "expired") for every grant past its expiry and not
    revoked, and the system's owner told once per grant. Idempotent: a second run opens and sends nothing.
    """
    now = now or timezone.now()
    run = ExpiryRun(organizations=1)
    with org_scope(organization):
        actor = system_principal(organization)
        expired = (
            AccessGrant.objects.filter(state.expired_unrevoked_q(now))
            .select_related("environment__system__owner")
            .order_by("expires_at", "pk")
        )
        for grant in expired:
            run.expired += 1
            with transaction.atomic():
                _task, created = open_revocation_task(
                    actor=actor,
                    grant=grant,
                    reason=RevocationReason.EXPIRED,
                    note=f"Expired {grant.expires_at:%Y-%m-%d %H:%M} UTC.",
                )
                run.tasks_opened += int(created)
                owner = grant.environment.system.owner
                if owner is None:
                    continue
                stamp = int(grant.expires_at.timestamp()) if grant.expires_at else 0
                sent = notify(
                    actor=actor,
                    recipients=[owner],
                    key=f"access:grant-expired:{grant.pk}:{stamp}",
                    subject=f"Access expired: {grant.person_email} on {grant.environment}",
                    body=(
                        f"{grant.person_email}'s {grant.get_privilege_display().lower()} access to "
                        f"{grant.environment} expired on {grant.expires_at:%Y-%m-%d %H:%M} UTC. Take it away "
                        "in the system and confirm the revocation task in Trustroom."
                    ),
                    url=_grant_url(organization, grant),
                )
                run.notifications_sent += len(sent)
    return run


def expire_grants_everywhere(
    *, now: datetime | None = None, organization: Organization | None = None
) -> ExpiryRun:
    """`expire_grants` for one organization or every one (the hourly job and the command)."""
    total = ExpiryRun()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        run = expire_grants(organization=org, now=now)
        total.organizations += 1
        total.expired += run.expired
        total.tasks_opened += run.tasks_opened
        total.notifications_sent += run.notifications_sent
    return total
