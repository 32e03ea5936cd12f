"""Append-only, hash-chained audit events, one chain per organization."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from trustroom.tenancy.models import OrgOwnedModel

GENESIS_HASH = "0" * 64


class AuditEvent(OrgOwnedModel):
    """One recorded write. Never updated or deleted (on PostgreSQL the app role may only INSERT/SELECT).

    `hash` = SHA-256 over the canonical JSON of the event's fields and `prev_hash`, so changing,
    removing, inserting or reordering any event breaks the chain; `AuditChainHead` records the last
    link so a cut-off tail is detected too.
    """

    seq = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_token_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=300)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar = ["-seq"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "seq"], name="auditevent_unique_seq_per_org"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "occurred_at"], name="auditevent_org_time"),
            models.Index(fields=["organization", "action"], name="auditevent_org_action"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditChainHead(OrgOwnedModel):
    """The last link of an organization's chain, updated in the same transaction as each append."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="auditchainhead_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"head #{self.seq}"
