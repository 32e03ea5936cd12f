from __future__ import annotations

from typing import Any

from trustroom.identity import tokens
from trustroom.identity.models import ApiToken, SecurityPolicy
from trustroom.tenancy.models import Organization
from trustroom.tenancy.narrowing import unnarrowed
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import memberships_of_user


def find_presented_token(raw: str) -> ApiToken | None:
    """The token of the current organization that `raw` names (its secret matching), usable or not."""
    presented = tokens.parse(raw)
    if presented is None:
        return None
    token = ApiToken.objects.filter(prefix=presented.prefix).first()
    if token is None or not tokens.secret_matches(presented.secret, token.secret_digest):
        return None
    return token


def find_usable_token(raw: str) -> ApiToken | None:
    """The active token of the current organization that `raw` names, or None. Expiry is checked here."""
    token = find_presented_token(raw)
    if token is None or not token.is_usable():
        return None
    return token


def security_policy_for(organization: Organization) -> SecurityPolicy:
    """The organization's security policy; an unsaved one with the defaults when none was ever saved."""
    with org_scope(organization), unnarrowed():  # enforcement: the same policy whoever reads it
        policy = SecurityPolicy.objects.filter(organization=organization).first()
    return policy if policy is not None else SecurityPolicy(organization=organization)


def has_mfa(user: Any) -> bool:
    """Whether `user` can prove a second factor: a TOTP app or a WebAuthn key (recovery codes alone
    are a fallback, not a factor one enrols)."""
    from allauth.mfa.models import Authenticator

    if not getattr(user, "is_authenticated", False):
        return False
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def policies_of_user(user: Any) -> list[SecurityPolicy]:
    """The security policy of every organization `user` belongs to (defaults where none was saved)."""
    return [security_policy_for(m.organization) for m in memberships_of_user(user)]
