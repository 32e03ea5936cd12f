"""Organizations, their members, and the base every organization-owned model inherits."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from trustroom.tenancy.narrowing import current_narrowing
from trustroom.tenancy.scope import ScopeError, current_org, require_org

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1-50 lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"
    AUDITOR = "auditor", "Auditor"


class Organization(models.Model):
    """A tenant. Not organization-owned itself: it is the root that everything else hangs from."""

    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=300, blank=True)
    registration_number = models.CharField(
        max_length=100,
        blank=True,
        help_text="Company registration number (e.g. CIN, Companies House number).",
    )
    tax_id = models.CharField(max_length=100, blank=True, help_text="Tax identifier (e.g. GSTIN, VAT, EIN).")
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in one organization.

    Memberships are read both per organization (members page) and per person (organization switcher,
    resolving a request), so they are not behind the organization scope; every read goes through
    `trustroom.tenancy.selectors`, which always filters by organization or by user.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user_per_org")
        ]
        ordering: ClassVar = ["organization__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class OrgScopedQuerySet(models.QuerySet):
    pass


class OrgScopedManager(models.Manager):
    """Default manager of organization-owned models: refuses to build a query without a scope, and
    narrows a period-scoped reader (an auditor) to their audit periods (`tenancy.narrowing`)."""

    def get_queryset(self) -> OrgScopedQuerySet:
        org = require_org()
        queryset = OrgScopedQuerySet(self.model, using=self._db).filter(organization_id=org.pk)
        narrowing = current_narrowing()
        if narrowing is None:
            return queryset
        return narrowing.apply(queryset)


class OrgOwnedModel(models.Model):
    """Base of every organization-owned model.

    Its default manager only answers inside `org_scope(org)` and only with that organization's rows;
    on PostgreSQL the table also gets row-level security (see `tenancy.rls.EnableRowLevelSecurity`).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", editable=False)

    objects = OrgScopedManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not business logic: a row can only be written inside its own organization's scope.
        org = current_org()
        if org is None:
            raise ScopeError(f"Cannot save {type(self).__name__} outside an organization scope")
        if self.organization_id is None:
            self.organization = org
        elif self.organization_id != org.pk:
            raise ScopeError(
                f"Cannot save {type(self).__name__} of organization {self.organization_id} "
                f"inside the scope of organization {org.pk}"
            )
        super().save(*args, **kwargs)


class Invitation(OrgOwnedModel):
    """An e-mailed invitation to join with a role. Only a digest of the link's secret is kept."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    secret_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} ({self.role})"

    def status(self, now: Any = None) -> str:
        from django.utils import timezone

        now = now or timezone.now()
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"
