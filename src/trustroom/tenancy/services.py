"""Writes of the tenancy app: organizations, memberships, invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.models import Invitation, Membership, Organization, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope, require_org

ORG_PROFILE_FIELDS = ("name", "legal_name", "registration_number", "tax_id", "website")


def _invitation_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@transaction.atomic
def create_organization(
    *, actor: Any, slug: str, name: str, owner: Any = None, **profile: str
) -> Organization:
    """Create an organization with `owner` (default: the actor) as its first owner."""
    unknown = set(profile) - set(ORG_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organization fields: {', '.join(sorted(unknown))}")
    owner = owner or actor
    if owner is None:
        raise ValidationError({"owner": "An organization needs an owner."})
    org = Organization(slug=slug.strip().lower(), name=name.strip(), **profile)
    org.full_clean()
    org.save()
    Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
    with org_scope(org):
        principal = Principal(organization=org, role=Role.OWNER, user=actor)
        record_event(
            actor=principal,
            action="organization.created",
            target=org,
            changes={"slug": org.slug, "name": org.name, "owner": owner.email},
        )
    return org


@transaction.atomic
def update_organization(*, actor: Principal, **changes: str) -> Organization:
    org = require_org()
    if not actor.has_role(Role.OWNER, Role.ADMIN):
        raise PermissionDenied("Only owners and admins may change the organization's profile.")
    unknown = set(changes) - set(ORG_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organization fields: {', '.join(sorted(unknown))}")
    org = Organization.objects.select_for_update().get(pk=org.pk)
    before = {field: getattr(org, field) for field in changes}
    for field, value in changes.items():
        setattr(org, field, value.strip())
    org.full_clean()
    org.save(update_fields=list(changes))
    diff = {f: [before[f], getattr(org, f)] for f in changes if before[f] != getattr(org, f)}
    if diff:
        record_event(actor=actor, action="organization.updated", target=org, changes=diff)
    return org


def _check_role_assignment(actor: Principal, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Role.values)}."})
    if role == Role.OWNER and not actor.has_role(Role.OWNER):
        raise PermissionDenied("Only an owner may make someone an owner.")


def _check_invitation_domain(org: Organization, email: str) -> None:
    """The organization's security policy may limit invitations to some e-mail domains."""
    from trustroom.identity.selectors import security_policy_for

    policy = security_policy_for(org)
    if not policy.allows_email(email):
        allowed = ", ".join(policy.allowed_email_domains)
        raise ValidationError({"email": f"{org.name} only invites addresses at these domains: {allowed}."})


@transaction.atomic
def invite_member(*, actor: Principal, email: str, role: str) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and the one-time secret for its link."""
    policies.check(actor, "add", Invitation)
    _check_role_assignment(actor, role)
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    org = require_org()
    if Membership.objects.filter(organization=org, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {org.name}."})
    _check_invitation_domain(org, email)
    now = timezone.now()
    pending = Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    for old in pending:  # a new invitation replaces any pending one
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=role,
        secret_digest=_invitation_digest(secret),
        invited_by=actor.user if actor.is_member else None,
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    invitation.full_clean(exclude=["organization"])
    invitation.save()
    record_event(
        actor=actor,
        action="invitation.created",
        target=invitation,
        changes={"email": email, "role": role, "expires_at": invitation.expires_at},
    )
    return invitation, secret


def find_invitation(secret: str) -> Invitation | None:
    """The current organization's invitation that `secret` opens, whatever its status."""
    return Invitation.objects.filter(secret_digest=_invitation_digest(secret)).first()


@transaction.atomic
def revoke_invitation(*, actor: Principal, invitation: Invitation) -> Invitation:
    policies.check(actor, "delete", invitation)
    if invitation.status() != "pending":
        raise ValidationError(f"This invitation is already {invitation.status()}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(
        actor=actor, action="invitation.revoked", target=invitation, changes={"email": invitation.email}
    )
    return invitation


@transaction.atomic
def accept_invitation(*, actor: Any, invitation: Invitation) -> Membership:
    """The signed-in `actor` accepts; the invitation must be pending and addressed to their e-mail."""
    org = require_org()
    status = invitation.status()
    if status != "pending":
        raise ValidationError(f"This invitation is {status}; ask for a new one.")
    if actor.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}; you are signed in as {actor.email}."
        )
    if Membership.objects.filter(organization=org, user=actor).exists():
        raise ValidationError(f"You are already a member of {org.name}.")
    membership = Membership.objects.create(organization=org, user=actor, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    principal = Principal(organization=org, role=invitation.role, user=actor)
    record_event(
        actor=principal,
        action="invitation.accepted",
        target=invitation,
        changes={"email": actor.email, "role": invitation.role},
    )
    return membership


@transaction.atomic
def accept_invitation_as_new_user(*, invitation: Invitation, full_name: str, password: str) -> Membership:
    """Create the invited person's account (the link proves the address) and accept the invitation."""
    from allauth.account.models import EmailAddress

    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError("An account with this e-mail already exists: sign in to accept.")
    if invitation.status() != "pending":
        raise ValidationError(f"This invitation is {invitation.status()}; ask for a new one.")
    user = user_model.objects.create_user(invitation.email, password, full_name=full_name.strip())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return accept_invitation(actor=user, invitation=invitation)


def _owner_count(org: Organization) -> int:
    return Membership.objects.filter(organization=org, role=Role.OWNER).count()


@transaction.atomic
def change_member_role(*, actor: Principal, membership: Membership, role: str) -> Membership:
    policies.check(actor, "change", membership)
    _check_role_assignment(actor, role)
    membership = Membership.objects.select_for_update().get(pk=membership.pk, organization=require_org())
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER and _owner_count(membership.organization) == 1:
        raise ValidationError(
            {"role": "The organization needs at least one owner; make someone else owner first."}
        )
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        actor=actor,
        action="membership.role_changed",
        target=membership,
        changes={"user": membership.user.email, "role": [before, role]},
    )
    return membership


@transaction.atomic
def remove_member(*, actor: Principal, membership: Membership) -> None:
    policies.check(actor, "delete", membership)
    membership = Membership.objects.select_for_update().get(pk=membership.pk, organization=require_org())
    if membership.role == Role.OWNER and _owner_count(membership.organization) == 1:
        raise ValidationError("The organization needs at least one owner; make someone else owner first.")
    record_event(
        actor=actor,
        action="membership.removed",
        target=membership,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()
