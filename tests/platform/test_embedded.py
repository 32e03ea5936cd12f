"""The embedded default: a fresh data directory, SQLite, no other service — as `make run` uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

TRUSTROOM = str(Path(sys.executable).with_name("trustroom"))


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(TRUSTROOM_DATA_DIR=str(data_dir), TRUSTROOM_BASE_URL="http://127.0.0.1:8123")
    return subprocess.run(
        [TRUSTROOM, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.slow
@pytest.mark.skipif(getattr(settings, "TEST_DB", "") == "postgres", reason="runs once, in the SQLite run")
def test_migrate_and_demo_on_a_fresh_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    migrate = run(data_dir, "migrate", "--noinput")
    assert migrate.returncode == 0, migrate.stderr
    assert (data_dir / "trustroom.sqlite3").exists()
    assert (data_dir / "secret_key").stat().st_mode & 0o077 == 0  # the generated key is private

    first = run(data_dir, "demo")
    assert first.returncode == 0, first.stderr
    assert "Created Demo Co (demo-co)" in first.stdout
    assert "http://127.0.0.1:8123/accounts/login/" in first.stdout
    password_lines = [line for line in first.stdout.splitlines() if "password:" in line]
    assert len(password_lines) == 1 and len(password_lines[0].split("password:")[1].strip()) >= 16

    second = run(data_dir, "demo")
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout
    assert "password:" not in second.stdout  # printed once only

    check = run(data_dir, "check")
    assert check.returncode == 0, check.stderr

    # The demo's writes went through the services: its audit chain verifies from the console script.
    verify = run(data_dir, "audit", "verify", "--org", "demo-co")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "demo-co" in verify.stdout
    unknown = run(data_dir, "audit", "verify", "--org", "no-such-org")
    assert unknown.returncode == 2 and "no-such-org" in (unknown.stdout + unknown.stderr)
