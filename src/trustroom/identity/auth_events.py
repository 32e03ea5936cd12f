"""Authentication events: the one place they are recorded.

allauth's adapter hooks and the sign-in/MFA/password signals (see `receivers.py`) all call
`record_auth_event`. Each event is written twice:
- a platform-level `AuthEvent` row (kept even when nobody has the e-mail address that was tried), which
  the person sees on their sign-in activity page;
- an audit event `auth.<kind>` in the hash-chained log of every organization the person is a member of,
  where that organization's owners and admins see it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.internal.auth import get_authenticator_by_credential_id
from django.db import transaction
from django.http import HttpRequest
from fido2.utils import websafe_decode

from trustroom.audit.services import record_event
from trustroom.identity.client_ip import client_ip
from trustroom.identity.models import AuthEvent, AuthEventKind, User
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import current_org, org_scope
from trustroom.tenancy.selectors import memberships_of_user

logger = logging.getLogger(__name__)


@transaction.atomic
def record_auth_event(
    *,
    actor: User | None,
    kind: str,
    request: HttpRequest | None,
    success: bool = True,
    email: str = "",
    details: dict[str, Any] | None = None,
) -> AuthEvent:
    """Record that `actor` (None: an unknown e-mail address) had the authentication event `kind`."""
    if kind not in AuthEventKind.values:
        raise ValueError(f"Unknown authentication event kind {kind!r}")
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    email = (email or getattr(user, "email", "") or "").strip().lower()[:254]
    details = dict(details or {})
    ip = client_ip(request) if request is not None else None
    user_agent = (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:400]
    event = AuthEvent.objects.create(
        user=user,
        email=email,
        kind=kind,
        success=success,
        ip=ip,
        user_agent=user_agent,
        details=details,
    )
    if user is not None:
        changes = {"email": email, "success": success, "ip": ip, **details}
        active = current_org()
        for membership in memberships_of_user(user).select_related("organization"):
            organization = membership.organization
            if active is not None and active.pk != organization.pk:
                # Only reachable if a page of one organization signs someone in or out; that
                # organization's log gets the event, the platform-level row covers the rest.
                logger.warning("auth event %s not copied to organization %s", kind, organization.pk)
                continue
            actor_principal = Principal(organization=organization, role=membership.role, user=user)
            with org_scope(organization):
                record_event(actor=actor_principal, action=f"auth.{kind}", target=user, changes=changes)
    return event


def record_webauthn_failure(
    *, actor: User, request: HttpRequest | None, posted_credential: str, reauthentication: bool
) -> AuthEvent:
    """A security key's answer was refused (unknown key, bad signature, wrong origin or challenge,
    malformed): an `mfa_failed` event, naming the person's key when the answer carried its id."""
    authenticator = _webauthn_authenticator_named_in(actor, posted_credential)
    details = {
        "authenticator": Authenticator.Type.WEBAUTHN.value,
        "authenticator_id": authenticator.pk if authenticator is not None else None,
        "reauthentication": reauthentication,
    }
    return record_auth_event(
        actor=actor, kind=AuthEventKind.MFA_FAILED, request=request, success=False, details=details
    )


def _webauthn_authenticator_named_in(user: User, posted_credential: str) -> Authenticator | None:
    try:
        raw_id = json.loads(posted_credential)["rawId"]
        credential_id = websafe_decode(raw_id)
    except (ValueError, TypeError, KeyError):
        return None
    return get_authenticator_by_credential_id(user, credential_id)


def recent_auth_events(user: User, *, limit: int = 50) -> list[AuthEvent]:
    """The person's own recent authentication events (their sign-in activity page)."""
    return list(AuthEvent.objects.filter(user=user)[:limit])
