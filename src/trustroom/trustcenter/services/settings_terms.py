"""Trust center settings, the confidentiality terms' versions, and visitors' acceptance of them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.trustcenter import selectors
from trustroom.trustcenter.models import (
    AccessGrant,
    ConfidentialityTerms,
    CustomerContact,
    TermsAcceptance,
    TrustCenterSettings,
)
from trustroom.trustcenter.services.common import MAX_GRANT_DAYS, VisitorPrincipal, _clean_domains

SETTINGS_FIELDS = (
    "published",
    "intro",
    "default_grant_days",
    "auto_approve_domains",
    "refused_email_domains",
    "claim_access_reviews",
    "claim_production_access",
    "claim_dr_testing",
    "claim_posture_policy",
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
