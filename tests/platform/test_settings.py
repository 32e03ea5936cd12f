"""Settings from the environment: safe defaults, production requirements, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    getattr(settings, "TEST_DB", "") == "postgres", reason="runs once, in the SQLite run"
)

PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({"
    "'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'], 'db_user': s.DATABASES['default'].get('USER'),"
    "'atomic': s.DATABASES['default']['ATOMIC_REQUESTS'], 'cache': s.CACHES['default']['BACKEND'],"
    "'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'storage': s.STORAGES['default']['BACKEND'],"
    "'secure_cookie': getattr(s, 'SESSION_COOKIE_SECURE', False), 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0),"
    "'ssl_redirect': getattr(s, 'SECURE_SSL_REDIRECT', False), 'hosts': s.ALLOWED_HOSTS}))"
)


def probe(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "TRUSTROOM_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS")
        )
    }
    clean.update(DJANGO_SETTINGS_MODULE="trustroom.settings", TRUSTROOM_DATA_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=60, check=False
    )


def test_embedded_default_needs_no_service(tmp_path: Path) -> None:
    result = probe(tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["atomic"] is True
    assert values["cache"].endswith("LocMemCache")
    assert values["eager"] is True
    assert values["storage"].endswith("FileSystemStorage")
    assert (tmp_path / "var" / "secret_key").exists()


def test_production_services_come_from_the_environment(tmp_path: Path) -> None:
    result = probe(
        tmp_path,
        TRUSTROOM_ENV="production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="trust.example.com",
        DATABASE_URL="postgres://trustroom_app:pw@db.internal:5432/trustroom",
        REDIS_URL="redis://redis.internal:6379/0",
        TRUSTROOM_S3_BUCKET="evidence",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["db"] == "django.db.backends.postgresql" and values["db_user"] == "trustroom_app"
    assert values["cache"].endswith("RedisCache")
    assert values["broker"] == "redis://redis.internal:6379/0" and values["eager"] is False
    assert values["storage"] == "storages.backends.s3.S3Storage"
    assert values["secure_cookie"] is True and values["ssl_redirect"] is True and values["hsts"] >= 31_536_000
    assert values["hosts"] == ["trust.example.com"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = probe(tmp_path, TRUSTROOM_ENV="production", ALLOWED_HOSTS="trust.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    result = probe(tmp_path, TRUSTROOM_ENV="production", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_malformed_values_are_named_in_the_error(tmp_path: Path) -> None:
    result = probe(tmp_path, TRUSTROOM_OPEN_SIGNUP="perhaps")
    assert result.returncode != 0
    assert "TRUSTROOM_OPEN_SIGNUP='perhaps' is not a boolean" in result.stderr
    result = probe(tmp_path, TRUSTROOM_DB_CONN_MAX_AGE="ten", DATABASE_URL="postgres://u@h/db")
    assert "TRUSTROOM_DB_CONN_MAX_AGE='ten' is not a whole number" in result.stderr
    result = probe(tmp_path, TRUSTROOM_ENV="staging")
    assert "TRUSTROOM_ENV='staging'" in result.stderr


def test_a_webauthn_rp_id_that_is_not_a_host_name_stops_the_start(tmp_path: Path) -> None:
    result = probe(tmp_path, TRUSTROOM_WEBAUTHN_RP_ID="https://trust.example.com")
    assert result.returncode != 0
    assert "TRUSTROOM_WEBAUTHN_RP_ID='https://trust.example.com': give a host name only" in result.stderr
