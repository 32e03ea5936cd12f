"""Cross-tenant entries of the compliance register (/o/<org_slug>/compliance/ and its API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.compliance import services
from trustroom.compliance.models import Framework
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "compliance:register": Route(ORG),
    "compliance:statement-create": Route(ORG),
    "compliance:statement-detail": Route(ORG, target=obj("statement")),
    "compliance:statement-edit": Route(ORG, target=obj("statement")),
    "compliance:statement-delete": Route(ORG, target=obj("statement")),
    "compliance:frameworks": Route(ORG),
    "compliance:certifications": Route(ORG),
    "compliance:certification-create": Route(ORG),
    "compliance:certification-detail": Route(ORG, target=obj("certification")),
    "compliance:certification-edit": Route(ORG, target=obj("certification")),
    "compliance:certification-renewal": Route(ORG, target=obj("certification")),
    "compliance:certification-supersede": Route(ORG, target=obj("certification")),
    "compliance:certification-document": Route(ORG, target=obj("certification")),
    "compliance:certification-delete": Route(ORG, target=obj("certification")),
    "framework-list": Route(ORG, api=True),
    "framework-detail": Route(ORG, api=True, target=obj("custom_framework")),
    "compliance-statement-list": Route(ORG, api=True),
    "compliance-statement-detail": Route(ORG, api=True, target=obj("statement")),
    "certification-list": Route(ORG, api=True),
    "certification-detail": Route(ORG, api=True, target=obj("certification")),
    "certification-start-renewal": Route(ORG, api=True, target=obj("certification")),
    "certification-supersede": Route(ORG, api=True, target=obj("certification")),
    "certification-document": Route(ORG, api=True, target=obj("certification")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A custom framework, a statement (with history) and two certifications of one series."""
    custom = services.create_custom_framework(actor=actor, name=f"{label} customer schedule")
    statement = services.create_statement(
        actor=actor,
        framework=Framework.objects.get(code="gdpr"),
        status="compliant",
        summary=f"{label} complies with GDPR",
        measures=[f"{label} measure"],
        visibility="private",
    )
    today = dt.datetime.now(dt.UTC).date()
    older = services.create_certification(
        actor=actor,
        kind="certificate",
        title=f"{label} ISO certificate 1",
        series=f"{label}-iso",
        valid_from=today - dt.timedelta(days=400),
        valid_until=today + dt.timedelta(days=20),
        visibility="private",
    )
    newer = services.create_certification(
        actor=actor,
        kind="certificate",
        title=f"{label} ISO certificate 2",
        series=f"{label}-iso",
        valid_from=today,
        valid_until=today + dt.timedelta(days=3 * 365),
        visibility="private",
    )
    return {
        "custom_framework": custom.pk,
        "statement": statement.pk,
        "certification": older.pk,
        "newer_certification": newer.pk,
    }
