"""Trust posture: what the public trust center says of a claim bound to controls (computed when read).

Every claim the public trust center shows has a stable key:

- `statement:<id>` a compliance statement, `certification:<id>` a certification or audit report;
- `attestation:<application id>` a "safe to host" attestation;
- `program:access_reviews`, `program:dr_failover`, `program:production_access` the program claims;
- `program:dr_failover:<DR plan id>` the DR claim of one plan (the trust center shows one per plan). The
  overall `program:dr_failover` is its parent: a control bound to it backs every plan's claim, a control
  bound to a plan's key backs only that plan's (a failing drill control of plan A never marks plan B).

A claim bound to one or more controls (`ClaimBinding`) is *verified* while every bound control is ready,
and shows "Verified by N controls, evidence as of <date>". Otherwise, by its policy, it is shown with
"Not currently verified: …" or hidden: the claim's own override (`trustcenter.ClaimPolicy`), else its
parent's, else the organization's default (`TrustCenterSettings.claim_posture_policy`). No policy shows a
claim whose controls are not all ready as plainly verified. A claim bound to nothing shows as before.
Nothing is stored: the state comes from the evidence at `now`, and `Posture.changes_at` is the next
moment it can change by itself (an evidence item starts or expires), which bounds how long a rendered
page may be cached (`trustcenter/cache.py`); a policy change clears the cached pages at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.utils import timezone

from trustroom.controls.models import ClaimBinding, Control, Evidence
from trustroom.controls.state import ControlStatus, control_status, evidence_passed, is_fresh

SHOW_AS_STALE = "show_as_stale"
HIDE = "hide"
PROGRAM_KEYS = ("access_reviews", "dr_failover", "production_access")
DR_CLAIM = "program:dr_failover"  # the overall DR claim; `program:dr_failover:<plan id>` one plan's

Item = TypeVar("Item")


@dataclass(frozen=True)
class BoundControl:
    key: str
    name: str
    status: str
    since: dt.datetime | None  # stale: when its last fresh evidence expired; failing: the failed result
    evidence_as_of: dt.datetime | None  # the newest fresh evidence's effective moment (when ready)

    @property
    def reason(self) -> str:
        when = f" since {self.since:%-d %B %Y}" if self.since is not None else ""
        if self.status == ControlStatus.STALE:
            return f"control {self.key} is stale{when}"
        if self.status == ControlStatus.FAILING:
            return f"control {self.key} is failing{when}"
        return f"control {self.key} has no evidence in effect"


@dataclass(frozen=True)
class ClaimPosture:
    claim_key: str
    controls: list[BoundControl]
    hidden: bool = False

    @property
    def verified(self) -> bool:
        return all(c.status == ControlStatus.READY for c in self.controls)

    @property
    def evidence_as_of(self) -> dt.date | None:
        """The oldest of the bound controls' newest fresh evidence: the claim is true as of that day."""
        moments = [c.evidence_as_of for c in self.controls if c.evidence_as_of is not None]
        return min(moments).astimezone(dt.UTC).date() if moments and self.verified else None

    @property
    def reason(self) -> str:
        return "; ".join(c.reason for c in self.controls if c.status != ControlStatus.READY)


@dataclass(frozen=True)
class Posture:
    policy: str  # the organization's default
    claims: dict[str, ClaimPosture] = field(default_factory=dict)  # by bound key, own controls only
    changes_at: dt.datetime | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)  # claim key -> policy

    def policy_of(self, claim_key: str) -> str:
        """The claim's effective policy: its own override, else its parent's, else the default."""
        parent = parent_claim_key(claim_key)
        inherited = self.overrides.get(parent, self.policy) if parent else self.policy
        return self.overrides.get(claim_key, inherited)

    def for_claim(self, claim_key: str) -> ClaimPosture | None:
        """What the public page shows of one claim: its own controls and its parent's, hidden by its
        effective policy; None when nothing backs it."""
        own = self.claims.get(claim_key)
        parent = self.claims.get(parent_claim_key(claim_key) or "")
        if own is None and parent is None:
            return None
        controls = list(own.controls) if own is not None else []
        keys = {c.key for c in controls}
        controls += [c for c in (parent.controls if parent is not None else []) if c.key not in keys]
        claim = ClaimPosture(claim_key, controls)
        return replace(claim, hidden=self.policy_of(claim_key) == HIDE and not claim.verified)

    def apply(self, items: list[Item]) -> list[Item]:
        """Items (with `claim_key` and `posture` fields) with their posture set; hidden ones left out."""
        shown = []
        for item in items:
            posture = self.for_claim(getattr(item, "claim_key", ""))
            if posture is not None and posture.hidden:
                continue
            shown.append(replace(item, posture=posture) if posture is not None else item)  # type: ignore[type-var]
        return shown


def _bound_control(control: Control, evidence: list[Evidence], now: dt.datetime) -> BoundControl:
    status = control_status(evidence, now)
    in_effect = [item for item in evidence if item.effective_at <= now]
    since: dt.datetime | None = None
    as_of: dt.datetime | None = None
    if status == ControlStatus.STALE:
        since = max((item.expires_at for item in in_effect if evidence_passed(item)), default=None)
    elif status == ControlStatus.FAILING:
        results = [item for item in in_effect if item.kind == "check_result"]
        since = max((item.effective_at for item in results), default=None)
    elif status == ControlStatus.READY:
        fresh = [item.effective_at for item in in_effect if is_fresh(item, now) and evidence_passed(item)]
        as_of = max(fresh, default=None)
    return BoundControl(control.key, control.name, str(status), since, as_of)


def posture(
    policy: str = SHOW_AS_STALE, now: dt.datetime | None = None, overrides: Mapping[str, str] | None = None
) -> Posture:
    """The posture of every bound claim (run inside the organization's scope) under the default `policy`
    and the per-claim `overrides` (claim key -> policy)."""
    now = now or timezone.now()
    bindings = list(ClaimBinding.objects.select_related("control"))
    controls = {b.control_id: b.control for b in bindings}
    evidence: dict[int, list[Evidence]] = {pk: [] for pk in controls}
    moments: list[dt.datetime] = []
    for item in Evidence.objects.filter(control_id__in=list(controls)).select_related("check_run"):
        evidence[item.control_id].append(item)
        moments.extend(m for m in (item.effective_at, item.expires_at) if m > now)
    states = {pk: _bound_control(control, evidence[pk], now) for pk, control in controls.items()}
    by_claim: dict[str, list[BoundControl]] = {}
    for binding in bindings:
        by_claim.setdefault(binding.claim_key, []).append(states[binding.control_id])
    current = Posture(policy, overrides=dict(overrides or {}), changes_at=min(moments, default=None))
    for key, bound in by_claim.items():
        claim = ClaimPosture(key, bound)
        current.claims[key] = replace(claim, hidden=current.policy_of(key) == HIDE and not claim.verified)
    return current


def claims_of_control(control: Control) -> list[str]:
    return list(ClaimBinding.objects.filter(control=control).values_list("claim_key", flat=True))


def valid_claim_key(key: Any) -> bool:
    """Whether `key` has the shape of a claim key (the claim itself may not be shown at the moment)."""
    if not isinstance(key, str):
        return False
    kind, _, rest = key.partition(":")
    if kind == "program":
        plan = key.removeprefix(DR_CLAIM + ":")
        return rest in PROGRAM_KEYS or (plan != key and _record_id(plan))
    return kind in ("statement", "certification", "attestation") and _record_id(rest)


def _record_id(text: str) -> bool:
    return text.isdigit() and len(text) < 19


def parent_claim_key(key: str) -> str | None:
    """The claim a key refines (`program:dr_failover` for one plan's DR claim), if any."""
    return DR_CLAIM if key.startswith(DR_CLAIM + ":") else None


def claim_exists(claim_key: str) -> bool:
    """Whether `claim_key` is a claim key and the record it names exists in the organization (program
    claims always do)."""
    from trustroom.assessments.models import Application
    from trustroom.compliance.models import Certification, ComplianceStatement
    from trustroom.resilience.models import DrPlan

    if not valid_claim_key(claim_key):
        return False
    if parent_claim_key(claim_key) == DR_CLAIM:
        return DrPlan.objects.filter(pk=int(claim_key.rpartition(":")[2])).exists()
    kind, _, rest = claim_key.partition(":")
    models = {"statement": ComplianceStatement, "certification": Certification, "attestation": Application}
    if kind not in models:
        return True
    return models[kind].objects.filter(pk=int(rest)).exists()
