"""Records of the controls app for tests, made through the services (as the app makes them)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from trustroom.compliance.models import Requirement
from trustroom.controls import services
from trustroom.controls.models import Check, Control
from trustroom.tenancy.principal import Principal

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
FIXTURES = Path(__file__).parent / "fixtures"


def requirement_ids(*pairs: tuple[str, str]) -> list[int]:
    """Ids of built-in requirements by (framework code, identifier)."""
    return [Requirement.objects.get(framework__code=code, identifier=ident).pk for code, ident in pairs]


def make_control(actor: Principal, **fields: Any) -> Control:
    values: dict[str, Any] = {"key": "DR-1", "name": "Database failover is drilled"}
    values.update(fields)
    return services.create_control(actor=actor, **values)


def inventory(*resources: tuple[str, str, str]) -> bytes:
    """A Config snapshot listing (resource type, name, region) items."""
    items = [
        {"resourceType": kind, "resourceId": name, "resourceName": name, "awsRegion": region}
        for kind, name, region in resources
    ]
    return json.dumps({"configurationItems": items}).encode()


def make_residency_check(actor: Principal, *, controls: Any = (), **fields: Any) -> Check:
    values: dict[str, Any] = {
        "name": "Data residency",
        "kind": "data_residency",
        "parameters": {"allowed_regions": ["ap-south-1"], "source": "config_snapshot"},
        "schedule": "FREQ=DAILY",
        "controls": list(controls),
    }
    values.update(fields)
    return services.create_check(actor=actor, **values)


def make_world(actor: Principal, label: str) -> dict[str, Any]:
    """A row in every controls table, names carrying `label`: a control mapped to a requirement with link
    evidence, a residency check feeding it with an imported snapshot and one run."""
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
    check = make_residency_check(actor, name=f"{label} residency", controls=[control])
    raw = inventory(("AWS::RDS::DBCluster", f"{label}-db", "us-east-1"))
    services.import_snapshot(actor=actor, check=check, raw=raw, filename=f"{label}.json")
    run = services.run_check(actor=actor, check=check)
    return {"control": control.pk, "evidence": evidence.pk, "check": check.pk, "check_run": run.pk}
