"""The VAPT programme: vendors, applications, engagements, the SLA policy (versioned) and findings.

Everything derived from the clock (next test due, SLA state, an expired risk acceptance, safe to host)
is computed when read, in `state.py`; the rows only hold facts fixed when they happened.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from trustroom.tenancy.models import OrgOwnedModel


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Cadence(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly"
    TWICE_A_YEAR = "twice_a_year", "Twice a year"
    YEARLY = "yearly", "Yearly"


# Months between two tests for each cadence.
CADENCE_MONTHS: dict[str, int] = {Cadence.QUARTERLY: 3, Cadence.TWICE_A_YEAR: 6, Cadence.YEARLY: 12}


def default_cadence(criticality: str) -> str:
    """Critical applications are tested at least twice a year; the others yearly."""
    return Cadence.TWICE_A_YEAR if criticality == Criticality.CRITICAL else Cadence.YEARLY


class ScopeArea(models.TextChoices):
    AUTHENTICATION = "authentication_session", "Authentication and session management"
    AUTHORIZATION = "authorization", "Authorization and privilege escalation"
    SQL_INJECTION = "injection_sql", "SQL injection"
    XSS = "injection_xss", "Cross-site scripting (XSS)"
    OTHER_INJECTION = "injection_other", "Other injection"
    PLATFORM = "platform_configuration", "Platform configuration"
    OWASP_TOP_10 = "owasp_top_10", "OWASP Top 10"


class EngagementStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    INFO = "info", "Informational"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    FIXED_AWAITING_RETEST = "fixed_awaiting_retest", "Fixed, awaiting retest"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    RISK_ACCEPTED = "risk_accepted", "Risk accepted"
    FALSE_POSITIVE = "false_positive", "False positive"


# Statuses in which the finding still needs work (the SLA clock runs, safe to host is blocked).
UNRESOLVED_STATUSES = frozenset(
    {FindingStatus.OPEN, FindingStatus.REOPENED, FindingStatus.FIXED_AWAITING_RETEST}
)


class Vendor(OrgOwnedModel):
    name = models.CharField(max_length=200)
    accreditation = models.CharField(
        max_length=200, blank=True, help_text="For example a CERT-In empanelment number."
    )
    contacts = models.TextField(blank=True, help_text="Names, e-mail addresses and phone numbers.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="assessments_vendor_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Application(OrgOwnedModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    criticality = models.CharField(max_length=16, choices=Criticality.choices)
    test_cadence = models.CharField(max_length=16, choices=Cadence.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="assessments_application_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Engagement(OrgOwnedModel):
    """One VAPT of one application by one vendor (a programme testing three apps is three engagements)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="engagements")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="engagements")
    name = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    scope_areas = models.JSONField(default=list, blank=True, help_text="ScopeArea values.")
    status = models.CharField(
        max_length=16, choices=EngagementStatus.choices, default=EngagementStatus.PLANNED
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    report_documents = models.ManyToManyField("vault.Document", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-window_start"]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(OrgOwnedModel):
    """A version of the remediation SLA; a finding keeps the version in force when it was detected.

    Low findings are due before the application's next scheduled engagement; informational findings
    have no deadline.
    """

    version = models.PositiveIntegerField()
    effective_from = models.DateTimeField()
    critical_due_hours = models.PositiveIntegerField(default=4)
    critical_target_hours = models.PositiveIntegerField(default=2)
    high_due_hours = models.PositiveIntegerField(default=48)
    high_target_hours = models.PositiveIntegerField(default=24)
    medium_due_hours = models.PositiveIntegerField(default=14 * 24)
    medium_target_hours = models.PositiveIntegerField(default=7 * 24)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-effective_from", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "version"], name="assessments_slapolicy_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"SLA policy v{self.version}"

    def hours_for(self, severity: str) -> tuple[int, int] | None:
        """(due, target) hours for a severity with a fixed window, else None."""
        if severity == Severity.CRITICAL:
            return self.critical_due_hours, self.critical_target_hours
        if severity == Severity.HIGH:
            return self.high_due_hours, self.high_target_hours
        if severity == Severity.MEDIUM:
            return self.medium_due_hours, self.medium_target_hours
        return None


class Finding(OrgOwnedModel):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="findings")
    engagement = models.ForeignKey(
        Engagement, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    cvss_vector = models.CharField(max_length=300, blank=True)
    cvss_version = models.CharField(max_length=8, blank=True, help_text="3.0, 3.1 or 4.0")
    cvss_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    cwe_id = models.PositiveIntegerField(null=True, blank=True)
    asset = models.CharField(max_length=500, blank=True, help_text="Host, URL, component or file.")
    status = models.CharField(max_length=24, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evidence = models.TextField(blank=True)
    detected_at = models.DateTimeField()
    sla_policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True, help_text="Fixed at detection; none for info.")
    target_at = models.DateTimeField(null=True, blank=True)
    fixed_at = models.DateTimeField(null=True, blank=True)
    retest_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    risk_reason = models.TextField(blank=True)
    risk_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    risk_expires_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=128, blank=True, help_text="Stable identity for importers.")
    # Set by scanner imports: which tool reported it, and when and by which import it was last seen.
    source_tool = models.CharField(max_length=100, blank=True, help_text="Scanner that reported it.")
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_import = models.ForeignKey(
        "FindingImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-detected_at", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "application", "fingerprint"],
                condition=~Q(fingerprint=""),
                name="assessments_finding_unique_fingerprint",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "status", "severity"], name="assessments_finding_status"),
            models.Index(fields=["application", "source_tool", "status"], name="assessments_finding_tool"),
            # The dashboards (assessments/dashboard.py) read these without touching the table: each
            # covers the columns its aggregate needs (PostgreSQL; SQLite ignores `include`).
            models.Index(
                fields=["organization", "status", "severity", "detected_at"],
                include=[
                    "due_at",
                    "target_at",
                    "fixed_at",
                    "closed_at",
                    "risk_expires_at",
                    "updated_at",
                    "application",
                ],
                name="assessments_finding_unresolved",
            ),
            models.Index(
                fields=["organization", "due_at"],
                include=["status", "fixed_at", "closed_at", "risk_expires_at", "application"],
                name="assessments_finding_due",
            ),
            models.Index(
                fields=["organization", "detected_at"],
                include=["application"],
                name="assessments_finding_detected",
            ),
            models.Index(
                fields=["organization", "closed_at"],
                include=["status", "fixed_at", "severity", "detected_at", "application"],
                name="assessments_finding_closed",
            ),
            models.Index(
                fields=["organization", "fixed_at"],
                include=["status", "severity", "detected_at", "application"],
                name="assessments_finding_fixed",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class FindingImport(OrgOwnedModel):
    """One scanner report imported into an application's findings (by the UI, the API or the CLI).

    A queued upload waits encrypted in the file store (`storage_name`, sealed with the organization's data
    key and bound to `uid`); the stored file is removed once the import has finished, either way.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="imports")
    engagement = models.ForeignKey(
        Engagement, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    format = models.CharField(max_length=16, blank=True, help_text="Blank until detected.")
    original_filename = models.CharField(max_length=255, blank=True, help_text="As uploaded; display only.")
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the report.")
    close_missing = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    bytes_done = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    results_total = models.PositiveIntegerField(default=0, help_text="Results in the report.")
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    closed_count = models.PositiveIntegerField(default=0)
    reopened_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    storage_name = models.CharField(max_length=200, blank=True, editable=False)
    data_key = models.ForeignKey(
        "vault.OrganizationKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when an API token uploaded the report (a CI pipeline): the worker imports as that token.
    created_by_token = models.ForeignKey(
        "identity.ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life: queued again by the sweeper, claimed by a worker, or progress saved.",
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.original_filename or 'a report'}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)

    @property
    def percent_done(self) -> int:
        if self.status == ImportStatus.SUCCEEDED:
            return 100
        if not self.bytes_total:
            return 0
        return min(100, int(self.bytes_done * 100 / self.bytes_total))
