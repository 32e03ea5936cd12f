"""Every claim the public trust center can show, with its key, bound controls and resulting posture
(the organization's side of `trustroom.controls.posture`; reads, inside the organization's scope)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trustroom.compliance.models import Visibility
from trustroom.controls.models import ClaimBinding
from trustroom.controls.posture import ClaimPosture, posture
from trustroom.trustcenter.cache import utc_now

PROGRAM_TITLES = {
    "program:access_reviews": "Access reviews",
    "program:dr_failover": "Disaster recovery tested",
    "program:production_access": "Production access limited",
}


@dataclass(frozen=True)
class ClaimRow:
    claim_key: str
    kind: str
    title: str
    shown: bool  # whether the public trust center would show the claim (before its posture)
    bindings: list[ClaimBinding] = field(default_factory=list)
    posture: ClaimPosture | None = None

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
        "program:dr_failover": config.claim_dr_testing,
        "program:production_access": config.claim_production_access,
    }
    for key, title in PROGRAM_TITLES.items():
        if switches[key]:
            found.append((key, "Security program", title))
    return found


def claim_rows(organization: Any, now: datetime | None = None) -> list[ClaimRow]:
    """Every public claim and every bound claim, with its bindings and its posture now."""
    from trustroom.trustcenter.selectors import trust_center_settings

    now = now or utc_now()
    current = posture(trust_center_settings().claim_posture_policy, now)
    bindings: dict[str, list[ClaimBinding]] = {}
    for binding in ClaimBinding.objects.select_related("control"):
        bindings.setdefault(binding.claim_key, []).append(binding)
    rows = []
    catalog = claim_catalog(organization, now)
    for key, kind, title in catalog:
        rows.append(ClaimRow(key, kind, title, True, bindings.get(key, []), current.claims.get(key)))
    listed = {key for key, _, _ in catalog}
    for key in sorted(set(bindings) - listed):
        rows.append(ClaimRow(key, "Not shown now", key, False, bindings[key], current.claims.get(key)))
    return rows
