"""Cross-tenant entries of the controls app (/o/<org_slug>/controls/ and its API)."""

from __future__ import annotations

import json
from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.compliance.models import Requirement
from trustroom.controls import services
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "controls:controls": Route(ORG),
    "controls:control-detail": Route(ORG, target=obj("control")),
    "controls:evidence-add": Route(ORG, target=obj("control")),
    "controls:checks": Route(ORG),
    "controls:check-detail": Route(ORG, target=obj("check")),
    "controls:check-run": Route(ORG, target=obj("check")),
    "controls:snapshot-upload": Route(ORG, target=obj("check")),
    "control-list": Route(ORG, api=True),
    "control-detail": Route(ORG, api=True, target=obj("control")),
    "evidence-list": Route(ORG, api=True),
    "evidence-detail": Route(ORG, api=True, target=obj("evidence")),
    "check-list": Route(ORG, api=True),
    "check-detail": Route(ORG, api=True, target=obj("check")),
    "check-run": Route(ORG, api=True, target=obj("check")),
    "check-snapshot": Route(ORG, api=True, target=obj("check")),
    "check-run-list": Route(ORG, api=True),
    "check-run-detail": Route(ORG, api=True, target=obj("check_run")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A control mapped to a requirement with link evidence, and a residency check with a snapshot and a run
    (so every controls table has rows)."""
    requirement = Requirement.objects.get(framework__code="iso27001-2022", identifier="A.5.23")
    control = services.create_control(
        actor=actor, key=f"{label.upper()}-1", name=f"{label} data stays home", requirements=[requirement.pk]
    )
    evidence = services.add_evidence(
        actor=actor,
        control=control,
        kind="link",
        url=f"https://{label}.example/evidence",
        note=f"{label} note",
    )
    check = services.create_check(
        actor=actor,
        name=f"{label} residency",
        kind="data_residency",
        parameters={"allowed_regions": ["ap-south-1"], "source": "config_snapshot"},
        controls=[control],
    )
    items = [{"resourceType": "AWS::RDS::DBCluster", "resourceId": f"{label}-db", "awsRegion": "us-east-1"}]
    raw = json.dumps({"configurationItems": items}).encode()
    services.import_snapshot(actor=actor, check=check, raw=raw, filename=f"{label}.json")
    run = services.run_check(actor=actor, check=check)
    return {"control": control.pk, "evidence": evidence.pk, "check": check.pk, "check_run": run.pk}
