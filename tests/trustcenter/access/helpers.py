"""Shared set-up of the trust center access tests: a published trust center with terms and gated
documents, built through the real services of vault, compliance and trust center."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core import mail

from trustroom.compliance.models import Certification
from trustroom.compliance.services import attach_document, create_certification
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter import services
from trustroom.vault.samples import sample_pdf

TERMS_V1 = "You will keep these documents confidential. Version one."


def owner_principal(org: Organization, user: Any) -> Principal:
    return Principal(organization=org, role=Role.OWNER, user=user)


def gated_certificate(
    org: Organization, actor: Principal, title: str, *, visibility: str = "gated", pages: int = 2
) -> Certification:
    """A certification with its PDF stored in the vault, through the compliance services."""
    with org_scope(org):
        today = dt.datetime.now(dt.UTC).date()
        cert = create_certification(
            actor=actor,
            kind="certificate",
            title=title,
            valid_from=today - dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=300),
            visibility=visibility,
        )
        attach_document(
            actor=actor,
            certification=cert,
            content=sample_pdf(title=title, lines=[f"{title} certificate body"], pages=pages),
            filename=f"{title}.pdf",
        )
        cert.refresh_from_db()
        return cert


def publish_trust_center(org: Organization, actor: Principal, **settings: Any) -> None:
    with org_scope(org):
        services.update_settings(actor=actor, published=True, **settings)
        services.publish_terms(actor=actor, body=TERMS_V1)


def link_from_outbox(pattern: str) -> str:
    """The last e-mailed link whose path matches `pattern` (path only, ready for the test client)."""
    for message in reversed(mail.outbox):
        found = re.search(r"https?://[^/\s]+(/\S*" + pattern + r"\S*)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no e-mail with a link matching {pattern!r}")
