"""The sample deployment under deploy/ agrees with the application: every setting is documented, the
units run commands that exist with the hardening promised, and nginx, granian, gunicorn and Django
agree on ports, upload limits, TLS and the proxy headers."""

from __future__ import annotations

import importlib
import json
import os
import runpy
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from gunicorn.config import Config

from tests.platform.deploy_files import (
    ENV_EXAMPLE,
    GRANIAN_ENV,
    NGINX_CONF,
    ROOT,
    UNITS,
    env_file,
    nginx_directives,
    unit,
    unit_values,
    variables_settings_read,
)

BIN = Path(sys.executable).parent
DATA_DIR = "/var/lib/trustroom"
HARDENING = {
    "User": "trustroom",
    "Group": "trustroom",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "ReadWritePaths": DATA_DIR,
    "UMask": "0077",
}
# The web server is brought back whatever way it exited (granian exits 0 when a respawned worker dies
# again at once); the worker and beat after failures.
RESTART = {"web": "always", "worker": "on-failure", "beat": "on-failure"}


def test_the_env_example_lists_every_variable_settings_read() -> None:
    documented = env_file(ENV_EXAMPLE, include_commented=True)
    read = variables_settings_read()
    assert len(read) > 40  # the reader found the env_* calls (multi-line ones included)
    missing = sorted(read - set(documented))
    assert not missing, f"add these to deploy/trustroom.env.example: {missing}"
    unknown = sorted(set(documented) - read)
    assert not unknown, f"deploy/trustroom.env.example names variables settings.py never reads: {unknown}"


def test_the_env_example_makes_a_production_instance_that_passes_check_deploy(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTROOM_", "DATABASE_URL"))}
    env.update(env_file(ENV_EXAMPLE))
    env.update(
        DJANGO_SETTINGS_MODULE="trustroom.settings",
        SECRET_KEY=secrets.token_urlsafe(50),  # the example's placeholder is meant to be replaced
        TRUSTROOM_DATA_DIR=str(tmp_path),
        TRUSTROOM_STATIC_ROOT=str(tmp_path / "static"),
        TRUSTROOM_KEK_PATH=str(tmp_path / "keys" / "kek.json"),
    )
    probe = (
        "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({"
        "'proxy_ssl': s.SECURE_PROXY_SSL_HEADER, 'proxies': s.TRUSTROOM_TRUSTED_PROXIES,"
        "'x_host': s.USE_X_FORWARDED_HOST, 'storage': s.STORAGES['default']['BACKEND'],"
        "'hsts': s.SECURE_HSTS_SECONDS, 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "proxy_ssl": ["HTTP_X_FORWARDED_PROTO", "https"],
        "proxies": 1,
        "x_host": False,
        "storage": "storages.backends.s3.S3Storage",
        "hsts": 31_536_000,
        "subdomains": True,
    }
    check = subprocess.run(
        [str(BIN / "trustroom"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("name", sorted(UNITS))
def test_each_systemd_unit_is_hardened_and_runs_an_existing_command(name: str) -> None:
    path = UNITS[name]
    parsed = unit(path)
    assert {"Unit", "Service", "Install"} <= set(parsed.sections())
    service = parsed["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == value, f"{path.name}: {key}={service.get(key)!r}, expected {value!r}"
    assert service.get("Restart") == RESTART[path.stem.removeprefix("trustroom-").removesuffix(".service")]
    assert service.get("CapabilityBoundingSet") == ""
    assert "/etc/trustroom/trustroom.env" in unit_values(path, "Service", "EnvironmentFile")
    assert parsed["Install"]["WantedBy"] == "multi-user.target"
    # The commands are the ones installed with Trustroom (in this virtualenv's bin/).
    for command in [service["ExecStart"], *commented_exec_starts(path)]:
        argv = shlex.split(command)
        assert argv[0].startswith("/opt/trustroom/venv/bin/")
        assert (BIN / Path(argv[0]).name).exists(), f"{path.name}: {argv[0]} is not installed"


def commented_exec_starts(path: Path) -> list[str]:
    """Alternatives shown in comments (`# ExecStart=...`), checked like the live line."""
    return [
        line.split("=", 1)[1] for line in path.read_text().splitlines() if line.startswith("# ExecStart=")
    ]


def test_the_web_unit_serves_the_wsgi_application_with_granian_or_gunicorn() -> None:
    path = UNITS["web"]
    assert unit_values(path, "Service", "EnvironmentFile") == [
        "/etc/trustroom/trustroom.env",
        "/etc/trustroom/granian.env",
    ]
    commands = [
        shlex.split(unit(path)["Service"]["ExecStart"]),
        *map(shlex.split, commented_exec_starts(path)),
    ]
    assert [Path(argv[0]).name for argv in commands] == ["granian", "gunicorn"]
    for argv in commands:
        module, _, attribute = argv[-1].partition(":")
        assert (module, attribute) == ("trustroom.wsgi", "application")
    assert "/etc/trustroom/gunicorn.conf.py" in commands[1]


def test_the_worker_and_beat_units_run_the_celery_app_with_safe_delivery() -> None:
    worker = shlex.split(unit(UNITS["worker"])["Service"]["ExecStart"])
    beat = shlex.split(unit(UNITS["beat"])["Service"]["ExecStart"])
    for argv, role in ((worker, "worker"), (beat, "beat")):
        assert Path(argv[0]).name == "celery" and argv[1:4] == ["-A", "trustroom", role]
    assert importlib.import_module("trustroom.celery").app.main == "trustroom"
    assert worker[worker.index("--prefetch-multiplier") + 1] == "1"
    # The beat schedule file is written in the one writable directory.
    assert beat[beat.index("--schedule") + 1].startswith(DATA_DIR + "/")
    # A warm shutdown gets time to finish running tasks before systemd kills them.
    assert int(unit(UNITS["worker"])["Service"]["TimeoutStopSec"]) >= 60


def test_celery_acknowledges_late_and_requeues_tasks_of_a_lost_worker() -> None:
    from trustroom.celery import app

    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    # ... and the Celery app reads them (namespace CELERY_).
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_granian_env_sets_only_granian_options_with_valid_values() -> None:
    from granian.cli import cli

    options = {f"GRANIAN_{param.name.upper()}": param for param in cli.params}
    values = env_file(GRANIAN_ENV)
    assert values["GRANIAN_INTERFACE"] == "wsgi"
    for name, value in values.items():
        assert name in options, f"deploy/granian.env: {name} is not a granian option"
        options[name].type.convert(value, options[name], None)  # raises on a value granian refuses


def test_the_gunicorn_config_sets_only_gunicorn_settings() -> None:
    namespace = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = Config()
    names = [name for name in namespace if not name.startswith("_") and name != "multiprocessing"]
    for name in names:
        assert name in config.settings, f"deploy/gunicorn.conf.py: {name} is not a gunicorn setting"
        config.set(name, namespace[name])  # gunicorn's own validators
    assert config.bind == [upstream_address()]
    assert config.worker_class_str == "gthread"


def upstream_address() -> str:
    servers = [
        args[0] for name, args in nginx_directives(NGINX_CONF.read_text()) if name == "server" and args
    ]
    assert len(servers) == 1
    return servers[0]


def test_nginx_proxies_to_the_address_granian_listens_on() -> None:
    granian = env_file(GRANIAN_ENV)
    assert upstream_address() == f"{granian['GRANIAN_HOST']}:{granian['GRANIAN_PORT']}"


def test_nginx_drops_idle_upstream_connections_before_granian_does() -> None:
    # Otherwise nginx may send a request on a connection granian is closing, and answer 502.
    directives = nginx_directives(NGINX_CONF.read_text())
    start = directives.index(("upstream", ["trustroom"]))
    upstream = directives[start + 1 : start + 4]
    (seconds,) = [args[0] for name, args in upstream if name == "keepalive_timeout"]
    granian_ms = int(env_file(GRANIAN_ENV)["GRANIAN_HTTP1_HEADER_READ_TIMEOUT"])
    assert seconds.endswith("s") and int(seconds[:-1]) * 1000 < granian_ms


def server_blocks() -> list[list[tuple[str, list[str]]]]:
    blocks: list[list[tuple[str, list[str]]]] = []
    for name, args in nginx_directives(NGINX_CONF.read_text()):
        if name == "server" and not args:
            blocks.append([])
        elif blocks:
            blocks[-1].append((name, args))
    return blocks


def values_of(block: list[tuple[str, list[str]]], name: str) -> list[list[str]]:
    return [args for directive, args in block if directive == name]


def test_nginx_redirects_http_to_https_and_serves_tls_1_2_or_later_with_hsts() -> None:
    plain, tls = server_blocks()
    assert values_of(plain, "listen") == [["80"], ["[::]:80"]]
    assert ["301", "https://$host$request_uri"] in values_of(plain, "return")
    assert values_of(plain, "proxy_pass") == []  # nothing is served over plain HTTP

    assert values_of(tls, "listen") == [["443", "ssl", "http2"], ["[::]:443", "ssl", "http2"]]
    assert values_of(tls, "ssl_protocols") == [["TLSv1.2", "TLSv1.3"]]
    ciphers = values_of(tls, "ssl_ciphers")[0][0].split(":")
    assert all(
        cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher) for cipher in ciphers
    )
    [hsts] = [args for args in values_of(tls, "add_header") if args[0] == "Strict-Transport-Security"]
    assert hsts[2] == "always"
    fields = dict(part.strip().partition("=")[::2] for part in hsts[1].split(";"))
    assert int(fields["max-age"]) >= 31_536_000 and "includeSubDomains" in fields
    assert values_of(tls, "proxy_hide_header") == [["Strict-Transport-Security"]]  # one header, not two


def test_nginx_sets_the_proxy_headers_django_trusts() -> None:
    _plain, tls = server_blocks()
    headers = {args[0]: args[1:] for args in values_of(tls, "proxy_set_header")}
    # SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https"): always set here, never the client's.
    assert headers["X-Forwarded-Proto"] == ["https"]
    # TRUSTROOM_TRUSTED_PROXIES=1: nginx appends the address it saw; the client is the last entry.
    assert headers["X-Forwarded-For"] == ["$proxy_add_x_forwarded_for"]
    assert env_file(ENV_EXAMPLE)["TRUSTROOM_TRUSTED_PROXIES"] == "1"
    assert env_file(ENV_EXAMPLE)["TRUSTROOM_BEHIND_TLS_PROXY"] == "true"
    # ALLOWED_HOSTS is checked against the real Host; X-Forwarded-Host is blanked (and not trusted).
    assert headers["Host"] == ["$host"] and headers["X-Forwarded-Host"] == []
    assert settings.USE_X_FORWARDED_HOST is False


def test_nginx_accepts_the_largest_upload_the_application_does_and_not_much_more() -> None:
    _plain, tls = server_blocks()
    [[limit]] = values_of(tls, "client_max_body_size")
    assert limit.endswith("m")
    largest = max(settings.TRUSTROOM_IMPORT_MAX_MB, settings.TRUSTROOM_VAULT_MAX_UPLOAD_MB)
    assert largest < int(limit[:-1]) <= largest + 16
    for timeout in ("proxy_read_timeout", "proxy_connect_timeout", "client_body_timeout"):
        assert values_of(tls, timeout), f"nginx: set {timeout}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` knows every key and value (it only warns, on stderr, about the others)
    and finds each ExecStart command, here in this virtualenv instead of /opt/trustroom/venv."""
    for path in UNITS.values():
        (tmp_path / path.name).write_text(path.read_text().replace("/opt/trustroom/venv/bin/", f"{BIN}/"))
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stdout + result.stderr
