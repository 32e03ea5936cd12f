"""Reads of the resilience program. Run inside the organization's scope.

The trust center derives its claims from `dr_posture` ("DR failover tested, last …", stale when the
cadence is missed) and `bcp_posture` (last tabletop exercise, open action items).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from trustroom.resilience.models import (
    OPEN_STATUSES,
    ActionItem,
    BcpExercise,
    DrPlan,
    FailoverDrill,
)
from trustroom.resilience.state import action_item_overdue, plan_state, utc_today
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import ScopeError, require_org


def _check_scope(organization: Organization) -> None:
    if require_org().pk != organization.pk:
        raise ScopeError("Read the resilience program inside the organization's own scope")


def plans() -> QuerySet[DrPlan]:
    return DrPlan.objects.select_related("owner")


def drills() -> QuerySet[FailoverDrill]:
    return FailoverDrill.objects.select_related("plan", "recorded_by")


def exercises() -> QuerySet[BcpExercise]:
    return BcpExercise.objects.select_related("facilitator")


def action_items() -> QuerySet[ActionItem]:
    return ActionItem.objects.select_related("owner", "exercise", "drill", "drill__plan")


def overdue_filter(now: dt.datetime | None = None) -> Q:
    """The same rule as `state.action_item_overdue`, as a query."""
    return Q(status__in=OPEN_STATUSES, due_on__isnull=False, due_on__lt=utc_today(now))


def with_plan_state(plan_list: list[DrPlan], now: dt.datetime | None = None) -> list[DrPlan]:
    """Set `.state` (a `PlanState`) on each plan, from its last drill (one query for all of them)."""
    now = now or timezone.now()
    last_ids = dict(
        DrPlan.objects.filter(pk__in=[p.pk for p in plan_list])
        .annotate(
            last_drill_id=Subquery(
                FailoverDrill.objects.filter(plan=OuterRef("pk"))
                .order_by("-started_at", "-pk")
                .values("pk")[:1]
            )
        )
        .values_list("pk", "last_drill_id")
    )
    last = FailoverDrill.objects.in_bulk([pk for pk in last_ids.values() if pk is not None])
    for plan in plan_list:
        drill_id = last_ids.get(plan.pk)
        plan.state = plan_state(plan, last.get(drill_id) if drill_id else None, now)  # type: ignore[attr-defined]
    return plan_list


def plans_with_state(now: dt.datetime | None = None) -> list[DrPlan]:
    return with_plan_state(list(plans()), now)


def with_overdue(items: list[ActionItem], now: dt.datetime | None = None) -> list[ActionItem]:
    now = now or timezone.now()
    for item in items:
        item.overdue = action_item_overdue(item, now)  # type: ignore[attr-defined]
    return items


def open_action_items(now: dt.datetime | None = None) -> list[ActionItem]:
    return with_overdue(list(action_items().filter(status__in=OPEN_STATUSES)), now)


def filter_action_items(
    *,
    status: str = "",
    owner_id: int | None = None,
    overdue: bool | None = None,
    source: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[ActionItem]:
    queryset = action_items()
    if status:
        queryset = queryset.filter(status=status)
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if overdue is True:
        queryset = queryset.filter(overdue_filter(now))
    elif overdue is False:
        queryset = queryset.exclude(overdue_filter(now))
    if source == "exercise":
        queryset = queryset.filter(exercise__isnull=False)
    elif source == "drill":
        queryset = queryset.filter(drill__isnull=False)
    elif source == "standalone":
        queryset = queryset.filter(exercise__isnull=True, drill__isnull=True)
    return queryset


def rto_history(plan: DrPlan) -> list[FailoverDrill]:
    """The plan's drills, oldest first (for the chart of measured RTO over time)."""
    return list(FailoverDrill.objects.filter(plan=plan).order_by("started_at", "pk"))


# --- For the trust center -----------------------------------------------------------------------------


def dr_posture(organization: Organization, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Per DR plan, what a trust-center claim needs: the service, when its last failover drill started
    and how it went, whether it met the recovery targets, when the next one is due and whether it is
    overdue (the claim is stale then). In service order."""
    _check_scope(organization)
    rows = []
    for plan in plans_with_state(now):
        state = plan.state  # type: ignore[attr-defined]
        last = state.last_drill
        rows.append(
            {
                "service": plan.service,
                "rto_minutes": plan.rto_minutes,
                "rpo_minutes": plan.rpo_minutes,
                "last_drill_at": state.last_drill_at,
                "outcome": last.outcome if last is not None else None,
                "met_targets": state.met_targets,
                "next_due": state.next_due,
                "overdue": state.overdue,
            }
        )
    return rows


def bcp_posture(organization: Organization, now: dt.datetime | None = None) -> dict[str, Any]:
    """The last tabletop exercise (title, when) and the counts of open and overdue action items."""
    _check_scope(organization)
    last = BcpExercise.objects.order_by("-held_at", "-pk").first()
    open_items = ActionItem.objects.filter(status__in=OPEN_STATUSES)
    return {
        "last_exercise_title": last.title if last else None,
        "last_exercise_at": last.held_at if last else None,
        "open_action_items": open_items.count(),
        "overdue_action_items": open_items.filter(overdue_filter(now)).count(),
    }
