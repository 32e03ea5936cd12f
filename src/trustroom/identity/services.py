"""Writes of the identity app: API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.identity import tokens
from trustroom.identity.models import ApiToken, TokenScope
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org


@transaction.atomic
def create_api_token(
    *, actor: Principal, name: str, scope: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; return it with its one-time plaintext (never stored, never shown again)."""
    policies.check(actor, "add", ApiToken)
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the token a name that says what uses it."
    if scope not in TokenScope.values:
        errors["scope"] = f"Scope must be one of: {', '.join(TokenScope.values)}."
    now = timezone.now()
    max_days = settings.API_TOKEN_MAX_DAYS
    if expires_at is None:
        expires_at = now + timedelta(days=90)
    elif timezone.is_naive(expires_at):
        errors["expires_at"] = "Give the expiry with a time zone (UTC)."
    elif expires_at <= now:
        errors["expires_at"] = "The expiry must be in the future."
    elif expires_at > now + timedelta(days=max_days):
        errors["expires_at"] = f"Tokens may live at most {max_days} days."
    if errors:
        raise ValidationError(errors)
    for _attempt in range(5):
        prefix, secret = tokens.new_token_parts()
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    organization=require_org(),
                    name=name,
                    prefix=prefix,
                    secret_digest=tokens.digest(secret),
                    scope=scope,
                    created_by=actor.user if actor.is_member else None,
                    expires_at=expires_at,
                )
            break
        except IntegrityError:  # prefix collision inside the organization: draw again
            continue
    else:  # pragma: no cover - 48 random bits colliding five times
        raise RuntimeError("Could not allocate a unique token prefix")
    record_event(
        actor=actor,
        action="api_token.created",
        target=token,
        changes={"name": name, "scope": scope, "expires_at": expires_at},
    )
    return token, tokens.format_token(prefix, secret)


@transaction.atomic
def revoke_api_token(*, actor: Principal, token: ApiToken) -> ApiToken:
    policies.check(actor, "delete", token)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(actor=actor, action="api_token.revoked", target=token, changes={"name": token.name})
    return token


def note_token_use(*, token: ApiToken, ip: str | None) -> None:
    """Record when a token was last used. Usage metadata, not a change of the program: not audited.

    Written at most once a minute per token so busy clients do not write on every request.
    """
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < timedelta(minutes=1):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at = now
