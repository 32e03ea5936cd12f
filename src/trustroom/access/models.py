"""Who may reach what: the inventory of systems and environments, access grants, need-to-know requests
with their approval chain, revocation tasks, access review campaigns, policy rules and imports.

Rows hold facts fixed when they happened (granted, approved, revoked, decided); everything that depends
on the clock (a grant past its expiry, an overdue campaign or task) is computed when read, in `state.py`.
People are identified by e-mail address: most people who hold access to a system never sign in to
Trustroom, so `user` is filled in only when the address belongs to a Trustroom account.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from trustroom.tenancy.models import OrgOwnedModel


class Sensitivity(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


# Sensitivities whose access needs the business-unit head's approval too (as production does).
SENSITIVE = frozenset({Sensitivity.HIGH, Sensitivity.CRITICAL})


class EnvironmentKind(models.TextChoices):
    TESTING = "testing", "Testing"
    DEMO = "demo", "Demo"
    PREPROD = "preprod", "Pre-production"
    STAGING = "staging", "Staging"
    PRODUCTION = "production", "Production"
    CUSTOM = "custom", "Custom"


class PrivilegeLevel(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    ADMIN = "admin", "Admin"


class System(OrgOwnedModel):
    """Something people get access to: an application, a database, a cloud account, a SaaS tool."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, default=Sensitivity.MODERATE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="access_system_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Environment(OrgOwnedModel):
    """One environment of a system (testing, demo, pre-prod, staging, production, or a custom one)."""

    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="environments")
    kind = models.CharField(max_length=12, choices=EnvironmentKind.choices)
    # Required for custom environments; optional otherwise (e.g. "production-eu").
    name = models.CharField(max_length=100, blank=True)
    # Blank: the system's sensitivity applies.
    sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["system__name", "kind", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "system", "kind", "name"], name="access_environment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system.name} · {self.label}"

    @property
    def label(self) -> str:
        return self.name or self.get_kind_display()

    @property
    def is_production(self) -> bool:
        return self.kind == EnvironmentKind.PRODUCTION

    @property
    def effective_sensitivity(self) -> str:
        return self.sensitivity or self.system.sensitivity


class AccessGroup(OrgOwnedModel):
    """A named set of people (e.g. "DevOps"), by e-mail address, that policy rules refer to."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="access_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AccessGroupMember(OrgOwnedModel):
    group = models.ForeignKey(AccessGroup, on_delete=models.CASCADE, related_name="members")
    email = models.EmailField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["email"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["group", "email"], name="access_groupmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.email} in {self.group_id}"


class RequestStatus(models.TextChoices):
    PENDING_MANAGER = "pending_manager", "Waiting for the line manager"
    PENDING_BU_HEAD = "pending_bu_head", "Waiting for the business-unit head"
    APPROVED = "approved", "Approved, waiting for provisioning"
    PROVISIONED = "provisioned", "Provisioned"
    DENIED = "denied", "Denied"
    CANCELLED = "cancelled", "Cancelled"


OPEN_REQUEST_STATUSES = frozenset(
    {RequestStatus.PENDING_MANAGER, RequestStatus.PENDING_BU_HEAD, RequestStatus.APPROVED}
)


class AccessRequest(OrgOwnedModel):
    """A need-to-know request: approved by the line manager, then — for production or a sensitive
    environment — by the business-unit head; then provisioned, which creates the grant."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    environment = models.ForeignKey(Environment, on_delete=models.PROTECT, related_name="requests")
    privilege = models.CharField(max_length=10, choices=PrivilegeLevel.choices)
    justification = models.TextField()
    duration_days = models.PositiveIntegerField()
    line_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    business_unit_head = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Fixed at submission from the environment (production or high/critical sensitivity).
    needs_business_unit_head = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING_MANAGER
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)
    provisioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["organization", "status"], name="access_request_status")]

    def __str__(self) -> str:
        return f"Access request {self.pk} ({self.get_status_display()})"


class ApprovalStep(models.TextChoices):
    LINE_MANAGER = "line_manager", "Line manager"
    BUSINESS_UNIT_HEAD = "business_unit_head", "Business-unit head"


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"


class AccessApproval(OrgOwnedModel):
    """One approver's decision on one step of a request (the chain's evidence)."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="approvals")
    step = models.CharField(max_length=20, choices=ApprovalStep.choices)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=ApprovalDecision.choices)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["decided_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["request", "step"], name="access_approval_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.get_decision_display()}"


class GrantSource(models.TextChoices):
    REQUEST = "request", "Need-to-know request"
    MANUAL = "manual", "Recorded by hand"
    IMPORT = "import", "Imported"
    REVIEW = "review", "Changed in an access review"


class AccessGrant(OrgOwnedModel):
    """A person's access to one environment at one privilege level, from `granted_at` until it expires
    (computed when read from `expires_at`) or is revoked."""

    environment = models.ForeignKey(Environment, on_delete=models.PROTECT, related_name="grants")
    person_email = models.EmailField()
    person_name = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    privilege = models.CharField(max_length=10, choices=PrivilegeLevel.choices)
    source = models.CharField(max_length=10, choices=GrantSource.choices, default=GrantSource.MANUAL)
    request = models.OneToOneField(
        AccessRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="grant"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["person_email", "id"]
        indexes: ClassVar = [
            models.Index(fields=["organization", "environment", "revoked_at"], name="access_grant_env"),
            models.Index(fields=["organization", "person_email"], name="access_grant_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_email}: {self.get_privilege_display()}"


class RevocationReason(models.TextChoices):
    EXPIRED = "expired", "Grant expired"
    REVIEW = "review", "Revoked in an access review"
    POLICY = "policy", "Violates a policy rule"
    IMPORT = "import", "Missing from the system (import)"
    MANUAL = "manual", "Revoked by hand"


class RevocationTask(OrgOwnedModel):
    """Take the access away in the real system, and confirm it: open until `completed_at`."""

    grant = models.ForeignKey(AccessGrant, on_delete=models.CASCADE, related_name="revocation_tasks")
    reason = models.CharField(max_length=10, choices=RevocationReason.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["due_at", "id"]
        constraints: ClassVar = [
            # One open task per grant and reason: the expiry job may run twice.
            models.UniqueConstraint(
                fields=["grant", "reason"],
                condition=Q(completed_at__isnull=True),
                name="access_revocationtask_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Revoke grant {self.grant_id} ({self.get_reason_display()})"


class AccessReviewSchedule(OrgOwnedModel):
    """When access review campaigns start: an RFC 5545 rule (default quarterly), one row per organization."""

    rule = models.CharField(max_length=200, default="FREQ=MONTHLY;INTERVAL=3")
    starts_at = models.DateTimeField()
    days_to_complete = models.PositiveIntegerField(default=14)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="access_reviewschedule_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"Access reviews {self.rule}"


class AccessReviewCampaign(OrgOwnedModel):
    """One access review: every active grant at the start is an item that a reviewer keeps, revokes or
    changes. Completion and overdue are computed when read."""

    name = models.CharField(max_length=200)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # The schedule occurrence that opened it (None: opened by hand); unique so the job opens it once.
    occurrence = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-opened_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "occurrence"],
                condition=Q(occurrence__isnull=False),
                name="access_campaign_once_per_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewerAssignment(OrgOwnedModel):
    campaign = models.ForeignKey(AccessReviewCampaign, on_delete=models.CASCADE, related_name="assignments")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["campaign", "system"], name="access_reviewer_once_per_system"),
        ]

    def __str__(self) -> str:
        return f"Reviewer of system {self.system_id} in campaign {self.campaign_id}"


class ReviewDecision(models.TextChoices):
    KEEP = "keep", "Keep"
    REVOKE = "revoke", "Revoke"
    CHANGE = "change", "Change privilege"


class AccessReviewItem(OrgOwnedModel):
    """One grant under review. What was reviewed is copied, so the evidence stays as it was."""

    campaign = models.ForeignKey(AccessReviewCampaign, on_delete=models.CASCADE, related_name="items")
    grant = models.ForeignKey(AccessGrant, on_delete=models.PROTECT, related_name="review_items")
    person_email = models.EmailField()
    system_name = models.CharField(max_length=200)
    environment_label = models.CharField(max_length=120)
    privilege = models.CharField(max_length=10, choices=PrivilegeLevel.choices)
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices, blank=True)
    new_privilege = models.CharField(max_length=10, choices=PrivilegeLevel.choices, blank=True)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["system_name", "environment_label", "person_email", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["campaign", "grant"], name="access_reviewitem_once_per_grant"),
        ]

    def __str__(self) -> str:
        return f"Review of grant {self.grant_id}"


class AccessPolicyRule(OrgOwnedModel):
    """E.g. "production access only for members of group DevOps, at most 5 people".

    Matches environments by kind and/or system (blank = any); violations are computed when read.
    """

    name = models.CharField(max_length=200)
    environment_kind = models.CharField(max_length=12, choices=EnvironmentKind.choices, blank=True)
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    allowed_group = models.ForeignKey(
        AccessGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="rules"
    )
    max_people = models.PositiveIntegerField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(allowed_group__isnull=False) | Q(max_people__isnull=False),
                name="access_rule_says_something",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AccessImport(OrgOwnedModel):
    """A CSV of current access from an identity provider or cloud account, compared with the grants."""

    source = models.CharField(max_length=100)
    filename = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    row_count = models.PositiveIntegerField(default=0)
    # The diff as computed at upload: {"new": [...], "missing": [...], "changed": [...], "matching": n}.
    diff = models.JSONField(default=dict)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Access import {self.pk} from {self.source}"
