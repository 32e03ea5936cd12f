"""Alert routing: notifiers (where a page goes), routing rules (which alerts go where) and deliveries
(one durable row per message to send, retried by the worker until delivered or given up).

Secrets (PagerDuty routing keys, Slack webhook URLs) are sealed under the organization's data key by
`trustroom.monitoring.notifier_secrets`; the associated data binds each to its record's `uid` and field.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models

from trustroom.tenancy.models import OrgOwnedModel


class NotifierKind(models.TextChoices):
    PAGERDUTY = "pagerduty", "PagerDuty"
    SLACK = "slack", "Slack"
    EMAIL = "email", "E-mail"


class Notifier(OrgOwnedModel):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=NotifierKind.choices)
    enabled = models.BooleanField(default=True)
    # PagerDuty: the default routing (integration) key; Slack: the incoming-webhook URL. Sealed; empty
    # for e-mail. `secret_hint` is the last 4 characters, all that is ever shown back.
    secret_sealed = models.TextField(blank=True)
    secret_hint = models.CharField(max_length=4, blank=True)
    recipients = models.JSONField(default=list, blank=True)  # e-mail addresses (e-mail notifiers)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="notifier_unique_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(OrgOwnedModel):
    """Rules are evaluated by `position`; every enabled rule that matches sends to its notifier, and a
    matching rule with `stop` ends the evaluation. Empty criteria match everything."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    source_ids = models.JSONField(default=list, blank=True)  # AlertSource ids; none = any source
    source_kinds = models.JSONField(default=list, blank=True)  # guardduty | asff | generic; none = any
    min_severity = models.CharField(max_length=10, blank=True)  # blank = any severity
    type_pattern = models.CharField(max_length=200, blank=True)  # glob, e.g. UnauthorizedAccess:*
    tag_conditions = models.JSONField(default=dict, blank=True)  # {key: value}, all must match
    notifier = models.ForeignKey(Notifier, on_delete=models.PROTECT, related_name="rules")
    routing_key_sealed = models.TextField(blank=True)  # PagerDuty routing key override
    routing_key_hint = models.CharField(max_length=4, blank=True)
    stop = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class DeliveryEvent(models.TextChoices):
    TRIGGER = "trigger", "Trigger"
    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    RESOLVE = "resolve", "Resolve"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"  # given up: refused for good, or attempts exhausted


class Delivery(OrgOwnedModel):
    """One message to one notifier. Written in the transaction that decided it (the alert's intake, its
    acknowledgement...), so it exists exactly when that change does; sent by the worker after commit and
    again by `send_due_deliveries` while pending and due. `next_attempt_at` is also the claim: a worker
    moves it into the future before sending, so no other worker sends the same delivery meanwhile."""

    alert = models.ForeignKey(
        "monitoring.Alert", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )  # null for a notifier's test event
    rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    notifier = models.ForeignKey(
        Notifier, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    notifier_name = models.CharField(max_length=100)  # kept when the notifier is deleted
    notifier_kind = models.CharField(max_length=20, choices=NotifierKind.choices)
    event = models.CharField(max_length=20, choices=DeliveryEvent.choices, default=DeliveryEvent.TRIGGER)
    is_test = models.BooleanField(default=False)
    by = models.CharField(max_length=200, blank=True)  # who acknowledged/resolved (follow-up messages)
    dedup_key = models.CharField(max_length=255)  # PagerDuty's dedup_key (the same for ack/resolve)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)  # short and free of secrets
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["organization", "status", "next_attempt_at"], name="delivery_org_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.notifier_name}"
