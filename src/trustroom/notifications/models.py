"""In-app notifications. One per (organization, recipient, key): the key makes sending idempotent."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from trustroom.tenancy.models import OrgOwnedModel


class Notification(OrgOwnedModel):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(
        max_length=200, help_text="What the notification is about; sent once per recipient and key."
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="A path inside Trustroom.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "recipient", "key"], name="notification_once_per_recipient_key"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "recipient", "read_at"], name="notification_inbox_idx")
        ]

    def __str__(self) -> str:
        return self.subject
