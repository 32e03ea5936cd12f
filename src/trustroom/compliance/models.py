"""Compliance register: frameworks, compliance statements, certifications and audit reports.

Time-dependent state (valid, expiring soon, expired, …) is never stored: `trustroom.compliance.state`
computes it from the dates when read, so a certificate past its expiry reads as expired even if no
background job ever ran.

Dates: validity and audit periods are calendar dates (`DateField`), interpreted in UTC: a certificate
"valid until 2026-07-22" is valid through the whole of that UTC day and expired from the next one.
Moments (reviewed at, renewal started at, history) are aware UTC datetimes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from trustroom.tenancy.models import Organization, OrgOwnedModel
from trustroom.tenancy.narrowing import narrow
from trustroom.tenancy.scope import ScopeError, current_org, require_org


class Visibility(models.TextChoices):
    """Who may see an item on the trust center (shared by every published record)."""

    PUBLIC = "public", "Public"
    GATED = "gated", "Access required"
    PRIVATE = "private", "Private"


PUBLISHED_VISIBILITIES = (Visibility.PUBLIC, Visibility.GATED)


# --- Frameworks --------------------------------------------------------------------------------------


class FrameworkKind(models.TextChoices):
    STANDARD = "standard", "Standard"
    REGULATION = "regulation", "Law or regulation"
    ATTESTATION = "attestation", "Attestation"
    OTHER = "other", "Other"


class FrameworkManager(models.Manager["Framework"]):
    """Built-in frameworks plus the current organization's own; refuses to run without a scope. An auditor
    reads the organization's own frameworks only as their periods admit (`tenancy.narrowing`)."""

    def get_queryset(self) -> models.QuerySet[Framework]:
        org = require_org()
        frameworks = super().get_queryset().filter(Q(organization__isnull=True) | Q(organization_id=org.pk))
        return narrow(frameworks)


class BuiltinFrameworkManager(models.Manager["Framework"]):
    """Only the built-in frameworks (shared by every organization); safe without a scope."""

    def get_queryset(self) -> models.QuerySet[Framework]:
        return super().get_queryset().filter(organization__isnull=True)


class Framework(models.Model):
    """A standard, law or attestation a statement or certification refers to.

    Built-in frameworks have no organization and are shared, read-only; custom ones belong to one
    organization. On PostgreSQL the table has a row-level security policy of its own
    (`tenancy.rls.EnableSharedRowLevelSecurity`): rows are visible when built-in or of the current
    organization, and only the current organization's rows may be written.
    SOC 2 Type 1 and Type 2 are two frameworks (same criteria, different attestation).
    """

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        help_text="Empty for a built-in framework.",
    )
    code = models.SlugField(max_length=60, help_text="Stable identifier, e.g. iso27001-2022.")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=FrameworkKind.choices, default=FrameworkKind.STANDARD)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrameworkManager()
    builtins = BuiltinFrameworkManager()

    class Meta:
        ordering: ClassVar = ["position", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(organization__isnull=True), name="framework_builtin_code_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "code"],
                condition=Q(organization__isnull=False),
                name="framework_custom_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not business logic: a custom framework is only written inside its own scope.
        if self.organization_id is not None:
            org = current_org()
            if org is None or org.pk != self.organization_id:
                raise ScopeError("A custom framework can only be saved inside its organization's scope")
        super().save(*args, **kwargs)

    @property
    def is_builtin(self) -> bool:
        return self.organization_id is None


class Requirement(models.Model):
    """One requirement of a built-in framework: identifier and short title (no long text)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    identifier = models.CharField(max_length=60)
    title = models.CharField(max_length=160)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["framework_id", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["framework", "identifier"], name="requirement_unique_identifier")
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"


# --- Compliance statements ---------------------------------------------------------------------------


class ComplianceStatus(models.TextChoices):
    COMPLIANT = "compliant", "Compliant"
    IN_PROGRESS = "in_progress", "In progress"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NON_COMPLIANT = "non_compliant", "Non-compliant"


class ComplianceStatement(OrgOwnedModel):
    """How the organization stands with one framework: status, summary, measures. One per framework."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ComplianceStatus.choices)
    summary = models.CharField(max_length=300, help_text="One line, shown next to the status.")
    measures = models.JSONField(default=list, blank=True, help_text="The measures, one string each.")
    not_applicable_reason = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["framework__position", "framework__name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "framework"], name="statement_one_per_framework"),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | ~Q(not_applicable_reason=""),
                name="statement_not_applicable_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework}: {self.get_status_display()}"


class StatementRevision(OrgOwnedModel):
    """One change of a compliance statement: who, when, and each changed field's old and new value."""

    statement = models.ForeignKey(ComplianceStatement, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=20, default="updated")  # created | updated
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_label = models.CharField(max_length=300)
    changed_at = models.DateTimeField()
    changes = models.JSONField(default=dict, help_text="field -> [old, new]")

    class Meta:
        ordering: ClassVar = ["-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["statement", "number"], name="statement_revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of statement {self.statement_id}"


# --- Certifications ----------------------------------------------------------------------------------


class CertificationKind(models.TextChoices):
    CERTIFICATE = "certificate", "Certificate"
    ATTESTATION_REPORT = "attestation_report", "Attestation report"
    SAFE_TO_HOST = "safe_to_host", "Safe to host certificate (VAPT)"
    SELF_ASSESSMENT = "self_assessment", "Self-assessment"


class Certification(OrgOwnedModel):
    """A certificate, attestation report or self-assessment, with its validity and renewal cycle.

    Certifications of one renewal series (e.g. the yearly SOC 2 Type 2 reports) share `series`; a newer
    one supersedes an older one through `superseded_by`. State is computed when read (see `state.py`).
    """

    kind = models.CharField(max_length=30, choices=CertificationKind.choices)
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    series = models.SlugField(
        max_length=80, help_text="Certifications of one renewal series share it, e.g. soc2-type2."
    )
    issuer = models.CharField(max_length=200, blank=True, help_text="Certification body or auditor.")
    number = models.CharField(max_length=100, blank=True, help_text="Certificate or report number.")
    valid_from = models.DateField()
    valid_until = models.DateField(help_text="Last day of validity (inclusive, UTC).")
    audit_period_start = models.DateField(null=True, blank=True)
    audit_period_end = models.DateField(null=True, blank=True)
    validity_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Renewal cycle: years between (re)certifications."
    )
    surveillance_interval_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Months between surveillance audits; empty for none."
    )
    renewal_started_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.ForeignKey(
        "vault.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The certificate or report (PDF, stored encrypted in the vault).",
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["series", "-valid_from", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="certification_validity_ordered"
            ),
            models.CheckConstraint(
                condition=Q(audit_period_start__isnull=True)
                | Q(audit_period_end__isnull=True)
                | Q(audit_period_end__gte=F("audit_period_start")),
                name="certification_audit_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(superseded_by=F("id")), name="certification_not_superseded_by_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title
