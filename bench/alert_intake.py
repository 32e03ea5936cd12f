"""Benchmark: signed alerts through intake, dedup and routing, end to end. Not a test; it prints figures.

Run from the project root:

    PYTHONPATH=src .venv/bin/python bench/alert_intake.py                      # 10,000 alerts, SQLite
    PYTHONPATH=src .venv/bin/python bench/alert_intake.py --database postgres  # the production path
    PYTHONPATH=src .venv/bin/python bench/alert_intake.py --batch 50           # 50 alerts per request
    PYTHONPATH=src .venv/bin/python bench/alert_intake.py --no-routing         # intake and dedup only

What one run does:
- a database of its own: a fresh SQLite file in a temporary directory (`--database sqlite`, the embedded
  default), or (`--database postgres`) the database `--pg-name` created and migrated as the owner role
  and used as the application role under row-level security, exactly like the test suite's PostgreSQL
  mode (the roles of `make test`), dropped afterwards;
- one organization, one generic source and, unless `--no-routing`, two notifiers and two rules: alerts of
  high severity or worse page PagerDuty (Events API v2), every alert goes to a Slack channel. Both are a
  real HTTP server on loopback (tests/monitoring/standin.py) that checks every PagerDuty event against
  the v2 rules;
- `--alerts` alerts over about `--distinct` dedup keys (so most deliveries after the first pass are
  repeats: the F() update path, which routes nothing; new keys insert a row, an audit event and their
  deliveries), `--batch` per request, each request signed with the source's secret (DESIGN's header
  scheme) and POSTed through Django's test Client (full middleware and URL routing, no socket);
- without Redis, Celery runs tasks in-process, so each delivery is sent right after its intake commits,
  inside the request: "end to end" includes the notifier round trips. With a worker (REDIS_URL), the
  request would only enqueue them.
Figures: alerts/s end to end, requests/s, p50/p95 per request, rows, occurrences, deliveries by status,
events the stand-in received, and how many of them broke the v2 rules (must be 0).
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
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEVERITIES = ["critical", "high", "medium", "low", "info"]
PD_KEY = "b" * 32


def _configure(database: str, data_dir: str, pg_name: str, notifier_env: dict[str, str]) -> None:
    os.environ["TRUSTROOM_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)  # tasks in-process: see the docstring
    os.environ.setdefault("TRUSTROOM_LOG_LEVEL", "ERROR")
    os.environ["TRUSTROOM_DEBUG"] = "0"  # DEBUG keeps every query in memory: not what is measured
    os.environ.update(notifier_env)
    if database == "postgres":
        os.environ["TRUSTROOM_TEST_DB"] = "postgres"
        os.environ["TRUSTROOM_TEST_PG_NAME"] = pg_name
        os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    else:
        os.environ.setdefault("TRUSTROOM_ENV", "development")
        os.environ["DJANGO_SETTINGS_MODULE"] = "trustroom.settings"

    import django
    from django.conf import settings

    django.setup()
    if database == "postgres":
        # The test settings close the connection after each request; a deployment keeps it (or pools).
        settings.DATABASES["default"]["CONN_MAX_AGE"] = 600


def _document(rng: random.Random, n: int, distinct: int) -> dict[str, Any]:
    key = rng.randrange(distinct)
    return {
        "title": f"Alert {key}",
        "severity": SEVERITIES[key % len(SEVERITIES)],  # one severity per key: repeats stay the same
        "type": "bench/alert",
        "resource": {"type": "host", "id": f"host-{key}"},
        "account": "bench",
        "region": "eu-west-1",
        "occurred_at": "2024-05-01T12:00:00Z",
        "dedup_key": f"k{key}",
        "tags": {"env": "prod" if key % 2 else "staging"},
        "details": {"n": n},
    }


def _set_up(routing: bool, slack_url: str) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from trustroom.monitoring import routing_services
    from trustroom.monitoring.services import create_source
    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.tenancy.services import create_organization

    user = get_user_model().objects.create_user("owner@bench.test", "bench-password-not-used-0")
    org = create_organization(actor=user, slug="bench-co", name="Bench Co")
    with org_scope(org):
        actor = Principal(organization=org, role="owner", user=user)
        new = create_source(actor=actor, kind="generic", name="bench")
        if routing:
            pager = routing_services.create_notifier(
                actor=actor, name="On-call", kind="pagerduty", routing_key=PD_KEY
            )
            channel = routing_services.create_notifier(
                actor=actor, name="#security", kind="slack", webhook_url=slack_url
            )
            routing_services.create_rule(
                actor=actor, name="High and worse page on-call", notifier=pager, min_severity="high"
            )
            routing_services.create_rule(actor=actor, name="Everything to the channel", notifier=channel)
    return org, new


def run(args: argparse.Namespace) -> None:
    sys.path[:0] = [str(PROJECT_ROOT / "src"), str(PROJECT_ROOT)]  # trustroom, and the stand-in in tests/
    from tests.monitoring.standin import StandIn

    standin = StandIn().start()
    data_dir = tempfile.mkdtemp(prefix="trustroom-bench-intake-")
    notifier_env = {
        "TRUSTROOM_PAGERDUTY_EVENTS_URL": standin.pagerduty_url,
        "TRUSTROOM_NOTIFIER_ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTROOM_NOTIFIER_ALLOW_HTTP": "1",  # the stand-in speaks plain HTTP on loopback
    }
    try:
        _configure(args.database, data_dir, args.pg_name, notifier_env)
        from django.core.management import call_command
        from django.db import connections
        from django.db.models import Count, Sum
        from django.test import Client

        from trustroom.monitoring.models import Alert, Delivery
        from trustroom.tenancy.scope import org_scope
        from trustroom.webhooks.signatures import sign

        started = time.perf_counter()
        if args.database == "postgres":
            from tests.pg import create_test_database

            create_test_database()
        else:
            call_command("migrate", verbosity=0)
        print(f"database ({args.database}) migrated in {time.perf_counter() - started:.1f} s")
        org, new = _set_up(not args.no_routing, standin.slack_url)
        client = Client(HTTP_HOST="localhost")
        secret = new.secret.encode()
        rng = random.Random(8)
        timings: list[float] = []
        statuses: dict[int, int] = {}
        requests = (args.alerts + args.batch - 1) // args.batch
        sent = 0
        started = time.perf_counter()
        for _ in range(requests):
            count = min(args.batch, args.alerts - sent)
            alerts = [_document(rng, sent + i, args.distinct) for i in range(count)]
            sent += count
            body = json.dumps(alerts[0] if args.batch == 1 else {"alerts": alerts}).encode()
            headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sign(secret, body).items()}
            t0 = time.perf_counter()
            response = client.post(new.path, data=body, content_type="application/json", **headers)
            timings.append(time.perf_counter() - t0)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        elapsed = time.perf_counter() - started
        with org_scope(org):
            totals = Alert.objects.aggregate(rows=Count("pk"), occurrences=Sum("occurrences"))
            by_status = dict(
                Delivery.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
            )
        quantiles = statistics.quantiles(timings, n=100) if len(timings) > 1 else timings * 99
        routing = "no routing" if args.no_routing else "routing to PagerDuty + Slack stand-ins"
        print(
            f"alert intake, dedup and {routing} ({args.database}, Django test Client, tasks in-process): "
            f"{args.alerts} signed alerts, {args.batch} per request, {args.distinct} dedup keys"
        )
        print(
            f"  statuses: {statuses}; alert rows: {totals['rows']}; "
            f"occurrences counted: {totals['occurrences']}"
        )
        print(f"  deliveries: {by_status or 'none'}")
        print(
            f"  stand-in received: {len(standin.pagerduty)} PagerDuty events "
            f"({len(standin.invalid)} breaking the v2 rules), {len(standin.slack)} Slack messages"
        )
        print(
            f"  end to end: {args.alerts / elapsed:,.0f} alerts/s, {requests / elapsed:,.0f} requests/s "
            f"({elapsed:.1f} s)"
        )
        print(f"  per request: p50 {quantiles[49] * 1000:.2f} ms, p95 {quantiles[94] * 1000:.2f} ms")
        if args.database == "postgres":
            from tests.pg import drop_test_database

            for connection in connections.all():
                connection.close()
            for attempt in range(10):  # a closed session's server process may linger for a moment
                try:
                    drop_test_database()
                    break
                except Exception:
                    if attempt == 9:
                        raise
                    time.sleep(0.5)
    finally:
        standin.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--distinct", type=int, default=2_000, help="distinct dedup keys")
    parser.add_argument("--batch", type=int, default=1, help="alerts per request (generic JSON `alerts`)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-name", default="trustroom_bench_alerts")
    parser.add_argument("--no-routing", action="store_true", help="intake and dedup only")
    args = parser.parse_args()
    if args.batch < 1 or args.alerts < 1:
        parser.error("--alerts and --batch must be at least 1")
    run(args)


if __name__ == "__main__":
    main()
