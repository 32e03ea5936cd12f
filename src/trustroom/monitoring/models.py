"""Security alert intake: where alerts come from (`AlertSource`), what arrived (`Alert`).

Routing rules, notifiers and incidents (later) hang off `Alert` by foreign key; nothing here needs to
change for them.

The intake URL carries a public random token. The intake endpoint must find the source WITHOUT knowing
the organization, while every organization-owned table stays behind row-level security that shows no
rows until an organization is set. So the one platform-wide lookup is `IntakeRoute`, a small table
without RLS that holds only the SHA-256 digest of each token and the ids it points to (no secret, no
name, no alert data). The endpoint finds the route by digest, enters that organization's scope and
reads the source there, under RLS, as any page would.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models

from trustroom.tenancy.models import Organization, OrgOwnedModel


class SourceKind(models.TextChoices):
    GUARDDUTY = "guardduty", "AWS GuardDuty"
    ASFF = "asff", "AWS Security Hub (ASFF)"
    GENERIC = "generic", "Generic JSON"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    INFO = "info", "Informational"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    SUPPRESSED = "suppressed", "Suppressed"


class AlertSource(OrgOwnedModel):
    """A webhook endpoint of one organization. Its secret is sealed under the organization's data key
    (see `trustroom.monitoring.secrets`); its token is kept only as a digest (in `IntakeRoute`) and a
    short prefix to recognise it by."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    token_prefix = models.CharField(max_length=8)
    secret_sealed = models.TextField()
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    last_received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="alertsource_unique_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class IntakeRoute(models.Model):
    """Token digest -> (organization, source): the only platform-wide lookup of the intake endpoint.

    Not organization-owned on purpose (no RLS): it must answer before the organization is known. It
    holds no secret and nothing of the organization's program, only ids and a one-way digest.
    """

    token_digest = models.CharField(max_length=64, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    source = models.OneToOneField(AlertSource, on_delete=models.CASCADE, related_name="route")

    objects: ClassVar[models.Manager[IntakeRoute]] = models.Manager()

    def __str__(self) -> str:
        return f"intake route of source {self.source_id}"


class Alert(OrgOwnedModel):
    """One normalized alert; a repeat of the same dedup key counts up `occurrences` on the same row."""

    source = models.ForeignKey(AlertSource, null=True, on_delete=models.SET_NULL, related_name="alerts")
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    dedup_key = models.CharField(max_length=200)
    type = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices, db_index=True)
    title = models.CharField(max_length=500)
    resource_type = models.CharField(max_length=100, blank=True)
    resource_id = models.CharField(max_length=300, blank=True)
    account = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=50, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    received_at = models.DateTimeField()
    last_received_at = models.DateTimeField()
    occurrences = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=AlertStatus.choices, default=AlertStatus.NEW, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_note = models.CharField(max_length=500, blank=True)
    raw = models.JSONField(default=dict)
    raw_truncated = models.BooleanField(default=False)
    resource_tags = models.JSONField(default=dict, blank=True)  # {key: value}, what routing rules match

    class Meta:
        ordering: ClassVar = ["-last_seen", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "dedup_key"], name="alert_unique_dedup_key_per_org"
            )
        ]
        indexes: ClassVar = [models.Index(fields=["organization", "-last_seen"], name="alert_org_last_seen")]

    def __str__(self) -> str:
        return self.title


class IntakeReceipt(OrgOwnedModel):
    """A signature already accepted for a source: a second request with it inside the window is a
    replay. Written in the same transaction as the alerts it brought (a rejected request leaves none);
    rows older than the window are pruned as new ones arrive."""

    source = models.ForeignKey(AlertSource, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["source", "signature"], name="intakereceipt_unique_signature")
        ]

    def __str__(self) -> str:
        return f"receipt {self.signature[:12]} of source {self.source_id}"


# Incidents live in their own module; imported here so Django registers them with this app.
from trustroom.monitoring.incident_models import (  # noqa: E402
    Incident,
    IncidentAction,
    IncidentAlert,
    IncidentEvent,
)

# Routing rules, notifiers and deliveries live in their own module; imported here so Django finds them.
from trustroom.monitoring.routing_models import Delivery, Notifier, RoutingRule  # noqa: E402

__all__ = [
    "Alert",
    "AlertSource",
    "AlertStatus",
    "Delivery",
    "Incident",
    "IncidentAction",
    "IncidentAlert",
    "IncidentEvent",
    "IntakeReceipt",
    "IntakeRoute",
    "Notifier",
    "RoutingRule",
    "Severity",
    "SourceKind",
]
