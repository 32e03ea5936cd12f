"""Demo trust posture of demo-co: the DR claim rests on DR-1 (stale: its drill report expired) and the
first published certification on AC-1 (ready), so the public page shows one verified claim and one "not
currently verified". Idempotent."""

from __future__ import annotations

from trustroom.controls.models import ClaimBinding, Control
from trustroom.controls.services.posture import bind_claim
from trustroom.tenancy.principal import Principal

DR_CLAIM = "program:dr_failover"


def demo_bindings(principal: Principal) -> list[tuple[str, str]]:
    """(claim key, control key) pairs of the demo."""
    from trustroom.compliance.selectors import published_certifications

    pairs = [(DR_CLAIM, "DR-1")]
    certification = next(iter(published_certifications(principal.organization)), None)
    if certification is not None:
        pairs.append((f"certification:{certification.pk}", "AC-1"))
    return pairs


def load_demo(principal: Principal) -> None:
    for claim_key, control_key in demo_bindings(principal):
        control = Control.objects.filter(key=control_key).first()
        if control is None or ClaimBinding.objects.filter(claim_key=claim_key, control=control).exists():
            continue
        bind_claim(actor=principal, claim_key=claim_key, control=control)
