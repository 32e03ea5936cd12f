"""Cross-tenant entries of the auditor workspace (/o/<org_slug>/controls/audit/ and its API)."""

from __future__ import annotations

from typing import Any

from tests.controls.audit_factories import make_audit_world
from tests.security.cross_tenant import ORG, Route, obj
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "controls:audit-periods": Route(ORG),
    "controls:audit-period-create": Route(ORG),
    "controls:audit-period-detail": Route(ORG, target=obj("audit_period")),
    "controls:audit-period-edit": Route(ORG, target=obj("audit_period")),
    "controls:audit-period-delete": Route(ORG, target=obj("audit_period")),
    "controls:audit-period-status": Route(ORG, target=obj("audit_period")),
    "controls:audit-auditor-assign": Route(ORG, target=obj("audit_period")),
    "controls:audit-auditor-unassign": Route(
        ORG, target=lambda world: {"period_pk": world["audit_period"], "pk": world["auditor_assignment"]}
    ),
    "controls:evidence-package-export": Route(ORG, target=obj("audit_period")),
    "controls:evidence-package": Route(ORG, target=obj("evidence_package")),
    "controls:evidence-package-progress": Route(ORG, target=obj("evidence_package")),
    "controls:evidence-package-download": Route(ORG, target=obj("evidence_package")),
    "audit-period-list": Route(ORG, api=True),
    "audit-period-detail": Route(ORG, api=True, target=obj("audit_period")),
    "audit-period-assign": Route(ORG, api=True, target=obj("audit_period")),
    "audit-period-unassign": Route(ORG, api=True, target=obj("audit_period")),
    "audit-period-readiness": Route(ORG, api=True, target=obj("audit_period")),
    "evidence-package-list": Route(ORG, api=True),
    "evidence-package-detail": Route(ORG, api=True, target=obj("evidence_package")),
    "evidence-package-download": Route(ORG, api=True, target=obj("evidence_package")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """An audit period with evidence in its window, an assigned auditor and a built package (so every
    workspace table has rows)."""
    return make_audit_world(actor, label)
