"""Resilience program: disaster-recovery plans and their failover drills, business-continuity (BCP)
tabletop exercises, and the action items that come out of both.

Nothing that depends on the clock is stored: `trustroom.resilience.state` computes the next drill due,
overdue drills and overdue action items when read. Moments are aware UTC datetimes; an action item's due
date is a calendar date interpreted in UTC (due through the whole of that UTC day).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from trustroom.tenancy.models import OrgOwnedModel

DEFAULT_DRILL_RULE = "FREQ=MONTHLY;INTERVAL=2"  # a database failover drill at least every two months


class DrPlan(OrgOwnedModel):
    """The disaster-recovery plan of one service: recovery targets, topology and drill cadence."""

    service = models.CharField(max_length=200, help_text="The service this plan recovers, e.g. Core API.")
    description = models.TextField(blank=True)
    rto_minutes = models.PositiveIntegerField(help_text="Recovery time objective, in minutes.")
    rpo_minutes = models.PositiveIntegerField(help_text="Recovery point objective, in minutes of data.")
    topology = models.TextField(
        blank=True, help_text="e.g. multi-zone; two-node PostgreSQL cluster with streaming replication."
    )
    drill_rule = models.CharField(
        max_length=200,
        default=DEFAULT_DRILL_RULE,
        help_text="Drill cadence as an RFC 5545 recurrence rule, e.g. FREQ=MONTHLY;INTERVAL=2.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["service", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "service"], name="drplan_unique_service"),
        ]

    def __str__(self) -> str:
        return self.service


class DrillOutcome(models.TextChoices):
    PASSED = "passed", "Passed"
    PASSED_WITH_ISSUES = "passed_with_issues", "Passed with issues"
    FAILED = "failed", "Failed"


class FailoverDrill(OrgOwnedModel):
    """One failover drill of a plan, as it happened: when, how long recovery took, what was lost."""

    plan = models.ForeignKey(DrPlan, on_delete=models.CASCADE, related_name="drills")
    scheduled_for = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(help_text="When the service was restored.")
    measured_rto_minutes = models.PositiveIntegerField(help_text="Minutes until the service was restored.")
    measured_rpo_minutes = models.PositiveIntegerField(help_text="Minutes of data lost.")
    outcome = models.CharField(max_length=20, choices=DrillOutcome.choices)
    issues = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-started_at", "-pk"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(ended_at__gt=F("started_at")), name="drill_ends_after_start"),
        ]
        indexes: ClassVar = [models.Index(fields=["plan", "-started_at"], name="drill_plan_started")]

    def __str__(self) -> str:
        return f"{self.plan} drill on {self.started_at:%Y-%m-%d}"


class BcpExercise(OrgOwnedModel):
    """A business-continuity tabletop exercise: a scenario walked through by people of each function."""

    title = models.CharField(max_length=200)
    scenario = models.TextField()
    held_at = models.DateTimeField()
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    participants = models.JSONField(
        default=list, blank=True, help_text='[{"function": "Engineering", "name": "…"}, …]'
    )
    summary = models.TextField(blank=True)
    open_points = models.JSONField(default=list, blank=True, help_text="The open points, one string each.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItem(OrgOwnedModel):
    """Work that follows from an exercise or a drill (at most one source), or stands alone."""

    exercise = models.ForeignKey(
        BcpExercise, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items"
    )
    drill = models.ForeignKey(
        FailoverDrill, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items"
    )
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True, help_text="Due date (UTC), inclusive.")
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = [F("due_on").asc(nulls_last=True), "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(exercise__isnull=True) | Q(drill__isnull=True), name="action_item_one_source"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_at__isnull=False),
                name="action_item_done_has_completed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source_label(self) -> str:
        if self.exercise_id is not None:
            return "Exercise"
        if self.drill_id is not None:
            return "Drill"
        return "Standalone"
