"""Incidents: opened from alerts or by hand, driven open → acknowledged → resolved → closed, with a
timeline and follow-up actions. Their times are evidence: MTTA and MTTR are computed when read.

Severity is the incident scale most on-call tools use (SEV1 … SEV4), not the alert scale: an incident
is a judgement about impact, an alert a sender's guess. Opening from alerts maps the most severe alert
onto it (`SEVERITY_FROM_ALERT`). Incidents are never deleted: they are evidence.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustroom.monitoring.models import Alert
from trustroom.tenancy.models import OrgOwnedModel


class IncidentSeverity(models.TextChoices):
    SEV1 = "sev1", "SEV1 (critical)"
    SEV2 = "sev2", "SEV2 (major)"
    SEV3 = "sev3", "SEV3 (minor)"
    SEV4 = "sev4", "SEV4 (low)"


SEVERITY_FROM_ALERT = {"critical": "sev1", "high": "sev2", "medium": "sev3", "low": "sev4", "info": "sev4"}


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ACTIVE_STATUSES = (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED)


class Incident(OrgOwnedModel):
    number = models.PositiveIntegerField(editable=False, help_text="Shown as INC-<number>; per organization.")
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=IncidentSeverity.choices, db_index=True)
    status = models.CharField(
        max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN, db_index=True
    )
    detected_at = models.DateTimeField(help_text="When the problem was first noticed (MTTA/MTTR start here).")
    opened_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    impact = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "number"], name="incident_unique_number_per_org"),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True)
                | models.Q(acknowledged_at__gte=models.F("detected_at")),
                name="incident_acknowledged_after_detected",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True)
                | models.Q(acknowledged_at__isnull=False, resolved_at__gte=models.F("acknowledged_at")),
                name="incident_resolved_after_acknowledged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"INC-{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def time_to_acknowledge(self) -> dt.timedelta | None:
        """MTTA of this incident: detection to acknowledgement."""
        return self.acknowledged_at - self.detected_at if self.acknowledged_at else None

    @property
    def time_to_resolve(self) -> dt.timedelta | None:
        """MTTR of this incident: detection to resolution."""
        return self.resolved_at - self.detected_at if self.resolved_at else None


class IncidentAlert(OrgOwnedModel):
    """An alert that is part of an incident; an alert belongs to at most one incident (one-to-one)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="alert_links")
    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="incident_link")
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["linked_at", "pk"]

    def __str__(self) -> str:
        return f"alert {self.alert_id} in incident {self.incident_id}"


class EventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    ALERT_LINKED = "alert_linked", "Alert linked"
    ALERT_UNLINKED = "alert_unlinked", "Alert unlinked"
    COMMANDER_CHANGED = "commander_changed", "Commander changed"
    DETAILS_CHANGED = "details_changed", "Details changed"
    REVIEW_UPDATED = "review_updated", "Review updated"
    ACTION_ADDED = "action_added", "Action added"
    ACTION_DONE = "action_done", "Action done"
    ACTION_REOPENED = "action_reopened", "Action reopened"
    NOTE = "note", "Note"


class IncidentEvent(OrgOwnedModel):
    """One timeline entry: written by the services on every change, or a note written by hand (which
    may say it happened earlier than it was written)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    text = models.TextField()
    happened_at = models.DateTimeField(db_index=True)
    recorded_at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["happened_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class IncidentAction(OrgOwnedModel):
    """A follow-up action. `carried_over_at` records that it was left open on purpose when the incident
    was closed (tracked elsewhere); it is still open and can still be overdue."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_email = models.EmailField(blank=True, help_text="Who owns it when they are not a member.")
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_over_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = [models.F("due_at").asc(nulls_last=True), "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def owner_label(self) -> str:
        return self.owner.email if self.owner is not None else self.owner_email

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < (now or timezone.now())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()
