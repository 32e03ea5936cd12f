"""A public claim's own posture policy, overriding the organization's default for that claim.

"inherit" removes the override. The public pages are cleared at once (and again after commit, see
`cache.invalidate_trust_center`), so a changed policy never waits for a cached page to expire.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from trustroom.audit.services import record_event
from trustroom.controls.posture import claim_exists
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.trustcenter.cache import invalidate_trust_center
from trustroom.trustcenter.models import INHERIT, ClaimPolicy, ClaimPosturePolicy

CLAIM_POLICY_CHOICES = [(INHERIT, "Inherit the default"), *ClaimPosturePolicy.choices]


@transaction.atomic
def set_claim_policy(*, actor: Principal, claim_key: str, policy: str) -> ClaimPolicy | None:
    """Set one claim's policy ("inherit", "show_as_stale" or "hide"); the override, None for inherit."""
    current = ClaimPolicy.objects.select_for_update().filter(claim_key=claim_key).first()
    action = "delete" if policy == INHERIT else "change" if current is not None else "add"
    policies.check(actor, action, current or ClaimPolicy)
    if policy not in dict(CLAIM_POLICY_CHOICES):
        allowed = ", ".join(value for value, _ in CLAIM_POLICY_CHOICES)
        raise ValidationError({"policy": f"Use one of {allowed}."})
    if current is None and not claim_exists(claim_key):
        raise ValidationError({"claim_key": "No such trust center claim."})
    before = current.policy if current is not None else INHERIT
    if before == policy:
        return current
    changes = {"claim_key": claim_key, "policy": [before, policy]}
    if current is not None and policy == INHERIT:
        record_event(actor=actor, action="claim_policy.deleted", target=current, changes=changes)
        current.delete()
        current = None
    else:
        claim_policy = current or ClaimPolicy(claim_key=claim_key)
        claim_policy.policy = policy
        claim_policy.updated_by = actor.user if actor.is_member else None
        claim_policy.save()
        verb = "updated" if current is not None else "created"
        record_event(actor=actor, action=f"claim_policy.{verb}", target=claim_policy, changes=changes)
        current = claim_policy
    invalidate_trust_center(actor.organization.pk)
    return current
