"""Cross-tenant entries of the controls app (/o/<org_slug>/controls/ and its API)."""

from __future__ import annotations

from typing import Any

from tests.controls.factories import make_world
from tests.security.cross_tenant import ORG, Route, obj
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "controls:controls": Route(ORG),
    "controls:control-create": Route(ORG),
    "controls:control-detail": Route(ORG, target=obj("control")),
    "controls:control-edit": Route(ORG, target=obj("control")),
    "controls:control-delete": Route(ORG, target=obj("control")),
    "controls:evidence-add": Route(ORG, target=obj("control")),
    "controls:evidence-remove": Route(
        ORG, target=lambda world: {"control_pk": world["control"], "pk": world["evidence"]}
    ),
    "controls:checks": Route(ORG),
    "controls:check-create": Route(ORG),
    "controls:check-detail": Route(ORG, target=obj("check")),
    "controls:check-edit": Route(ORG, target=obj("check")),
    "controls:check-delete": Route(ORG, target=obj("check")),
    "controls:check-run": Route(ORG, target=obj("check")),
    "controls:check-run-detail": Route(ORG, target=obj("check_run")),
    "controls:check-run-progress": Route(ORG, target=obj("check_run")),
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
    return make_world(actor, label)
