"""Benchmark: signed alerts through the intake endpoint, end to end. Not a test; it prints figures.

Run from the project root:

    PYTHONPATH=src .venv/bin/python bench/alert_intake.py            # 10,000 alerts
    PYTHONPATH=src .venv/bin/python bench/alert_intake.py --alerts 2000 --distinct 500

Self-contained: a fresh SQLite file in a temporary directory (any DATABASE_URL is ignored), `migrate`,
one organization, one generic source. Each request is one generic alert, signed with the source's
secret (a fresh timestamp each), POSTed through Django's test Client (the full middleware stack and
URL routing, no network socket). About `--distinct` dedup keys are used, so after the first pass most
deliveries are repeats (the F() update path) and the rest create rows (insert + audit event).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _configure(data_dir: str) -> None:
    os.environ["TRUSTROOM_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("TRUSTROOM_ENV", "development")
    os.environ.setdefault("TRUSTROOM_LOG_LEVEL", "ERROR")
    os.environ.setdefault("TRUSTROOM_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustroom.settings")
    sys.path.insert(0, str(PROJECT_ROOT / "src"))

    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=2_000, help="distinct dedup keys")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="trustroom-bench-intake-")
    try:
        _configure(data_dir)
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        from trustroom.monitoring.models import Alert
        from trustroom.monitoring.services import create_source
        from trustroom.tenancy.models import Organization
        from trustroom.tenancy.principal import system_principal
        from trustroom.tenancy.scope import org_scope
        from trustroom.webhooks.signatures import sign

        org = Organization.objects.create(slug="bench-co", name="Bench Co")
        with org_scope(org):
            new = create_source(actor=system_principal(org), kind="generic", name="bench")
        client = Client(HTTP_HOST="localhost")
        secret = new.secret.encode()
        rng = random.Random(8)
        timings: list[float] = []
        statuses: dict[int, int] = {}
        started = time.perf_counter()
        for n in range(args.alerts):
            key = rng.randrange(args.distinct)
            body = json.dumps(
                {
                    "title": f"Alert {key}",
                    "severity": rng.choice(["critical", "high", "medium", "low", "info"]),
                    "type": "bench/alert",
                    "resource": {"type": "host", "id": f"host-{key}"},
                    "account": "bench",
                    "region": "eu-west-1",
                    "occurred_at": "2024-05-01T12:00:00Z",
                    "dedup_key": f"k{key}",
                    "details": {"n": n},
                }
            ).encode()
            headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sign(secret, body).items()}
            t0 = time.perf_counter()
            response = client.post(new.path, data=body, content_type="application/json", **headers)
            timings.append(time.perf_counter() - t0)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        elapsed = time.perf_counter() - started
        with org_scope(org):
            rows = Alert.objects.count()
            total = sum(Alert.objects.values_list("occurrences", flat=True))
        quantiles = statistics.quantiles(timings, n=100)
        print(
            f"alert intake (Django test Client, SQLite): {args.alerts} signed alerts, "
            f"{args.distinct} dedup keys"
        )
        print(f"  statuses: {statuses}; alert rows: {rows}; occurrences counted: {total}")
        print(f"  end to end: {args.alerts / elapsed:,.0f} alerts/s ({elapsed:.1f} s)")
        print(f"  per request: p50 {quantiles[49] * 1000:.2f} ms, p95 {quantiles[94] * 1000:.2f} ms")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
