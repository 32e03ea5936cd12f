"""The auditor workspace: audit periods, the auditors assigned to them, and evidence packages.

An audit period ("SOC 2 Type II 2026") covers some frameworks over a window of time. An auditor (a member
with the auditor role) sees the workspace only through the periods they are assigned to: controls mapped to
the periods' frameworks, evidence effective in the window, check runs finished in it, audit events that
occurred in it (see `trustroom.controls.audit_scope`, the one place that decides). An evidence package is
a ZIP of a period's evidence with a manifest, built by a background job and stored encrypted.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from trustroom.tenancy.models import OrgOwnedModel


class AuditPeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AuditPeriod(OrgOwnedModel):
    name = models.CharField(max_length=200, help_text='e.g. "SOC 2 Type II 2026".')
    framework_codes = models.JSONField(
        default=list, help_text='Codes of the frameworks audited, e.g. ["soc2-type2"].'
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AuditPeriodStatus.choices, default=AuditPeriodStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-starts_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="auditperiod_unique_name"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="auditperiod_ends_after"),
        ]

    def __str__(self) -> str:
        return self.name


class AuditorAssignment(OrgOwnedModel):
    """A member with the auditor role may read the workspace within this period."""

    period = models.ForeignKey(AuditPeriod, on_delete=models.CASCADE, related_name="assignments")
    membership = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["period", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["period", "membership"], name="auditorassignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} on {self.period_id}"


class PackageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class EvidencePackage(OrgOwnedModel):
    """One export of a period's evidence: a ZIP stored encrypted under the organization's data key."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period = models.ForeignKey(AuditPeriod, on_delete=models.CASCADE, related_name="packages")
    status = models.CharField(max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    storage_name = models.CharField(max_length=200, blank=True, editable=False)
    data_key = models.ForeignKey(
        "vault.OrganizationKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the ZIP.")
    files = models.PositiveIntegerField(default=0, help_text="Files listed in the manifest.")
    chain_head_seq = models.PositiveBigIntegerField(null=True, blank=True)
    chain_head_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Last sign of life: claimed, a step saved, or queued again by the sweeper.",
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Evidence package {self.pk} of {self.period_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in (PackageStatus.DONE, PackageStatus.FAILED)

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == PackageStatus.DONE else 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def download_filename(self) -> str:
        from django.utils.text import slugify

        return f"evidence-{slugify(self.period.name)[:60] or 'period'}-{self.pk}.zip"
