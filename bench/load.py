"""Benchmark: a mixed workload from 50 concurrent users for 5 minutes (locust, headless, on loopback).

    .venv/bin/python bench/load.py [--users 50] [--spawn-rate 10] [--seconds 300]
        [--database postgres|sqlite] [--workers N] [--no-worker]

What it does (prints figures; it is not a test):
1. builds a database as production would: on PostgreSQL (default) a new database owned by the owner role,
   migrated as the owner with the application role's grants, then served as the application role (no
   BYPASSRLS, row-level security on); or a SQLite file (`--database sqlite`); then `trustroom demo`;
2. seeds one member of demo-co (a password sign-in, admin) and an API token of the organization;
3. serves it in production mode with granian (two workers per core) over TLS with a throwaway
   certificate (production cookies are Secure; in production a proxy terminates TLS) and, with Redis
   (a database of its own, flushed before and after), a Celery worker for the jobs the writes enqueue;
4. runs locust headless with `--users` users spawned at `--spawn-rate` per second for `--seconds`: the
   workload of bench/locustfile.py (anonymous trust center visitors, signed-in members reading pages,
   API clients reading and recording findings);
5. prints, per request kind and in total: requests, failures, p50 / p95 / p99 and requests per second,
   then the pass condition: error rate under 0.1 % and p95 under 1,000 ms on this machine;
6. stops everything and drops the database.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from trust_center import BIN, ROOT, free_port, server_command, stop, trustroom_env  # noqa: E402

PG_HOST, PG_PORT = "127.0.0.1", "5432"
OWNER_ROLE, APP_ROLE = "trustroom_owner", "trustroom_app"
REDIS_DB = 12  # a database of the machine's Redis that nothing else here uses; flushed before and after
GOAL_ERROR_RATE = 0.001
GOAL_P95_MS = 1000.0

SEED = """
import json
from django.contrib.auth import get_user_model
from trustroom.assessments.models import Application
from trustroom.identity.services import create_api_token
from trustroom.tenancy.models import Membership, Organization
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope

org = Organization.objects.get(slug="demo-co")
user = get_user_model().objects.create_user("load@demo-co.test", "load-test-pass-phrase-42")
Membership.objects.create(organization=org, user=user, role="admin")
owner = Membership.objects.filter(organization=org, role="owner").select_related("user").first().user
with org_scope(org):
    token, raw = create_api_token(
        actor=Principal(organization=org, role="owner", user=owner), name="load test", scope="write"
    )
    application = Application.objects.order_by("pk").first().pk
print(json.dumps({"token": raw, "application": application}))
"""


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=OWNER_ROLE, dbname="postgres", autocommit=True
    ) as db:
        db.execute(sql)  # type: ignore[arg-type]


def _trustroom(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own console script
        [str(BIN / "trustroom"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def prepare(database: str, data_dir: Path, name: str) -> dict[str, str]:
    """The serving environment, after the database is built, migrated and demo-loaded."""
    env = trustroom_env(data_dir)
    env["TRUSTROOM_STATIC_ROOT"] = str(data_dir / "static")
    if database == "postgres":
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}')
        owner_env = {
            **env,
            "DATABASE_URL": f"postgres://{OWNER_ROLE}@{PG_HOST}:{PG_PORT}/{name}",
            "TRUSTROOM_DB_APP_ROLE": APP_ROLE,
        }
        _trustroom(owner_env, "migrate", "--noinput", "-v", "0")
        env["DATABASE_URL"] = f"postgres://{APP_ROLE}@{PG_HOST}:{PG_PORT}/{name}"
        env["TRUSTROOM_DB_APP_ROLE"] = APP_ROLE
    else:
        _trustroom(env, "migrate", "--noinput", "-v", "0")
    _trustroom(env, "demo")
    _trustroom(env, "collectstatic", "--noinput", "-v", "0")
    return env


def _redis_available() -> bool:
    import redis

    with suppress(Exception):
        return bool(redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).ping())
    return False


def _flush_redis() -> None:
    import redis

    with suppress(Exception):
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "celery"),
        "-A",
        "trustroom",
        "worker",
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
    ]
    with log.open("ab") as errors:
        return subprocess.Popen(  # noqa: S603 - our own worker
            command, env=env, cwd=ROOT, start_new_session=True, stdout=errors, stderr=errors
        )


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1: production cookies are Secure, so the load goes over TLS."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert, private = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert, private


def start_tls_server(env: dict[str, str], port: int, workers: int, tmp: Path) -> subprocess.Popen[bytes]:
    """granian as README's production command, with TLS (a proxy would terminate it in production)."""
    cert, key = self_signed(tmp)
    command = server_command(
        "granian", "trustroom.wsgi:application", port, workers, 1, tmp / "server.log", ROOT
    )
    command[-1:-1] = ["--ssl-certificate", str(cert), "--ssl-keyfile", str(key)]
    with (tmp / "server.log").open("ab") as errors:
        return subprocess.Popen(  # noqa: S603 - our own server
            command, env=env, cwd=ROOT, start_new_session=True, stderr=errors
        )


def wait_for_tls(url: str, timeout: float) -> None:
    import requests
    import urllib3

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(requests.RequestException):
            if requests.get(url, timeout=5, verify=False).status_code == 200:  # noqa: S501 - our own cert
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def run_locust(host: str, env: dict[str, str], users: int, spawn_rate: int, seconds: int, out: Path) -> None:
    command = [
        str(BIN / "locust"),
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--host",
        host,
        "--csv",
        str(out / "load"),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    subprocess.run(command, env=env, check=True, cwd=ROOT)  # noqa: S603 - the dev dependency's script


def report(out: Path, seconds: int) -> bool:
    rows = list(csv.DictReader((out / "load_stats.csv").open()))
    total: dict[str, Any] = next(row for row in rows if row["Name"] == "Aggregated")
    header = (
        f"{'request':<30} {'count':>7} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in [*(row for row in rows if row["Name"] != "Aggregated"), total]:
        label = "TOTAL" if row is total else f"{row['Type']} {row['Name']}"
        print(
            f"{label:<30} {int(row['Request Count']):>7} {int(row['Failure Count']):>5} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Requests/s']):>7.1f}"
        )
    failures_file = out / "load_failures.csv"
    if failures_file.exists():
        for failure in list(csv.DictReader(failures_file.open()))[:10]:
            where = f"{failure['Method']} {failure['Name']}"
            print(f"  failure x{failure['Occurrences']}: {where}: {failure['Error']}")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    error_rate = failures / requests if requests else 1.0
    p95 = float(total["95%"])
    passed = requests > 0 and error_rate < GOAL_ERROR_RATE and p95 < GOAL_P95_MS
    print(
        f"\n{requests:,} requests in {seconds} s; error rate {error_rate * 100:.3f} % "
        f"(goal < {GOAL_ERROR_RATE * 100:.1f} %), p95 {p95:.0f} ms (goal < {GOAL_P95_MS:.0f} ms): "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--pg-name", default="trustroom_bench_load")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--no-worker", action="store_true", help="no Celery worker (jobs run in-process)")
    args = parser.parse_args()
    if args.users < 1 or args.spawn_rate < 1 or args.seconds < 1 or args.workers < 1:
        parser.error("--users, --spawn-rate, --seconds and --workers must be at least 1")
    tmp = Path(tempfile.mkdtemp(prefix="trustroom-load-"))
    server = worker = None
    try:
        started = time.perf_counter()
        env = prepare(args.database, tmp, args.pg_name)
        if not args.no_worker and _redis_available():
            _flush_redis()
            env["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
            worker = start_worker(env, tmp / "worker.log")
        seeded = json.loads(_trustroom(env, "shell", "-c", SEED).strip().splitlines()[-1])
        print(
            f"database ({args.database}) built, migrated and seeded in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        server = start_tls_server(env, port, args.workers, tmp)
        host = f"https://127.0.0.1:{port}"
        try:
            wait_for_tls(f"{host}/healthz", timeout=180)
        except RuntimeError:
            print((tmp / "server.log").read_text(errors="replace")[-3000:])
            raise
        print(
            f"granian, {args.workers} workers; "
            f"{'a Celery worker on Redis' if worker else 'jobs in-process'}; "
            f"{args.users} users at {args.spawn_rate}/s for {args.seconds} s"
        )
        load_env = {
            **os.environ,
            "TRUSTROOM_LOAD_EMAIL": "load@demo-co.test",
            "TRUSTROOM_LOAD_PASSWORD": "load-test-pass-phrase-42",
            "TRUSTROOM_LOAD_TOKEN": seeded["token"],
            "TRUSTROOM_LOAD_APPLICATION": str(seeded["application"]),
        }
        run_locust(host, load_env, args.users, args.spawn_rate, args.seconds, tmp)
        passed = report(tmp, args.seconds)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        errors = (tmp / "server.log").read_text(errors="replace")
        if "Traceback" in errors:
            print("server log has tracebacks:\n" + errors[-3000:])
        if not passed:
            raise SystemExit(1)
    finally:
        stop(server)
        stop(worker)
        _flush_redis()
        if args.database == "postgres":
            with suppress(Exception):
                _admin(f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
