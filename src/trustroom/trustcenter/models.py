"""Gated documents of the trust center: settings, confidentiality terms, access requests and grants,
terms acceptances, customer accounts and downloads.

The flow (as Probo and SafeBase run it): a visitor requests access → verifies the work e-mail → the
organization approves (or an auto-approve rule does) → a grant with an expiry, revocable → the visitor
accepts the current confidentiality terms → downloads a copy watermarked for them through a short-lived
signed link. State that depends on time (a grant's expiry, a link's age) is computed when read.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from trustroom.tenancy.models import OrgOwnedModel

DEFAULT_GRANT_DAYS = 30

# Common free-mail providers, refused as "work e-mail" unless the organization clears the list.
FREE_MAIL_DOMAINS = [
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mail.com",
    "gmx.com",
    "gmx.net",
    "proton.me",
    "protonmail.com",
    "yandex.com",
    "zoho.com",
    "rediffmail.com",
]


def _free_mail_domains() -> list[str]:
    return list(FREE_MAIL_DOMAINS)


class ClaimPosturePolicy(models.TextChoices):
    SHOW_AS_STALE = "show_as_stale", "Show it as not currently verified"
    HIDE = "hide", "Hide it"


# A claim with no ClaimPolicy row follows the organization's default (shown as "inherit").
INHERIT = "inherit"


class TrustCenterSettings(OrgOwnedModel):
    """One per organization: whether the trust center is published and how access is granted."""

    published = models.BooleanField(default=False)
    intro = models.TextField(blank=True, help_text="Shown at the top of the public trust center.")
    default_grant_days = models.PositiveSmallIntegerField(default=DEFAULT_GRANT_DAYS)
    auto_approve_domains = models.JSONField(
        default=list,
        blank=True,
        help_text="E-mail domains whose verified requests are approved without review.",
    )
    refused_email_domains = models.JSONField(
        default=_free_mail_domains,
        blank=True,
        help_text="E-mail domains refused as work e-mail (free-mail providers by default).",
    )
    # Security program claims, derived from the records when read (see trustcenter/program_claims.py).
    claim_access_reviews = models.BooleanField(default=False)
    claim_production_access = models.BooleanField(default=False)
    claim_dr_testing = models.BooleanField(default=False)
    # A claim bound to controls that are not all ready: badge it or hide it (see controls/posture.py).
    claim_posture_policy = models.CharField(
        max_length=20, choices=ClaimPosturePolicy.choices, default=ClaimPosturePolicy.SHOW_AS_STALE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "trust center settings"
        verbose_name_plural = "trust center settings"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="trustcentersettings_one_per_org"),
        ]

    def __str__(self) -> str:
        return "Trust center settings"


class ConfidentialityTerms(OrgOwnedModel):
    """One version of the click-through terms. The highest version is the current one; publishing a
    new version means every grant must accept again before downloading."""

    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200, default="Confidentiality terms")
    body = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-version"]
        verbose_name_plural = "confidentiality terms"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "version"], name="terms_unique_version_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class CustomerAccount(OrgOwnedModel):
    """A customer company. Its contacts may sign in and see the documents the account may access;
    requests from its e-mail domains are approved automatically."""

    name = models.CharField(max_length=200)
    email_domains = models.JSONField(default=list, blank=True)
    all_gated_documents = models.BooleanField(
        default=False, help_text="May see every gated document, including ones added later."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="customeraccount_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerAccountDocument(OrgOwnedModel):
    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="document_links")
    document = models.ForeignKey("vault.Document", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "document"], name="customeraccountdocument_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.document_id}"


class CustomerContact(OrgOwnedModel):
    """A person of a customer account. Signed in with a verified account of this e-mail, they see
    the account's documents (after the terms) without requesting access."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    # An e-mailed invitation to create a sign-in for this address (digest of the link's secret only).
    invite_digest = models.CharField(max_length=64, blank=True, db_index=True)
    invite_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["email"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "email"], name="customercontact_unique_email"),
        ]

    def __str__(self) -> str:
        return self.name or self.email


class RequestStatus(models.TextChoices):
    UNVERIFIED = "unverified", "E-mail not verified"
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"


class AccessRequest(OrgOwnedModel):
    """A visitor's request for gated documents. Only a digest of the verification link's secret is kept."""

    name = models.CharField(max_length=200)
    email = models.EmailField()
    company = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    all_gated_documents = models.BooleanField(default=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.UNVERIFIED)
    verification_digest = models.CharField(max_length=64, unique=True)
    verification_expires_at = models.DateTimeField()
    email_verified_at = models.DateTimeField(null=True, blank=True)
    auto_approved_by = models.CharField(max_length=200, blank=True, help_text="The rule that approved it.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> ({self.company})"


class AccessRequestDocument(OrgOwnedModel):
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="document_links")
    document = models.ForeignKey("vault.Document", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["request", "document"], name="accessrequestdocument_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.document_id}"


class GrantStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class AccessGrant(OrgOwnedModel):
    """Access to gated documents for one e-mail until `expires_at` (or until revoked).

    The access link's secret is kept as a digest only; its status is computed when read.
    """

    request = models.OneToOneField(
        AccessRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="grant"
    )
    customer_account = models.ForeignKey(
        CustomerAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="grants"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    company = models.CharField(max_length=200, blank=True)
    all_gated_documents = models.BooleanField(default=True)
    access_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"Access for {self.email}"

    def status(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return GrantStatus.REVOKED
        if self.expires_at <= now:
            return GrantStatus.EXPIRED
        return GrantStatus.ACTIVE

    def is_active(self, now: datetime | None = None) -> bool:
        return self.status(now) == GrantStatus.ACTIVE


class AccessGrantDocument(OrgOwnedModel):
    grant = models.ForeignKey(AccessGrant, on_delete=models.CASCADE, related_name="document_links")
    document = models.ForeignKey("vault.Document", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["grant", "document"], name="accessgrantdocument_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.grant_id} → {self.document_id}"


class TermsAcceptance(OrgOwnedModel):
    """Who accepted which version of the terms, when, from where. Either a grant or a customer contact."""

    terms = models.ForeignKey(ConfidentialityTerms, on_delete=models.PROTECT, related_name="acceptances")
    grant = models.ForeignKey(
        AccessGrant, null=True, blank=True, on_delete=models.CASCADE, related_name="acceptances"
    )
    contact = models.ForeignKey(
        CustomerContact, null=True, blank=True, on_delete=models.CASCADE, related_name="acceptances"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    accepted_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering: ClassVar = ["-accepted_at"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(grant__isnull=False, contact__isnull=True)
                | models.Q(grant__isnull=True, contact__isnull=False),
                name="termsacceptance_grant_or_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} accepted {self.terms}"


class DownloadEvent(OrgOwnedModel):
    """One watermarked copy handed out (the audit log has it too; this is the downloads report)."""

    document = models.ForeignKey("vault.Document", null=True, on_delete=models.SET_NULL, related_name="+")
    document_title = models.CharField(max_length=300)
    grant = models.ForeignKey(
        AccessGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="downloads"
    )
    contact = models.ForeignKey(
        CustomerContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="downloads"
    )
    acceptance = models.ForeignKey(TermsAcceptance, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    downloaded_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering: ClassVar = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.email} downloaded {self.document_title}"


class SafeToHostPublication(OrgOwnedModel):
    """The organization chose to show this application's "safe to host" attestation in its public trust
    center (opt-in per application: not every organization wants to name its internal applications).

    Publishing is only the choice to show it; whether an attestation appears is computed when the page
    is read (`trustcenter.attestations`), so an application that stops being safe disappears by itself.
    """

    application = models.ForeignKey("assessments.Application", on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["published_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "application"], name="safetohostpublication_one_per_application"
            ),
        ]

    def __str__(self) -> str:
        return f"Safe to host published for application {self.application_id}"


class ClaimPolicy(OrgOwnedModel):
    """One public claim's own posture policy (by its stable key, see `trustroom.controls.posture`),
    overriding the organization's default for that claim. No row: the claim inherits the default."""

    claim_key = models.CharField(max_length=120, help_text="e.g. certification:12, program:dr_failover:3.")
    policy = models.CharField(max_length=20, choices=ClaimPosturePolicy.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "claim policies"
        ordering: ClassVar = ["claim_key", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "claim_key"], name="claimpolicy_one_per_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_key}: {self.policy}"
