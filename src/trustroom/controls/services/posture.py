"""Binding trust center claims to the controls that back them (see `trustroom.controls.posture`).

Managers bind and unbind (what the public page says is a publishing decision, like publishing the trust
center itself); every member reads the bindings. The audit event ("claim_binding.*") clears the cached
public pages through the trust center's change listener.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from trustroom.audit.services import record_event
from trustroom.controls.models import ClaimBinding, Control
from trustroom.controls.posture import claim_exists
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal


@transaction.atomic
def bind_claim(*, actor: Principal, claim_key: str, control: Control) -> ClaimBinding:
    policies.check(actor, "add", ClaimBinding)
    policies.check(actor, "view", control)
    if not claim_exists(claim_key):
        raise ValidationError({"claim_key": "No such trust center claim."})
    if ClaimBinding.objects.filter(claim_key=claim_key, control=control).exists():
        raise ValidationError({"control": f"The claim is already bound to control {control.key}."})
    binding = ClaimBinding(claim_key=claim_key, control=control, created_by=actor.user)
    binding.save()
    record_event(
        actor=actor,
        action="claim_binding.created",
        target=binding,
        changes={"claim_key": claim_key, "control": control.key},
    )
    return binding


@transaction.atomic
def unbind_claim(*, actor: Principal, binding: ClaimBinding) -> None:
    policies.check(actor, "delete", binding)
    record_event(
        actor=actor,
        action="claim_binding.deleted",
        target=binding,
        changes={"claim_key": binding.claim_key, "control": binding.control.key},
    )
    binding.delete()
