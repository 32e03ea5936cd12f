"""Reads of the trust center's access records. Every function runs inside the organization's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Case, IntegerField, QuerySet, Value, When

from trustroom.trustcenter.models import (
    AccessGrant,
    AccessRequest,
    ConfidentialityTerms,
    CustomerAccount,
    CustomerContact,
    RequestStatus,
    TermsAcceptance,
    TrustCenterSettings,
)
from trustroom.vault.models import Document

GATED = "gated"
PUBLIC = "public"


@dataclass(frozen=True)
class GatedItem:
    """A document the trust center offers behind access: the record it belongs to, and its title."""

    document: Document
    title: str
    kind: str
    record: Any


def _published_models() -> list[Any]:
    """Models of the compliance register whose records carry a `document` and a `visibility`
    (certifications, audit reports, …): whatever the compliance app defines, found by shape."""
    found = []
    try:
        config = apps.get_app_config("compliance")
    except LookupError:  # pragma: no cover - the app is always installed
        return []
    for model in config.get_models():
        names = {field.name for field in model._meta.get_fields()}
        if {"document", "visibility"} <= names:
            found.append(model)
    return found


def offered_items(*, visibilities: tuple[str, ...] = (GATED,)) -> list[GatedItem]:
    """Records with a document whose visibility is in `visibilities`, in the current organization."""
    items: list[GatedItem] = []
    seen: set[int] = set()
    for model in _published_models():
        records = (
            model._default_manager.filter(visibility__in=visibilities, document__isnull=False)
            .select_related("document")
            .order_by("pk")
        )
        for record in records:
            document = record.document
            if document.pk in seen:
                continue
            seen.add(document.pk)
            kind_display = getattr(record, "get_kind_display", None)
            kind = str(kind_display()) if callable(kind_display) else str(model._meta.verbose_name)
            items.append(GatedItem(document=document, title=str(record), kind=kind, record=record))
    return sorted(items, key=lambda item: item.title.lower())


def gated_items() -> list[GatedItem]:
    return offered_items(visibilities=(GATED,))


def downloadable_document_ids() -> set[int]:
    """Documents that may still be handed out through a grant: attached to a record that is gated
    (or has since become public). A record made private, or a document detached, is no longer offered."""
    return {item.document.pk for item in offered_items(visibilities=(GATED, PUBLIC))}


def trust_center_settings() -> TrustCenterSettings:
    """The organization's settings, or the defaults (unsaved) when they were never changed."""
    found = TrustCenterSettings.objects.first()
    return found if found is not None else TrustCenterSettings()


def current_terms() -> ConfidentialityTerms | None:
    return ConfidentialityTerms.objects.order_by("-version").first()


def grant_document_ids(grant: AccessGrant) -> set[int] | None:
    """The documents a grant covers; None means every gated document."""
    if grant.all_gated_documents:
        return None
    return set(grant.document_links.values_list("document_id", flat=True))


def account_document_ids(account: CustomerAccount) -> set[int] | None:
    if account.all_gated_documents:
        return None
    return set(account.document_links.values_list("document_id", flat=True))


def items_for_scope(scope: set[int] | None) -> list[GatedItem]:
    """The gated items a grant or account scope may see (None = all of them)."""
    return [item for item in gated_items() if scope is None or item.document.pk in scope]


def current_acceptance(
    *, grant: AccessGrant | None = None, contact: CustomerContact | None = None
) -> TermsAcceptance | None:
    """The grant's (or contact's) acceptance of the CURRENT terms version; None if they must accept."""
    terms = current_terms()
    if terms is None:
        return None
    acceptances = TermsAcceptance.objects.filter(terms=terms)
    if grant is not None:
        acceptances = acceptances.filter(grant=grant)
    elif contact is not None:
        acceptances = acceptances.filter(contact=contact)
    else:
        return None
    return acceptances.order_by("-accepted_at").first()


def requests_pending_first() -> QuerySet[AccessRequest]:
    order = Case(
        When(status=RequestStatus.PENDING, then=Value(0)),
        When(status=RequestStatus.UNVERIFIED, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        AccessRequest.objects.select_related("decided_by")
        .annotate(_order=order)
        .order_by("_order", "-created_at")
    )


def contact_for_user(user: Any) -> CustomerContact | None:
    """The customer contact a signed-in person is, in the current organization: matched on their
    e-mail, which must be verified (an unverified address proves nothing)."""
    if not getattr(user, "is_authenticated", False):
        return None
    from allauth.account.models import EmailAddress

    email = (getattr(user, "email", "") or "").lower()
    if not email or not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return None
    return CustomerContact.objects.select_related("account").filter(email__iexact=email).first()


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def customer_account_for_domain(domain: str) -> CustomerAccount | None:
    if not domain:
        return None
    for account in CustomerAccount.objects.order_by("pk"):
        if domain in {d.lower() for d in account.email_domains}:
            return account
    return None
