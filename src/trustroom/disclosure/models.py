"""Vulnerability disclosure: the organization's policy (and its security.txt), researchers' reports,
public updates and internal notes, and the reward ledger.

State that depends on time (is the security.txt expired?) is computed when read; see `state.py`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from trustroom.assessments.models import Finding, Severity
from trustroom.tenancy.models import Organization, OrgOwnedModel


class DisclosurePolicy(OrgOwnedModel):
    """One per organization. Its `expires_at` is the security.txt's Expires field."""

    published = models.BooleanField(default=False)
    contacts = models.JSONField(default=list, blank=True, help_text="mailto: and https: URIs, in order.")
    scope = models.TextField(blank=True, help_text="What researchers may test (plain text).")
    policy_text = models.TextField(blank=True, help_text="Rules of engagement (plain text).")
    preferred_languages = models.JSONField(default=list, blank=True, help_text="BCP 47 language tags.")
    acknowledgments_url = models.URLField(max_length=500, blank=True)
    hiring_url = models.URLField(max_length=500, blank=True)
    # {"critical": {"eligible": true, "amount": "2000.00", "currency": "USD"}, ...} per assessments Severity.
    rewards = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField()
    openpgp_key_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="Key id or fingerprint in the server's keyring to clear-sign with.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="disclosure_policy_one_per_org")
        ]

    def __str__(self) -> str:
        return f"Disclosure policy of organization {self.organization_id}"


class SecurityTxtHost(models.Model):
    """A host name (e.g. www.example.com) whose /.well-known/security.txt is the organization's.

    Deliberately NOT organization-owned: the host must be resolved to an organization before any scope
    exists, exactly like `Organization.slug`. It holds nothing but the name; it is written only by
    `services.update_policy`, inside the organization's scope.
    """

    host = models.CharField(max_length=253, unique=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["host"]

    def __str__(self) -> str:
        return self.host


class ReportStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Waiting for e-mail confirmation"
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_PROGRESS = "in_progress", "In progress"
    FIXED = "fixed", "Fixed"
    CLOSED = "closed", "Closed"


class Validity(models.TextChoices):
    UNDECIDED = "", "Not decided"
    VALID = "valid", "Valid"
    INVALID = "invalid", "Invalid"
    DUPLICATE = "duplicate", "Duplicate"
    OUT_OF_SCOPE = "out_of_scope", "Out of scope"


class SeverityGuess(models.TextChoices):
    UNKNOWN = "", "I don't know"
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class DisclosureReport(OrgOwnedModel):
    """A researcher's report. Held (UNVERIFIED, invisible to triage) until the e-mail is confirmed."""

    reporter_name = models.CharField(max_length=200)
    reporter_email = models.EmailField(max_length=254)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=20000)
    affected_asset = models.CharField(max_length=500, blank=True)
    steps = models.TextField(max_length=20000, blank=True)
    severity_guess = models.CharField(max_length=16, choices=SeverityGuess.choices, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    verification_digest = models.CharField(max_length=64, unique=True)
    verification_expires_at = models.DateTimeField()
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The private status link: token = HMAC(server key, status_salt); only its digest is looked up.
    status_salt = models.CharField(max_length=64, blank=True)
    status_digest = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.UNVERIFIED)
    validity = models.CharField(max_length=16, choices=Validity.choices, blank=True, default="")
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    severity = models.CharField(max_length=16, choices=Severity.choices, blank=True, default="")
    finding = models.ForeignKey(Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["organization", "status"], name="disclosure_report_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class ReportUpdate(OrgOwnedModel):
    """A public update (shown on the status page, e-mailed) or an internal note (members only)."""

    report = models.ForeignKey(DisclosureReport, on_delete=models.CASCADE, related_name="updates")
    public = models.BooleanField(default=False)
    body = models.TextField(max_length=10000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{'Update' if self.public else 'Note'} on report {self.report_id}"


class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"


class RewardEntry(OrgOwnedModel):
    """One line of the reward ledger. Amounts never change once written; the status moves forward."""

    report = models.ForeignKey(DisclosureReport, on_delete=models.PROTECT, related_name="rewards")
    severity = models.CharField(max_length=16, choices=Severity.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=RewardStatus.choices, default=RewardStatus.PROPOSED)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for report {self.report_id}"
