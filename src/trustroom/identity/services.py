"""Writes of the identity app: API tokens and the organization's security policy."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.identity import tokens
from trustroom.identity.models import (
    SESSION_LIFETIME_MAX_MINUTES,
    SESSION_LIFETIME_MIN_MINUTES,
    ApiToken,
    SecurityPolicy,
    TokenScope,
)
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
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


# --- The organization's security policy ------------------------------------------------------------

SECURITY_POLICY_FIELDS = ("require_mfa", "session_lifetime_minutes", "allowed_email_domains", "sso_only")
# A host name as DNS allows it (labels of letters, digits and inner hyphens), with at least one dot.
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
SSO_REQUIRED_MESSAGE = "Add an SSO connection first: SSO-only mode would leave nobody a way to sign in."


def has_sso_connection(organization: Organization) -> bool:
    """Whether the organization can sign its members in through SSO (an enabled connection)."""
    from trustroom.identity.sso.connections import has_enabled_connection

    return has_enabled_connection(organization)


def clean_domains(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationError({"allowed_email_domains": 'Give a list of domains, e.g. ["example.com"].'})
    domains: list[str] = []
    for item in value:
        domain = str(item).strip().lower().removeprefix("@") if isinstance(item, str) else ""
        if not _DOMAIN.match(domain):
            raise ValidationError(
                {"allowed_email_domains": f"“{item}” is not a domain name (like example.com)."}
            )
        if domain not in domains:
            domains.append(domain)
    return domains


def _clean_policy_changes(organization: Organization, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(SECURITY_POLICY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown security policy fields: {', '.join(sorted(unknown))}")
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for field in ("require_mfa", "sso_only"):
        if field in changes:
            if not isinstance(changes[field], bool):
                errors[field] = "Give true or false."
            else:
                cleaned[field] = changes[field]
    if "session_lifetime_minutes" in changes:
        minutes = changes["session_lifetime_minutes"]
        low, high = SESSION_LIFETIME_MIN_MINUTES, SESSION_LIFETIME_MAX_MINUTES
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            errors["session_lifetime_minutes"] = "Give a whole number of minutes."
        elif not low <= minutes <= high:
            errors["session_lifetime_minutes"] = (
                f"A session may last from {low} minutes to {high} minutes (30 days)."
            )
        else:
            cleaned["session_lifetime_minutes"] = minutes
    if "allowed_email_domains" in changes:
        try:
            cleaned["allowed_email_domains"] = clean_domains(changes["allowed_email_domains"])
        except ValidationError as error:
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if cleaned.get("sso_only") and not has_sso_connection(organization):
        errors["sso_only"] = SSO_REQUIRED_MESSAGE
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def update_security_policy(*, actor: Principal, **changes: Any) -> SecurityPolicy:
    """Change the organization's security policy (created with the defaults on first change).

    Audited as `security_policy.updated` with each changed field's value before and after.
    """
    policies.check(actor, "change", SecurityPolicy)
    org = require_org()
    cleaned = _clean_policy_changes(org, changes)
    policy = SecurityPolicy.objects.select_for_update().filter(organization=org).first()
    if policy is None:
        policy = SecurityPolicy(organization=org)
    before = {field: getattr(policy, field) for field in SECURITY_POLICY_FIELDS}
    for field, value in cleaned.items():
        setattr(policy, field, value)
    diff = {
        field: [before[field], getattr(policy, field)]
        for field in SECURITY_POLICY_FIELDS
        if before[field] != getattr(policy, field)
    }
    if not diff and policy.pk is not None:
        return policy
    policy.updated_by = actor.user if actor.is_member else None
    policy.updated_at = timezone.now()
    policy.save()
    record_event(
        actor=actor,
        action="security_policy.updated",
        target=policy,
        changes={
            "before": {field: values[0] for field, values in diff.items()},
            "after": {field: values[1] for field, values in diff.items()},
        },
    )
    return policy
