"""Every claim the public trust center can show, with its key, bound controls, policy and resulting posture
(the organization's side of `trustroom.controls.posture`; reads, inside the organization's scope)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trustroom.compliance.models import Visibility
from trustroom.controls.models import ClaimBinding
from trustroom.controls.posture import DR_CLAIM, ClaimPosture, Posture, posture
from trustroom.trustcenter.cache import utc_now
from trustroom.trustcenter.models import INHERIT, ClaimPolicy, ClaimPosturePolicy

PROGRAM_TITLES = {
    "program:access_reviews": "Access reviews",
    DR_CLAIM: "Disaster recovery tested (every plan)",
    "program:production_access": "Production access limited",
}
POLICY_LABELS = dict(ClaimPosturePolicy.choices)


def public_posture(now: datetime | None = None) -> Posture:
    """The posture of every bound claim under the organization's default and per-claim policies."""
    from trustroom.trustcenter.selectors import trust_center_settings

    overrides = dict(ClaimPolicy.objects.values_list("claim_key", "policy"))
    return posture(trust_center_settings().claim_posture_policy, now or utc_now(), overrides)


@dataclass(frozen=True)
class ClaimRow:
    claim_key: str
    kind: str
    title: str
    shown: bool  # whether the public trust center would show the claim (before its posture)
    bindings: list[ClaimBinding] = field(default_factory=list)
    posture: ClaimPosture | None = None
    policy: str = INHERIT  # the claim's own choice: inherit, show_as_stale or hide
    effective_policy: str = ClaimPosturePolicy.SHOW_AS_STALE

    @property
    def effective_policy_label(self) -> str:
        return POLICY_LABELS.get(self.effective_policy, self.effective_policy)

    @property
    def public_posture(self) -> str:
        if not self.shown:
            return "Not on the trust center"
        if self.posture is None:
            return "Shown (not bound to controls)"
        if self.posture.verified:
            return "Shown as verified"
        if self.posture.hidden:
            return f"Hidden: {self.posture.reason}"
        return f"Shown as not currently verified: {self.posture.reason}"


def _dr_plan_claims() -> list[tuple[str, str, str]]:
    """One claim per DR plan with a recorded drill (as `program_claims.dr_claims` shows them)."""
    from trustroom.resilience.models import DrPlan

    drilled = DrPlan.objects.filter(drills__isnull=False).distinct().order_by("service", "pk")
    return [
        (f"{DR_CLAIM}:{pk}", "Security program", f"Disaster recovery: {service}")
        for pk, service in drilled.values_list("pk", "service")
    ]


def claim_catalog(organization: Any, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """(claim key, kind, title) of every claim the public trust center shows now."""
    from trustroom.compliance.selectors import published_certifications, published_statements
    from trustroom.trustcenter.attestations import published_attestations
    from trustroom.trustcenter.selectors import trust_center_settings

    now = now or utc_now()
    found: list[tuple[str, str, str]] = []
    for statement in published_statements(organization):
        if statement.visibility != Visibility.PRIVATE:
            found.append((f"statement:{statement.pk}", "Compliance statement", str(statement.framework)))
    for certification in published_certifications(organization, now=now):
        if certification.visibility != Visibility.PRIVATE:
            found.append((f"certification:{certification.pk}", "Certification", certification.title))
    for attestation in published_attestations(now=now):
        found.append((attestation.claim_key, "Safe to host", attestation.application))
    config = trust_center_settings()
    switches = {
        "program:access_reviews": config.claim_access_reviews,
        DR_CLAIM: config.claim_dr_testing,
        "program:production_access": config.claim_production_access,
    }
    for key, title in PROGRAM_TITLES.items():
        if switches[key]:
            found.append((key, "Security program", title))
        if key == DR_CLAIM and switches[key]:
            found.extend(_dr_plan_claims())
    return found


def claim_rows(organization: Any, now: datetime | None = None) -> list[ClaimRow]:
    """Every public claim, and every claim bound or given a policy, with its posture and policy now."""
    now = now or utc_now()
    current = public_posture(now)
    bindings: dict[str, list[ClaimBinding]] = {}
    for binding in ClaimBinding.objects.select_related("control"):
        bindings.setdefault(binding.claim_key, []).append(binding)
    catalog = claim_catalog(organization, now)
    listed = {key for key, _, _ in catalog}
    unlisted = sorted((set(bindings) | set(current.overrides)) - listed)
    entries = [(key, kind, title, True) for key, kind, title in catalog]
    entries += [(key, "Not shown now", key, False) for key in unlisted]
    return [
        ClaimRow(
            key,
            kind,
            title,
            shown,
            bindings.get(key, []),
            current.for_claim(key),
            current.overrides.get(key, INHERIT),
            current.policy_of(key),
        )
        for key, kind, title, shown in entries
    ]
