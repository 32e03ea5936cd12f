"""Cross-tenant entries of the trust posture (claims bound to controls, per-claim policies): the admin
tab and its API."""

from __future__ import annotations

from typing import Any

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.controls import services
from trustroom.controls.services.posture import bind_claim
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.trustcenter.services import set_claim_policy

ROUTES: dict[str, Route] = {
    "trustcenter:posture": Route(ORG),
    "trustcenter:posture-unbind": Route(ORG, target=obj("claim_binding")),
    "trustcenter:posture-claim-policy": Route(ORG),
    "claim-binding-list": Route(ORG, api=True),
    "claim-binding-detail": Route(ORG, api=True, target=obj("claim_binding")),
    "claim-policy-list": Route(ORG, api=True),
    "claim-policy-detail": Route(ORG, api=True, target=obj("claim_policy")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A control of its own backing the DR claim, whose policy hides it (so the claim bindings and claim
    policies tables have rows)."""
    control = services.create_control(actor=actor, key=f"{label.upper()[:8]}-P1", name=f"{label} posture")
    binding = bind_claim(actor=actor, claim_key="program:dr_failover", control=control)
    claim_policy = set_claim_policy(actor=actor, claim_key="program:dr_failover", policy="hide")
    assert claim_policy is not None
    return {"claim_binding": binding.pk, "claim_policy": claim_policy.pk}
