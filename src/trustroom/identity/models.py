"""People who sign in, and organization API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from trustroom.tenancy.models import OrgOwnedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. What they may see and do is decided by their memberships, not by this row."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering: ClassVar = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"
    # For a SIEM or audit tooling: reads the whole organization, the audit log included (no audit period
    # narrows it: only owners and admins make tokens; see tenancy.narrowing).
    AUDIT = "audit", "Read, including the audit log"


class ApiToken(OrgOwnedModel):
    """An organization's API token. Only a SHA-256 digest of the secret is stored.

    The token string is `trt_<prefix>_<secret>`; the prefix finds the row, the secret is compared in
    constant time. A token is usable while it is neither revoked nor past `expires_at` — decided when
    it is presented, so no job has to expire it.
    """

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    secret_digest = models.CharField(max_length=64)
    scope = models.CharField(max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "prefix"], name="apitoken_unique_prefix_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def status(self, now: Any = None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    def is_usable(self, now: Any = None) -> bool:
        return self.status(now) == "active"


# Bounds of an organization's session lifetime, in minutes: five minutes to thirty days.
SESSION_LIFETIME_MIN_MINUTES = 5
SESSION_LIFETIME_MAX_MINUTES = 30 * 24 * 60
SESSION_LIFETIME_DEFAULT_MINUTES = 12 * 60


class SecurityPolicy(OrgOwnedModel):
    """How an organization wants its members to sign in: one row per organization, at most.

    No row means the defaults (see `identity.selectors.security_policy_for`). Enforced by
    `identity.policy_enforcement` (MFA and session lifetime) and `tenancy.services.invite_member`
    (e-mail domains). `sso_only` is stored now and enforced once SSO connections exist.
    """

    require_mfa = models.BooleanField(default=False)
    session_lifetime_minutes = models.PositiveIntegerField(default=SESSION_LIFETIME_DEFAULT_MINUTES)
    allowed_email_domains = models.JSONField(default=list, blank=True)
    sso_only = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "security policies"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization"], name="securitypolicy_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"Security policy of organization {self.organization_id}"

    def allows_email(self, email: str) -> bool:
        """Whether an invitation may go to `email`: any address when no domain is listed."""
        if not self.allowed_email_domains:
            return True
        domain = email.rsplit("@", 1)[-1].strip().lower()
        return domain in self.allowed_email_domains


class AuthEventKind(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    MFA_ADDED = "mfa_added", "Authenticator added"
    MFA_REMOVED = "mfa_removed", "Authenticator removed"
    MFA_USED = "mfa_used", "Authenticator used"
    MFA_FAILED = "mfa_failed", "Authenticator code refused"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", "Recovery codes regenerated"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_SET = "password_set", "Password set"
    PASSWORD_RESET = "password_reset", "Password reset"
    SSO_LOGIN = "sso_login", "Signed in through SSO"
    SSO_FAILED = "sso_failed", "SSO sign-in refused"


class AuthEvent(models.Model):
    """One authentication event, kept at platform level (not per organization).

    Sign-in failures for e-mail addresses nobody has are kept too, so `user` is nullable and
    `email` holds what was typed. The same event is also appended to the audit log of every
    organization the user is a member of (see `trustroom.identity.auth_events`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="auth_events"
    )
    email = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=32, choices=AuthEventKind.choices)
    success = models.BooleanField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["user", "-created_at"], name="authevent_user_recent"),
            models.Index(fields=["email", "-created_at"], name="authevent_email_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.email or self.user_id})"


class AllowlistAudience(models.TextChoices):
    BOTH = "both", "Members and API tokens"
    MEMBERS = "members", "Members only"
    API_TOKENS = "api_tokens", "API tokens only"


class IpAllowlistEntry(OrgOwnedModel):
    """One network the organization allows access from (see `trustroom.identity.ip_allowlist`).

    An organization with no entry for an audience (members, API tokens) is unrestricted for it; from its
    first entry on, every other address is refused. `network` is stored normalized ("203.0.113.0/24",
    "2001:db8::/32"); a single address is stored as a /32 or /128.
    """

    network = models.CharField(max_length=49)
    label = models.CharField(max_length=100, blank=True)
    applies_to = models.CharField(
        max_length=10, choices=AllowlistAudience.choices, default=AllowlistAudience.BOTH
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["network"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "network"], name="ipallowlist_unique_network_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network} ({self.label})" if self.label else self.network

    @property
    def for_members(self) -> bool:
        return self.applies_to in (AllowlistAudience.BOTH, AllowlistAudience.MEMBERS)

    @property
    def for_api_tokens(self) -> bool:
        return self.applies_to in (AllowlistAudience.BOTH, AllowlistAudience.API_TOKENS)


class SsoProtocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class OidcPreset(models.TextChoices):
    GENERIC = "generic", "Any OpenID Provider"
    GOOGLE = "google", "Google Workspace"
    OKTA = "okta", "Okta"
    ENTRA = "entra", "Microsoft Entra ID"


class SsoConnection(OrgOwnedModel):
    """An identity provider the organization's members sign in through (see `trustroom.identity.sso`).

    The connection is known to allauth as the provider id `<organization slug>.<key>`, which is also in
    the callback and ACS URLs the identity provider is configured with. An identity it asserts is
    accepted only for an e-mail address in `email_domains`; a new person arriving that way is created
    and made a member with `default_role` when `jit_provisioning` is on. The OIDC client secret is kept
    sealed under the organization's data key, bound to the organization and the connection.
    """

    key = models.SlugField(max_length=20)
    name = models.CharField(max_length=100)
    protocol = models.CharField(max_length=4, choices=SsoProtocol.choices)
    enabled = models.BooleanField(default=True)
    email_domains = models.JSONField(default=list)
    jit_provisioning = models.BooleanField(default=True)
    default_role = models.CharField(max_length=20, default="viewer")
    # OpenID Connect
    oidc_preset = models.CharField(max_length=10, choices=OidcPreset.choices, blank=True)
    oidc_issuer = models.URLField(max_length=300, blank=True)
    oidc_client_id = models.CharField(max_length=300, blank=True)
    oidc_client_secret_sealed = models.TextField(blank=True)
    # SAML 2.0
    saml_idp_entity_id = models.CharField(max_length=300, blank=True)
    saml_idp_sso_url = models.URLField(max_length=500, blank=True)
    saml_idp_certificate = models.TextField(blank=True)
    saml_allow_idp_initiated = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "key"], name="ssoconnection_unique_key_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_protocol_display()})"


class SsoAssertionUse(models.Model):
    """A SAML assertion already used to sign in, kept until it expires: the same one is refused again.

    Platform-level (the provider id names the organization and connection): the check runs before the
    person and their organization are known to the request.
    """

    provider_id = models.CharField(max_length=80)
    assertion_id = models.CharField(max_length=200)
    not_on_or_after = models.DateTimeField()
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["provider_id", "assertion_id"], name="ssoassertionuse_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["not_on_or_after"], name="ssoassertionuse_expiry")]

    def __str__(self) -> str:
        return f"{self.assertion_id} via {self.provider_id}"


# The longest a support access grant may run: an owner grants again for longer work.
SUPPORT_ACCESS_MAX_DAYS = 7


class SupportScope(models.TextChoices):
    # Acts as an auditor: reads everything an auditor reads, writes nothing.
    READ = "read", "Read only (as an auditor)"
    # Acts as an admin of the organization (minus what support staff may never manage).
    ADMIN = "admin", "Act as an admin"


class SupportAccessGrant(OrgOwnedModel):
    """An owner's consent for one platform staff member (`User.is_staff`) to enter the organization.

    Time-boxed: usable while neither revoked nor past `expires_at`, decided on every request from the
    timestamps (see `trustroom.identity.support_access`), so no job has to end it. Never deleted: the
    list is the organization's record of who was let in, why and until when.
    """

    staff_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=10, choices=SupportScope.choices, default=SupportScope.READ)
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(
                fields=["organization", "staff_user", "expires_at"], name="supportgrant_staff_active"
            ),
        ]

    def __str__(self) -> str:
        return f"Support access {self.pk} ({self.get_scope_display()})"

    def status(self, now: Any = None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    def is_active(self, now: Any = None) -> bool:
        return self.status(now) == "active"
