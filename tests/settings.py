"""Settings for the test suite.

TRUSTROOM_TEST_DB=sqlite (default): fast in-memory SQLite for the inner loop.
TRUSTROOM_TEST_DB=postgres: the production path. The app connects as TRUSTROOM_TEST_PG_APP_ROLE (owns no
tables, no BYPASSRLS), migrations and cleanup run as TRUSTROOM_TEST_PG_OWNER_ROLE; `make test` creates both.
"""

import os
import tempfile

os.environ.setdefault("TRUSTROOM_DATA_DIR", tempfile.mkdtemp(prefix="trustroom-test-"))
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.pop("TRUSTROOM_S3_BUCKET", None)

from trustroom.settings import *  # noqa: F403

TEST_DB = os.environ.get("TRUSTROOM_TEST_DB", "sqlite")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never outside tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECRET_KEY = "test-secret-key-not-for-production-use-0123456789abcdef"

if TEST_DB == "postgres":
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    _name = os.environ.get("TRUSTROOM_TEST_PG_NAME", "trustroom_test") + (f"_{_worker}" if _worker else "")
    _common = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _name,
        "HOST": os.environ.get("TRUSTROOM_TEST_PG_HOST", "127.0.0.1"),
        "PORT": os.environ.get("TRUSTROOM_TEST_PG_PORT", "5432"),
        "ATOMIC_REQUESTS": True,
    }
    TRUSTROOM_DB_APP_ROLE = os.environ.get("TRUSTROOM_TEST_PG_APP_ROLE", "trustroom_app")
    TRUSTROOM_DB_OWNER_ROLE = os.environ.get("TRUSTROOM_TEST_PG_OWNER_ROLE", "trustroom_owner")
    DATABASES = {
        "default": {**_common, "USER": TRUSTROOM_DB_APP_ROLE, "CONN_MAX_AGE": 0},
        # The table owner: migrations, cleanup between committed tests, and tests that play an attacker
        # with direct database access (e.g. tampering with the audit log).
        "owner": {**_common, "USER": TRUSTROOM_DB_OWNER_ROLE, "CONN_MAX_AGE": 0, "ATOMIC_REQUESTS": False},
    }
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:", "ATOMIC_REQUESTS": True},
        "owner": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "ATOMIC_REQUESTS": False,
            "TEST": {"MIRROR": "default"},
        },
    }
