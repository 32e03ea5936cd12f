"""A control's readiness for an audit period, from the evidence that took effect inside the period only.

For a period with window [starts_at, ends_at), a control's period status is `state.control_status` over
the control's evidence items whose `effective_at` lies in the window, read as of the period's end (or as
of now, while the period is still running):

- ready: an in-window item was fresh at that moment (effective_at <= as_of < expires_at) and speaks for
  the control (a check result only when its run passed), and the newest in-window check result passed;
- failing: the newest in-window check result did not pass;
- stale: evidence took effect in the window, but none of it was still fresh at that moment;
- missing: no evidence took effect in the window.

Evidence that took effect before the window (however long it stays fresh) or after it does not count:
an auditor tests the period, not the present. The live controls pages keep the live status
(`selectors.with_status`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from trustroom.controls.audit_models import AuditPeriod
from trustroom.controls.models import Control, Evidence
from trustroom.controls.state import ControlStatus, control_status


def as_of(period: AuditPeriod, now: dt.datetime | None = None) -> dt.datetime:
    """The moment a period's readiness is read at: its end, or now while it runs."""
    return min(period.ends_at, now or timezone.now())


def in_window(item: Evidence, period: AuditPeriod) -> bool:
    return bool(period.starts_at <= item.effective_at < period.ends_at)


def period_status(
    evidence: Iterable[Evidence], period: AuditPeriod, now: dt.datetime | None = None
) -> ControlStatus:
    """One control's status for `period` from its evidence (items outside the window are ignored)."""
    return control_status([item for item in evidence if in_window(item, period)], as_of(period, now))


def with_period_status(
    controls: list[Control], evidence: Iterable[Evidence], period: AuditPeriod, now: dt.datetime | None = None
) -> list[Control]:
    """Set `.period_status` on each control from `evidence` (any superset of the controls' items)."""
    by_control: dict[int, list[Evidence]] = defaultdict(list)
    for item in evidence:
        by_control[item.control_id].append(item)
    for control in controls:
        control.period_status = period_status(by_control[control.pk], period, now)  # type: ignore[attr-defined]
    return controls
