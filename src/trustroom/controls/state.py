"""A control's status, computed from its evidence when read (nothing here is stored).

- missing: no evidence in effect yet (none, or only items whose effective moment is still ahead);
- failing: the newest check result in effect did not pass (failed, or the check could not run);
- ready: at least one evidence item is fresh (effective_at <= now < expires_at), a check result only
  when it passed;
- stale: there was evidence, but the newest has expired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from trustroom.controls.models import CheckOutcome, EvidenceKind


class ControlStatus(models.TextChoices):
    READY = "ready", "Ready"
    STALE = "stale", "Stale"
    MISSING = "missing", "Missing"
    FAILING = "failing", "Failing"


def evidence_passed(item: Any) -> bool:
    """Whether an evidence item speaks for the control (a check result only when its run passed)."""
    if item.kind != EvidenceKind.CHECK_RESULT:
        return True
    return item.check_run is not None and item.check_run.outcome == CheckOutcome.PASS


def is_fresh(item: Any, now: dt.datetime) -> bool:
    return bool(item.effective_at <= now < item.expires_at)


def control_status(evidence: Iterable[Any], now: dt.datetime | None = None) -> ControlStatus:
    now = now or timezone.now()
    in_effect = sorted(
        (item for item in evidence if item.effective_at <= now),
        key=lambda item: (item.effective_at, item.pk or 0),
        reverse=True,
    )
    if not in_effect:
        return ControlStatus.MISSING
    newest_result = next((item for item in in_effect if item.kind == EvidenceKind.CHECK_RESULT), None)
    if newest_result is not None and not evidence_passed(newest_result):
        return ControlStatus.FAILING
    if any(is_fresh(item, now) and evidence_passed(item) for item in in_effect):
        return ControlStatus.READY
    return ControlStatus.STALE
