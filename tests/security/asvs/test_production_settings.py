"""What TRUSTROOM_ENV=production turns on (ASVS V3.3, V3.4.1, V13.4.2), read from a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    getattr(settings, "TEST_DB", "") == "postgres", reason="runs once, in the SQLite run"
)

NAMES = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "SECURE_PROXY_SSL_HEADER",
)
PROBE = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    f"print(json.dumps({{n: getattr(s, n, None) for n in {NAMES!r}}}))"
)
PRODUCTION = {
    "TRUSTROOM_ENV": "production",
    "SECRET_KEY": "production-like-secret-" + "9f3Kq0vX7mZ2pL5sR8tW1yB4nC6eH" * 2,
    "ALLOWED_HOSTS": "trust.example.com",
}


def run(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTROOM_", "SECRET_KEY"))}
    clean.update(DJANGO_SETTINGS_MODULE="trustroom.settings", TRUSTROOM_DATA_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def production_settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    result = run(tmp_path, PROBE, **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_turns_debug_off_and_every_cookie_secure(tmp_path: Path) -> None:
    values = production_settings(tmp_path)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax" and values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True and values["X_FRAME_OPTIONS"] == "DENY"


def test_production_sends_hsts_for_a_year_with_subdomains_and_redirects_to_https(tmp_path: Path) -> None:
    values = production_settings(tmp_path)
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True


def test_the_forwarded_protocol_header_is_trusted_only_when_a_tls_proxy_is_declared(tmp_path: Path) -> None:
    assert production_settings(tmp_path)["SECURE_PROXY_SSL_HEADER"] is None
    behind = production_settings(tmp_path, TRUSTROOM_BEHIND_TLS_PROXY="true")
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_debug_cannot_be_left_on_silently_in_production(tmp_path: Path) -> None:
    # `check --deploy` is the operator's gate: it names DEBUG when someone forces it on.
    code = "import django; django.setup(); from django.core.management import call_command; call_command('check', '--deploy', '--fail-level', 'WARNING')"
    clean = run(tmp_path, code, **PRODUCTION)
    assert clean.returncode == 0, clean.stderr
    forced = run(tmp_path, code, **PRODUCTION, TRUSTROOM_DEBUG="true")
    assert forced.returncode != 0
    assert "security.W018" in forced.stderr
