"""Cross-tenant entries of the document vault (/o/<org_slug>/vault/ and /api/v1/orgs/<org_slug>/documents/)."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.vault.samples import sample_pdf
from trustroom.vault.services import store_document

ROUTES: dict[str, Route] = {
    "vault:documents": Route(ORG),
    "vault:upload": Route(ORG),
    "vault:detail": Route(ORG, target=obj("document")),
    "vault:download": Route(ORG, target=obj("document")),
    "vault:delete": Route(ORG, target=obj("document")),
    "document-list": Route(ORG, api=True),
    "document-detail": Route(ORG, api=True, target=obj("document")),
    "document-download": Route(ORG, api=True, target=obj("document")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """One stored document whose title and PDF text both carry the label."""
    content = sample_pdf(title=f"{label} SOC 2 Type 2 report", lines=[f"Prepared for {label} co"], pages=2)
    document = store_document(
        actor=actor, title=f"{label} SOC 2 Type 2 report", content=content, filename=f"{label}-soc2.pdf"
    )
    return {"document": document.pk}
