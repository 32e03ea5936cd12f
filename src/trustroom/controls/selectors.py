"""Reads of the controls app (run inside the organization's scope); statuses are computed when read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from trustroom.controls.models import Check, CheckControl, CheckRun, Control, ControlRequirement, Evidence
from trustroom.controls.state import control_status


def controls() -> QuerySet[Control]:
    return Control.objects.select_related("owner")


def evidence() -> QuerySet[Evidence]:
    return Evidence.objects.select_related(
        "control", "document", "check_run", "check_run__check_ref", "added_by"
    )


def checks() -> QuerySet[Check]:
    return Check.objects.select_related("created_by")


def runs() -> QuerySet[CheckRun]:
    return CheckRun.objects.select_related("check_ref", "started_by")


def mappings(control: Control) -> QuerySet[ControlRequirement]:
    return ControlRequirement.objects.filter(control=control).select_related("requirement__framework")


def with_status(items: list[Control], now: dt.datetime | None = None) -> list[Control]:
    """Set `.status` on each control from its evidence (one query for all of them)."""
    now = now or timezone.now()
    by_control: dict[int, list[Evidence]] = {c.pk: [] for c in items}
    for item in Evidence.objects.filter(control_id__in=list(by_control)).select_related("check_run"):
        by_control[item.control_id].append(item)
    for control in items:
        control.status = control_status(by_control[control.pk], now)  # type: ignore[attr-defined]
    return items


def controls_with_status(now: dt.datetime | None = None) -> list[Control]:
    return with_status(list(controls()), now)


def checks_with_last_run() -> list[Check]:
    """Checks with the controls they feed and their last run (as the reader may see them: an auditor's
    reads are narrowed by the default managers, see `tenancy.narrowing`)."""
    feeds = CheckControl.objects.filter(control__in=Control.objects.all()).select_related("control")
    items: list[Check] = list(checks().prefetch_related(Prefetch("feeds", queryset=feeds)))
    last: dict[int, CheckRun] = {}
    for run in CheckRun.objects.filter(check_ref_id__in=[c.pk for c in items]).order_by(
        "check_ref_id", "-started_at", "-pk"
    ):
        last.setdefault(run.check_ref_id, run)
    for check in items:
        check.last_run = last.get(check.pk)  # type: ignore[attr-defined]
    return items


def status_counts(items: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for control in items:
        counts[control.status] = counts.get(control.status, 0) + 1
    return counts
