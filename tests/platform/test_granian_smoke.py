"""granian serving Trustroom as deploy/ sets it up: production settings behind the TLS proxy, on loopback.

A fresh embedded data directory is migrated and given the demo organization, static files are
collected, then granian starts with deploy/granian.env (on a free port, one worker) and answers as
nginx would see it: the health check, the public trust center (twice, the second from the WSGI fast
path), and the redirect to HTTPS of a request that did not come through the TLS proxy.
"""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.loopback import free_port, stop
from tests.platform.deploy_files import GRANIAN_ENV, env_file

BIN = Path(sys.executable).parent
HOST = "trust.example.com"
STARTUP_SECONDS = 60  # granian itself starts in about a second; this bounds a loaded machine
STEP_SECONDS = 600  # each trustroom command (migrating a fresh SQLite file takes 30 s on an idle machine)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(getattr(settings, "TEST_DB", "") == "postgres", reason="runs once, in the SQLite run"),
]


def base_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "TRUSTROOM_", "GRANIAN_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"))
    }
    env.update(TRUSTROOM_DATA_DIR=str(data_dir), TRUSTROOM_BASE_URL=f"https://{HOST}")
    return env


def trustroom(env: dict[str, str], *args: str) -> None:
    # subprocess.run kills the command when it overruns, so nothing is left behind.
    result = subprocess.run(
        [str(BIN / "trustroom"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"trustroom {' '.join(args)}: {result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    data_dir = tmp_path_factory.mktemp("granian") / "var"
    development = base_env(data_dir)
    production = {
        **development,
        "TRUSTROOM_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "TRUSTROOM_BEHIND_TLS_PROXY": "true",
        "TRUSTROOM_TRUSTED_PROXIES": "1",
    }
    trustroom(development, "migrate", "--noinput")
    trustroom(development, "demo")
    trustroom(production, "collectstatic", "--noinput")
    port = free_port()
    granian_env = {**production, **env_file(GRANIAN_ENV), "GRANIAN_PORT": str(port), "GRANIAN_WORKERS": "1"}
    log = data_dir / "granian.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "granian"), "trustroom.wsgi:application"],
            env=granian_env,
            cwd=data_dir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(process, port, log)
        yield port
    finally:
        stop(process, grace=15)


def wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"granian exited with {process.returncode}:\n{log.read_text()}")
        try:
            get(port, "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"granian did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def get(port: int, path: str, *, through_proxy: bool = True) -> http.client.HTTPResponse:
    """A GET as nginx forwards it (Host kept, X-Forwarded-Proto: https) or as a direct request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Host": HOST, "X-Forwarded-For": "203.0.113.9"}
    if through_proxy:
        headers["X-Forwarded-Proto"] = "https"
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_the_health_check_answers_with_hsts(server: int) -> None:
    response = get(server, "/healthz")
    assert response.status == 200
    assert response.body == b'{"status": "ok"}'  # type: ignore[attr-defined]
    assert "includeSubDomains" in (response.getheader("Strict-Transport-Security") or "")


def test_the_public_trust_center_is_served_and_then_replayed_from_the_fast_path(server: int) -> None:
    first = get(server, "/trust/demo-co/")
    assert first.status == 200, first.body  # type: ignore[attr-defined]
    assert b"Demo Co" in first.body  # type: ignore[attr-defined]
    assert b"/static/" in first.body  # type: ignore[attr-defined]  # hashed names from collectstatic
    second = get(server, "/trust/demo-co/")
    assert second.status == 200 and second.getheader("ETag") == first.getheader("ETag")
    assert "max-age=31536000" in (second.getheader("Strict-Transport-Security") or "")


def test_a_request_that_did_not_come_through_the_tls_proxy_is_sent_to_https(server: int) -> None:
    for path in ("/healthz", "/trust/demo-co/"):
        response = get(server, path, through_proxy=False)
        assert response.status == 301
        assert response.getheader("Location") == f"https://{HOST}{path}"
