"""Controls of the security program, the evidence that they work, and the automated checks that make it.

A control (e.g. DR-1 "Database failover is drilled") is mapped to the framework requirements it satisfies
(one control can serve ISO 27001 and SOC 2 at once). Evidence items (a vault file, a link, or a check
result) each have an effective moment and an expiry. A control's status (ready, stale, missing, failing)
is computed when read from its evidence: see `trustroom.controls.state`. Nothing time-dependent is stored.

Checks run on RFC 5545 schedules; each run stores what it evaluated (resources with pass/fail) and adds
one evidence item to every control the check feeds.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from trustroom.compliance.models import Requirement
from trustroom.tenancy.models import OrgOwnedModel

DEFAULT_CONTROL_FREQUENCY = "FREQ=MONTHLY;INTERVAL=3"  # quarterly
DEFAULT_CHECK_SCHEDULE = "FREQ=DAILY"
DEFAULT_FRESHNESS_DAYS = 90


class Control(OrgOwnedModel):
    key = models.CharField(
        max_length=20, help_text="Short identifier, unique in the organization, e.g. DR-1."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    frequency = models.CharField(
        max_length=200,
        default=DEFAULT_CONTROL_FREQUENCY,
        help_text="How often the control operates, as an RFC 5545 rule, e.g. FREQ=MONTHLY;INTERVAL=3.",
    )
    freshness_days = models.PositiveIntegerField(
        default=DEFAULT_FRESHNESS_DAYS,
        help_text="How long a manually added evidence item stays fresh by default, in days.",
    )
    requirements: models.ManyToManyField[Requirement, ControlRequirement] = models.ManyToManyField(
        Requirement, through="ControlRequirement", related_name="+", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["key", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "key"], name="control_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class ControlRequirement(OrgOwnedModel):
    """A control satisfies a requirement of a built-in framework (org-owned, so it sits under RLS)."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="mappings")
    requirement = models.ForeignKey("compliance.Requirement", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering: ClassVar = ["requirement__framework__position", "requirement__position", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["control", "requirement"], name="control_requirement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.control_id} -> {self.requirement_id}"


class CheckOutcome(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    ERROR = "error", "Error"


class Check(OrgOwnedModel):
    """An automated check of one kind (see `trustroom.controls.checks`) with validated parameters."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=40)
    parameters = models.JSONField(default=dict, blank=True)
    schedule = models.CharField(
        max_length=200, default=DEFAULT_CHECK_SCHEDULE, help_text="RFC 5545 rule, e.g. FREQ=DAILY."
    )
    enabled = models.BooleanField(default=True)
    controls: models.ManyToManyField[Control, CheckControl] = models.ManyToManyField(
        Control, through="CheckControl", related_name="checks", blank=True
    )
    # The scheduled slot last claimed by the periodic job: a slot is claimed (and run) once.
    claimed_slot = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="check_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CheckControl(OrgOwnedModel):
    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="feeds", db_column="check_id")
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering: ClassVar = ["control__key", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["check_ref", "control"], name="check_control_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.check_ref_id} -> {self.control_id}"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Run now"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class CheckRun(OrgOwnedModel):
    """One run of a check: what it evaluated and the outcome. `resources` lists each resource evaluated:
    {"type", "id", "name", "region", "passed", "reason"}.

    A run started from the page or the API is queued and run by a background job (`services.runs`):
    `done` of `total` resources evaluated so far, `progress_at` its last sign of life. A check has at
    most one queued or running run at a time. Scheduled and command-line runs are finished at once.
    """

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="runs", db_column="check_id")
    trigger = models.CharField(max_length=10, choices=RunTrigger.choices)
    scheduled_for = models.DateTimeField(null=True, blank=True, help_text="The schedule slot, if scheduled.")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.FINISHED)
    started_at = models.DateTimeField(help_text="When it was requested, then when a worker took it.")
    finished_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0, help_text="Resources evaluated so far.")
    total = models.PositiveIntegerField(default=0, help_text="Resources to evaluate, once known.")
    progress_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Last sign of life of the job running it."
    )
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    resources = models.JSONField(default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-started_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["check_ref", "-started_at"], name="checkrun_check_started")]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["check_ref"],
                condition=Q(status__in=["queued", "running"]),
                name="checkrun_one_active_per_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_ref_id} run at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status == RunStatus.FINISHED

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.is_finished else 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def failed_resources(self) -> int:
        return sum(1 for resource in self.resources if not resource.get("passed"))


class InventorySnapshot(OrgOwnedModel):
    """An imported AWS Config snapshot (or RDS describe output), reduced to the resources it lists."""

    check_ref = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="snapshots", db_column="check_id"
    )
    filename = models.CharField(max_length=255, blank=True, help_text="As uploaded; display only.")
    sha256 = models.CharField(max_length=64)
    resources = models.JSONField(default=list, help_text='[{"type", "id", "name", "region", "arn"}, …]')
    skipped_items = models.PositiveIntegerField(default=0, help_text="Items of other resource types.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.filename or f"snapshot {self.pk}"


class EvidenceKind(models.TextChoices):
    FILE = "file", "File in the vault"
    LINK = "link", "Link"
    CHECK_RESULT = "check_result", "Check result"


class Evidence(OrgOwnedModel):
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    document = models.ForeignKey(
        "vault.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(max_length=500, blank=True)
    check_run = models.ForeignKey(
        CheckRun, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    effective_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-effective_at", "-pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("effective_at")), name="evidence_expires_after"
            ),
            models.CheckConstraint(
                condition=(Q(kind="file", document__isnull=False) & Q(url="") & Q(check_run__isnull=True))
                | (Q(kind="link", document__isnull=True) & ~Q(url="") & Q(check_run__isnull=True))
                | (Q(kind="check_result", document__isnull=True) & Q(url="") & Q(check_run__isnull=False)),
                name="evidence_kind_matches_source",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["control", "-effective_at"], name="evidence_control_eff")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.control_id}"


class ClaimBinding(OrgOwnedModel):
    """A public trust center claim (by its stable key, see `trustroom.controls.posture`) backed by a control.

    A claim bound to controls is shown as verified only while every bound control is ready; otherwise the
    trust center shows it as not currently verified, or hides it (the organization's posture policy).
    """

    claim_key = models.CharField(max_length=120, help_text="e.g. certification:12, program:dr_failover.")
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="claim_bindings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["claim_key", "control__key", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "claim_key", "control"], name="claim_binding_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_key} <- {self.control_id}"


# The auditor workspace lives in its own module; imported here so Django registers its models.
from trustroom.controls.audit_models import (  # noqa: E402, F401
    AuditorAssignment,
    AuditPeriod,
    EvidencePackage,
)
