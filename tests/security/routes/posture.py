"""Cross-tenant entries of the trust posture (claims bound to controls): the admin tab and its API."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.controls import services
from trustroom.controls.services.posture import bind_claim
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal

ROUTES: dict[str, Route] = {
    "trustcenter:posture": Route(ORG),
    "trustcenter:posture-unbind": Route(ORG, target=obj("claim_binding")),
    "claim-binding-list": Route(ORG, api=True),
    "claim-binding-detail": Route(ORG, api=True, target=obj("claim_binding")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A control of its own backing the DR claim (so the claim bindings table has rows)."""
    control = services.create_control(actor=actor, key=f"{label.upper()[:8]}-P1", name=f"{label} posture")
    binding = bind_claim(actor=actor, claim_key="program:dr_failover", control=control)
    return {"claim_binding": binding.pk}
