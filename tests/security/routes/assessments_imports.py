"""Cross-tenant entries of scanner imports (/o/<org_slug>/assessments/imports/ and its API)."""

from __future__ import annotations

import io
import json
from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.assessments import services
from trustroom.assessments.imports import import_findings
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "assessments:import-list": Route(ORG),
    "assessments:import-create": Route(ORG),
    "assessments:import-detail": Route(ORG, target=obj("finding_import")),
    "assessments:import-progress": Route(ORG, target=obj("finding_import")),
    "finding-import-list": Route(ORG, api=True),
    "finding-import-detail": Route(ORG, api=True, target=obj("finding_import")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """An application with one finished import of a one-result SARIF report."""
    application = services.create_application(actor=actor, name=f"{label} scanned app", criticality="high")
    report = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": f"{label} scanner"}},
                "results": [
                    {"ruleId": f"{label}-rule", "level": "error", "message": {"text": f"{label} issue"}}
                ],
            }
        ],
    }
    result = import_findings(
        actor=actor,
        application=application,
        file=io.BytesIO(json.dumps(report).encode()),
        filename=f"{label}-scan.sarif",
    )
    return {"finding_import": result.import_id}
