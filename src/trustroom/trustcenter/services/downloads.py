"""Downloads: signed links, and the one check every download passes (`authorize_download`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import require_org
from trustroom.trustcenter import selectors
from trustroom.trustcenter.models import AccessGrant, CustomerContact, DownloadEvent, TermsAcceptance
from trustroom.trustcenter.services.common import LinkRefused, VisitorPrincipal, grant_refusal
from trustroom.vault.models import Document

DOWNLOAD_LINK_SECONDS = 300  # a download link works for five minutes
DOWNLOAD_SALT = "trustroom.trustcenter.download"


def download_token(*, document: Document, acceptance: TermsAcceptance) -> str:
    """A link token for one document, bound to the grant (or contact), the acceptance and the
    organization; signed and timestamped, valid DOWNLOAD_LINK_SECONDS."""
    payload = {
        "o": acceptance.organization_id,
        "g": acceptance.grant_id,
        "c": acceptance.contact_id,
        "d": document.pk,
        "a": acceptance.pk,
    }
    return signing.dumps(payload, salt=DOWNLOAD_SALT)


@dataclass(frozen=True)
class AuthorizedDownload:
    document: Document
    title: str
    acceptance: TermsAcceptance
    grant: AccessGrant | None
    contact: CustomerContact | None
    name: str
    email: str


def authorize_download(*, token: str, user: Any = None, now: datetime | None = None) -> AuthorizedDownload:
    """Everything a download must satisfy, checked in one place, failing closed (LinkRefused):
    the signature is valid and younger than DOWNLOAD_LINK_SECONDS; it was made for this organization;
    the grant is active (not expired, not revoked) — or the signed-in person is still the customer
    contact; the acceptance it carries is theirs and of the CURRENT terms; the document is still offered
    (gated or public, not private) and within the grant's (or account's) documents."""
    org = require_org()
    try:
        payload = signing.loads(token, salt=DOWNLOAD_SALT, max_age=DOWNLOAD_LINK_SECONDS)
    except signing.SignatureExpired as error:
        raise LinkRefused("expired") from error
    except signing.BadSignature as error:
        raise LinkRefused("invalid") from error
    if not isinstance(payload, dict) or payload.get("o") != org.pk:
        raise LinkRefused("invalid")
    acceptance_id = payload.get("a")
    if not isinstance(acceptance_id, int):
        raise LinkRefused("invalid")
    acceptance = TermsAcceptance.objects.select_related("terms").filter(pk=acceptance_id).first()
    if acceptance is None:
        raise LinkRefused("invalid")
    terms = selectors.current_terms()
    if terms is None or acceptance.terms_id != terms.pk:
        raise LinkRefused("terms")
    grant: AccessGrant | None = None
    contact: CustomerContact | None = None
    if payload.get("g") is not None:
        grant = AccessGrant.objects.filter(pk=payload["g"]).first()
        if grant is None or acceptance.grant_id != grant.pk:
            raise LinkRefused("invalid")
        if not grant.is_active(now):
            raise LinkRefused(grant_refusal(grant, now))
        scope = selectors.grant_document_ids(grant)
        name, email = grant.name, grant.email
    elif payload.get("c") is not None:
        contact = selectors.contact_for_user(user)
        if contact is None or contact.pk != payload["c"] or acceptance.contact_id != contact.pk:
            raise LinkRefused("invalid")
        scope = selectors.account_document_ids(contact.account)
        name, email = contact.name or contact.email, contact.email
    else:
        raise LinkRefused("invalid")
    document_id = payload.get("d")
    if not isinstance(document_id, int) or (scope is not None and document_id not in scope):
        raise LinkRefused("document")
    offered = {item.document.pk: item for item in selectors.offered_items(visibilities=("gated", "public"))}
    item = offered.get(document_id)
    if item is None:
        raise LinkRefused("document")
    return AuthorizedDownload(
        document=item.document,
        title=item.title,
        acceptance=acceptance,
        grant=grant,
        contact=contact,
        name=name,
        email=email,
    )


def watermark_lines(*, organization: Organization, name: str, email: str, at: datetime) -> list[str]:
    stamp = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return [
        f"Confidential - provided by {organization.name} to {name} <{email}>",
        f"Downloaded {stamp} - do not redistribute",
    ]


@transaction.atomic
def download_document(
    *, authorized: AuthorizedDownload, ip: str | None = None, user_agent: str = ""
) -> tuple[bytes, str]:
    """Produce the copy watermarked for this viewer (name, e-mail and UTC time on every page), and
    record the download (report row + audit event). Returns the PDF and its server-made file name."""
    from trustroom.vault.selectors import document_bytes
    from trustroom.vault.watermark import watermark_pdf

    org = require_org()
    now = timezone.now()
    pdf = watermark_pdf(
        document_bytes(authorized.document),
        lines=watermark_lines(organization=org, name=authorized.name, email=authorized.email, at=now),
    )
    event = DownloadEvent.objects.create(
        document=authorized.document,
        document_title=authorized.title[:300],
        grant=authorized.grant,
        contact=authorized.contact,
        acceptance=authorized.acceptance,
        name=authorized.name,
        email=authorized.email,
        downloaded_at=now,
        ip=ip or None,
        user_agent=user_agent[:400],
    )
    record_event(
        actor=VisitorPrincipal(org, name=authorized.name, email=authorized.email),
        action="trustcenter.document_downloaded",
        target=authorized.document,
        changes={
            "document": authorized.title,
            "grant": getattr(authorized.grant, "pk", None),
            "contact": getattr(authorized.contact, "pk", None),
            "terms_version": authorized.acceptance.terms.version,
            "download": event.pk,
        },
    )
    return pdf, authorized.document.download_filename
