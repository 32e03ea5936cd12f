"""Trustroom settings, read from environment variables with safe embedded defaults.

TRUSTROOM_ENV=development (default) runs on SQLite and local files under TRUSTROOM_DATA_DIR with no other
service. TRUSTROOM_ENV=production requires SECRET_KEY and ALLOWED_HOSTS and turns on the TLS settings;
DATABASE_URL, REDIS_URL and the TRUSTROOM_S3_* variables switch to PostgreSQL, Redis and S3 storage.
Every variable is documented in README.md.
"""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from trustroom.env import env_bool, env_hostname, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent

ENVIRONMENT = env_str("TRUSTROOM_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"TRUSTROOM_ENV={ENVIRONMENT!r}: use development or production")
PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = Path(env_str("TRUSTROOM_DATA_DIR", "./var")).resolve()
DEBUG = env_bool("TRUSTROOM_DEBUG", not PRODUCTION)


def _development_secret_key() -> str:
    """A random key kept in the data directory so sessions survive restarts of a local install."""
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when TRUSTROOM_ENV=production")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when TRUSTROOM_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "trustroom.tenancy",
    "trustroom.identity",
    "trustroom.audit",
    "trustroom.notifications",
    "trustroom.vault",
    "trustroom.compliance",
    "trustroom.trustcenter",
    "trustroom.assessments",
    "trustroom.answers",
    "trustroom.access",
    "trustroom.monitoring",
    "trustroom.disclosure",
    "trustroom.resilience",
    "trustroom.controls",
    "trustroom.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "trustroom.audit.context.AuditContextMiddleware",
    # After the audit context (it records with the request's address): logs every support staff request.
    "trustroom.identity.support_access.SupportAccessAuditMiddleware",
    # Refusals (IP allowlist, required MFA, revoked tokens) are audited after the request's transaction.
    "trustroom.identity.refusals.RefusalAuditMiddleware",
    "trustroom.identity.policy_enforcement.SecurityPolicyMiddleware",
    # Last, so it sees a view's error first: a lost database answers 503 with Retry-After, not 500.
    "trustroom.web.db_unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "trustroom.urls"
WSGI_APPLICATION = "trustroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trustroom.tenancy.context_processors.organizations",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
# A request is one transaction: a failed request leaves nothing half-written, and the organization
# id set for row-level security (set_config(..., is_local => true)) ends with it.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("TRUSTROOM_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "trustroom.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            # Keep the connection between requests: a new SQLite connection re-reads the whole schema
            # on its first query (about half a millisecond per request, see bench/trust_center.py).
            "CONN_MAX_AGE": env_int("TRUSTROOM_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# The findings dashboard's covering indexes carry INCLUDE columns, a PostgreSQL feature; SQLite builds
# the same indexes without them, which is all the embedded default needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The role the application connects as on PostgreSQL; `trustroom migrate` (run as the table owner)
# grants it exactly the privileges it needs. Empty = no grants are managed.
TRUSTROOM_DB_APP_ROLE = env_str("TRUSTROOM_DB_APP_ROLE")

# --- Cache, jobs ------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
# The public trust center's rendered pages: longest time one stays cached (see trustcenter/cache.py).
TRUSTROOM_TRUST_CENTER_CACHE_SECONDS = env_int("TRUSTROOM_TRUST_CENTER_CACHE_SECONDS", 300)
# Its WSGI fast path (trustcenter/fastpath.py) and how long a slug -> organization pointer lives (an
# organization renamed or deleted may still be served under its old slug for that long).
TRUSTROOM_TRUST_CENTER_FAST_PATH = env_bool("TRUSTROOM_TRUST_CENTER_FAST_PATH", True)
TRUSTROOM_TRUST_CENTER_POINTER_SECONDS = env_int("TRUSTROOM_TRUST_CENTER_POINTER_SECONDS", 30)
# Automated checks (trustroom.controls). AWS access for checks that read AWS APIs: when the key id is
# empty, boto3's own chain (instance role, AWS_* variables, profile) applies. The endpoint is for
# S3/RDS-compatible test servers (e.g. moto) and is empty in production.
TRUSTROOM_AWS_ENDPOINT_URL = env_str("TRUSTROOM_AWS_ENDPOINT_URL")
TRUSTROOM_AWS_ACCESS_KEY_ID = env_str("TRUSTROOM_AWS_ACCESS_KEY_ID")
TRUSTROOM_AWS_SECRET_ACCESS_KEY = env_str("TRUSTROOM_AWS_SECRET_ACCESS_KEY")
TRUSTROOM_CONTROLS_SNAPSHOT_MAX_BYTES = env_int("TRUSTROOM_CONTROLS_SNAPSHOT_MAX_BYTES", 5 * 1024 * 1024)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged after it ran, not when a worker took it: a worker killed mid-task (OOM, deploy,
# power) leaves it in Redis to be delivered again, and each worker process holds one task at a time so
# a crash strands no prefetched backlog. Tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that died whole (SIGKILL of the main process, the machine gone) goes back to
# the queue after this many seconds; a worker process killed mid-task is noticed at once instead.
# Longer than any task runs: a task still running then is handed out again (harmless, they are
# idempotent and each job runs under its lock, but wasted work).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("TRUSTROOM_CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Periodic jobs (run `celery -A trustroom beat` next to the worker). Each is safe to run twice.
CELERY_BEAT_SCHEDULE = {
    "compliance-certification-reminders": {
        "task": "trustroom.compliance.tasks.send_certification_reminders",
        "schedule": 24 * 60 * 60,  # daily; a missed day is caught up on the next run
    },
    "disclosure-renew-security-txt": {
        "task": "trustroom.disclosure.tasks.renew_security_txt",
        "schedule": 24 * 60 * 60,  # daily: security.txt expiries within 30 days are renewed
    },
    "controls-run-due-checks": {
        "task": "trustroom.controls.tasks.run_due_checks",
        "schedule": 5 * 60,  # each check's own RFC 5545 schedule decides; a due slot is claimed and run once
    },
    "resilience-reminders": {
        "task": "trustroom.resilience.tasks.send_resilience_reminders",
        "schedule": 24 * 60 * 60,  # daily: drills due within 7 days or overdue, overdue action items
    },
    "assessments-sla-notifications": {
        "task": "trustroom.assessments.tasks.send_sla_notifications",
        "schedule": 15 * 60,  # SLA windows are hours (critical: 2-4 h), so every 15 minutes
    },
    "assessments-expire-risk-acceptances": {
        "task": "trustroom.assessments.tasks.expire_risk_acceptances",
        "schedule": 60 * 60,  # hourly; pages already read an expired acceptance as reopened
    },
    "access-open-due-reviews": {
        "task": "trustroom.access.tasks.open_due_reviews",
        "schedule": 24 * 60 * 60,  # daily; overdue is computed when read, the job only opens and notifies
    },
    "assessments-sweep-finding-imports": {
        "task": "trustroom.assessments.tasks.sweep_finding_imports",
        "schedule": 10 * 60,  # imports a crashed worker or a lost task left behind fail or run again
    },
    "controls-sweep-evidence-packages": {
        "task": "trustroom.controls.tasks.sweep_evidence_packages",
        "schedule": 10 * 60,  # packages a crashed worker or a lost task left behind fail or run again
    },
    "controls-sweep-check-runs": {
        "task": "trustroom.controls.tasks.sweep_check_runs",
        "schedule": 10 * 60,  # "Run now" runs a crashed worker or a lost task left behind fail
    },
    "monitoring-send-due-deliveries": {
        "task": "trustroom.monitoring.tasks.send_due_deliveries",
        "schedule": 60,  # alert notifications retried after backoff, and any whose task was lost
    },
    "access-expire-grants": {
        "task": "trustroom.access.tasks.expire_grants",
        "schedule": 60 * 60,  # hourly; pages already read a grant past its expiry as expired
    },
}

# --- Files --------------------------------------------------------------------------------------------
S3_BUCKET = env_str("TRUSTROOM_S3_BUCKET")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("TRUSTROOM_S3_ENDPOINT_URL") or None,
            "region_name": env_str("TRUSTROOM_S3_REGION") or None,
            "access_key": env_str("TRUSTROOM_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("TRUSTROOM_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": DATA_DIR / "files",
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("TRUSTROOM_STATIC_ROOT", str(DATA_DIR / "static")))
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Document vault: the local key-encryption keyset (created 0600 on first use) and upload limits.
TRUSTROOM_KEK_PATH = Path(env_str("TRUSTROOM_KEK_PATH", str(DATA_DIR / "keys" / "kek.json")))
TRUSTROOM_VAULT_MAX_UPLOAD_MB = env_int("TRUSTROOM_VAULT_MAX_UPLOAD_MB", 20)
# Largest scanner report accepted for import (the parsers stream; this bounds upload and temp space).
TRUSTROOM_IMPORT_MAX_MB = env_int("TRUSTROOM_IMPORT_MAX_MB", 200)
TRUSTROOM_VAULT_MAX_PAGES = env_int("TRUSTROOM_VAULT_MAX_PAGES", 2000)

# --- Identity -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "trustroom.identity.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# Public sign-up is closed: people join an organization through an invitation.
TRUSTROOM_OPEN_SIGNUP = env_bool("TRUSTROOM_OPEN_SIGNUP", False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Trustroom"
# TOTP secrets and recovery-code seeds are stored encrypted under the key-encryption keyset.
MFA_ADAPTER = "trustroom.identity.mfa_adapter.MFAAdapter"
# Adding or removing an authenticator needs a fresh sign-in (password or MFA) within the timeout.
MFA_REAUTHENTICATION_REQUIRED = True
# Security keys and passkeys (WebAuthn): the browser binds each key to a relying-party ID, a host name.
# By default it is the host the request came to (one of ALLOWED_HOSTS), so keys work on the address
# people use. TRUSTROOM_WEBAUTHN_RP_ID fixes it instead, e.g. to the parent domain `example.com` so keys
# keep working when the site moves between its subdomains; it must be the site's host or a parent of it.
# Origins are always checked: https, or http only on localhost (the browser's own secure-context rule).
TRUSTROOM_WEBAUTHN_RP_ID = env_hostname("TRUSTROOM_WEBAUTHN_RP_ID")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
# A refused security-key answer is recorded as `mfa_failed`, like a wrong TOTP code.
MFA_FORMS = {
    "authenticate_webauthn": "trustroom.identity.mfa_forms.AuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "trustroom.identity.mfa_forms.ReauthenticateWebAuthnForm",
}
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("TRUSTROOM_REAUTHENTICATION_SECONDS", 300)
# New passwords are hashed with Argon2id; the others stay so existing hashes verify (and are upgraded to
# Argon2 at the next sign-in).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Rate limits, counted in the shared cache (Redis in production) by client IP (see client_ip.py) and by
# account: failed sign-ins per e-mail address and failed MFA codes per user (allauth's "login_failed"
# with key = e-mail or user), so an attacker rotating addresses still locks the account.
TRUSTROOM_LOGIN_FAILURES_PER_ACCOUNT = env_int("TRUSTROOM_LOGIN_FAILURES_PER_ACCOUNT", 5)
TRUSTROOM_LOGIN_LOCKOUT_MINUTES = env_int("TRUSTROOM_LOGIN_LOCKOUT_MINUTES", 15)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": (
        f"10/m/ip,{TRUSTROOM_LOGIN_FAILURES_PER_ACCOUNT}/{TRUSTROOM_LOGIN_LOCKOUT_MINUTES}m/key"
    ),
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_RATE_LIMITS = {"webauthn_login": "10/m/ip"}
# Single sign-on: each organization's SSO connections (OIDC, SAML) are its own records, handed to allauth
# by the adapter; OIDC runs through a stricter provider class (nonce, PKCE, signed ID token, exact issuer).
SOCIALACCOUNT_ADAPTER = "trustroom.identity.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"provider_class": "trustroom.identity.sso.oidc.StrictOpenIDConnectProvider"},
}
SOCIALACCOUNT_AUTO_SIGNUP = True  # only when just-in-time provisioning allows it (see the adapter)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking by e-mail is decided by trustroom.identity.sso
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("TRUSTROOM_SSO_HTTP_TIMEOUT_SECONDS", 10)
INVITATION_TTL_DAYS = env_int("TRUSTROOM_INVITATION_TTL_DAYS", 7)
API_TOKEN_MAX_DAYS = env_int("TRUSTROOM_API_TOKEN_MAX_DAYS", 365)
# How many reverse proxies (load balancer, nginx) stand in front of the app and append to X-Forwarded-For.
# The client is the address the outermost trusted proxy saw; 0 ignores X-Forwarded-For altogether.
TRUSTROOM_TRUSTED_PROXIES = env_int("TRUSTROOM_TRUSTED_PROXIES", 0)

# --- API ----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "trustroom.identity.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "trustroom.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trustroom API",
    "DESCRIPTION": "Every organization-owned resource lives under /api/v1/orgs/{org_slug}/. "
    "Authenticate with an organization API token: `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "trustroom.api.schema_errors.document_error_responses",
    ],
    # Both status enums share values ("revoked", "expired"): name them so the schema has no collision.
    "ENUM_NAME_OVERRIDES": {
        "InvitationStatusEnum": "trustroom.tenancy.api.INVITATION_STATUS_CHOICES",
        "ApiTokenStatusEnum": "trustroom.identity.api.API_TOKEN_STATUS_CHOICES",
        "TokenScopeEnum": "trustroom.identity.models.TokenScope",
        "SupportScopeEnum": "trustroom.identity.models.SupportScope",
        "ComplianceStatusEnum": "trustroom.compliance.models.ComplianceStatus",
        "FrameworkKindEnum": "trustroom.compliance.models.FrameworkKind",
        "CertificationKindEnum": "trustroom.compliance.models.CertificationKind",
        "CertificationStateEnum": "trustroom.compliance.state.CertificationState",
        # The answer bank's visibility (public/private) has fewer choices than the register's.
        "VisibilityEnum": "trustroom.compliance.models.Visibility",
        "AnswerVisibilityEnum": "trustroom.answers.models.AnswerVisibility",
        "AnswerFreshnessEnum": "trustroom.answers.state.FreshnessState",
        "AnswerEvidenceKindEnum": "trustroom.answers.api.bank.EVIDENCE_KIND_CHOICES",
        "ActionItemStatusEnum": "trustroom.resilience.models.ActionStatus",
        "DrillOutcomeEnum": "trustroom.resilience.models.DrillOutcome",
        "NotifierKindEnum": "trustroom.monitoring.routing_models.NotifierKind",
    },
}

# --- Security -----------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("TRUSTROOM_SESSION_AGE_SECONDS", 12 * 3600)
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("TRUSTROOM_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("TRUSTROOM_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TRUSTROOM_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("TRUSTROOM_HSTS_PRELOAD", True)
    if env_bool("TRUSTROOM_BEHIND_TLS_PROXY", False):
        # The proxy (deploy/nginx/trustroom.conf) sets X-Forwarded-Proto itself, overwriting any the
        # client sent; without a proxy that does, leave this off. The Host header is passed through
        # unchanged, so X-Forwarded-Host is never trusted (USE_X_FORWARDED_HOST stays False).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail -------------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "trustroom@localhost")
TRUSTROOM_BASE_URL = env_str("TRUSTROOM_BASE_URL", "http://127.0.0.1:8000")
# Alert routing: where PagerDuty events go, and the only hosts a webhook notifier (Slack) may post to.
TRUSTROOM_PAGERDUTY_EVENTS_URL = env_str(
    "TRUSTROOM_PAGERDUTY_EVENTS_URL", "https://events.pagerduty.com/v2/enqueue"
)
TRUSTROOM_NOTIFIER_ALLOWED_HOSTS = env_list("TRUSTROOM_NOTIFIER_ALLOWED_HOSTS", ["hooks.slack.com"])
# Tests only: lets webhook notifiers use http:// (refused by `check --deploy` in production).
TRUSTROOM_NOTIFIER_ALLOW_HTTP = env_bool("TRUSTROOM_NOTIFIER_ALLOW_HTTP", False)
# GnuPG home holding the keys security.txt may be clear-signed with (empty: gpg's default home).
TRUSTROOM_GPG_HOME = env_str("TRUSTROOM_GPG_HOME", "")

# --- Locale, logging ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("TRUSTROOM_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# OpenAPI enum names of the VAPT programme API (several of its fields are called "status").
_VAPT_ENUM_NAMES = {
    "FindingStatusEnum": "trustroom.assessments.models.FindingStatus",
    "EngagementStatusEnum": "trustroom.assessments.models.EngagementStatus",
    "EngagementPlanStatusEnum": "trustroom.assessments.serializers.ENGAGEMENT_PLAN_STATUSES",
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(_VAPT_ENUM_NAMES)  # type: ignore[attr-defined]

# OpenAPI enum names of the access reviews API (privilege and new_privilege share one choice set).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "AccessPrivilegeEnum": "trustroom.access.models.PrivilegeLevel",
        "EnvironmentKindEnum": "trustroom.access.models.EnvironmentKind",
        "AccessApprovalDecisionEnum": "trustroom.access.models.ApprovalDecision",
        "AccessReviewDecisionEnum": "trustroom.access.models.ReviewDecision",
        "AlertSourceKindEnum": "trustroom.monitoring.models.SourceKind",
    }
)
# The trust posture policy: the default in trust-center settings and each claim's own (claim-policies).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ClaimPosturePolicyEnum"] = (  # type: ignore[index]
    "trustroom.trustcenter.models.ClaimPosturePolicy"
)

# OpenAPI enum names of incidents (their status and severity would collide with the alerts' ones).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "IncidentStatusEnum": "trustroom.monitoring.incident_models.IncidentStatus",
        "IncidentSeverityEnum": "trustroom.monitoring.incident_models.IncidentSeverity",
        "IncidentEventKindEnum": "trustroom.monitoring.incident_models.EventKind",
    }
)

# OpenAPI enum names of the disclosure API.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "SeverityEnum": "trustroom.assessments.models.Severity",
        "SeverityGuessEnum": "trustroom.disclosure.models.SeverityGuess",
        "DisclosureReportStatusEnum": "trustroom.disclosure.models.ReportStatus",
        "DisclosureValidityEnum": "trustroom.disclosure.models.Validity",
        "RewardStatusEnum": "trustroom.disclosure.models.RewardStatus",
    }
)

# OpenAPI enum names of the controls API.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "ControlStatusEnum": "trustroom.controls.state.ControlStatus",
        "EvidenceKindEnum": "trustroom.controls.models.EvidenceKind",
        "CheckOutcomeEnum": "trustroom.controls.models.CheckOutcome",
        "CheckRunTriggerEnum": "trustroom.controls.models.RunTrigger",
    }
)

# OpenAPI enum names of the auditor workspace API.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(  # type: ignore[attr-defined]
    {
        "AuditPeriodStatusEnum": "trustroom.controls.audit_models.AuditPeriodStatus",
        "EvidencePackageStatusEnum": "trustroom.controls.audit_models.PackageStatus",
    }
)
