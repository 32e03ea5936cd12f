"""Fault tests: lose nothing when things fail. Each prints its pass condition, the figures and PASS/FAIL
(exit status 1 on FAIL). Run from the project root as root (the private PostgreSQL runs as `postgres`):

    .venv/bin/python bench/faults.py db-outage [--outage 30] [--threads 6] [--recovery-limit 10]
    .venv/bin/python bench/faults.py kill [--kills 20] [--web-workers 3] [--threads 4]
    .venv/bin/python bench/faults.py backup [--findings 2000] [--documents 5]

Nothing touches the machine's shared PostgreSQL or Redis: every run makes a private PostgreSQL cluster
(initdb, a free loopback port) and, when it needs one, a private Redis, and removes them at the end.

db-outage: granian (production settings) against the private PostgreSQL; client threads mix API reads,
  API writes (findings with unique titles), a signed-in HTML page and /healthz; PostgreSQL is stopped
  (`pg_ctl stop -m fast`, which also cuts the open connections) for --outage seconds, then started.
  Pass: no 500 and no unanswered request at any time; every failure is a 503 with Retry-After (JSON under
  /api/); before the outage and from --recovery-limit seconds after the restart on, every request
  succeeds (the measured recovery time is printed); every write answered 201 is stored exactly once.
kill: see faults_kill.py.  backup: see faults_backup.py.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faultkit import Answer, Recorder, Stack, client_sessions, organization_with_token, stack

OK = {200, 201, 202, 204}


def verdict(checks: list[tuple[str, bool]]) -> bool:
    for text, passed in checks:
        print(f"  [{'pass' if passed else 'FAIL'}] {text}")
    passed = all(ok for _, ok in checks)
    print("PASS" if passed else "FAIL")
    return passed


def load(recorder: Recorder, base: str, world: dict, stop: threading.Event, seed: int) -> None:
    """One client: API reads and writes, a signed-in page, the health check, without pause."""
    rng = random.Random(seed)
    slug = world["org"].slug
    api, browser = client_sessions(world)
    for n in itertools.count():
        if stop.is_set():
            return
        pick = rng.random()
        if pick < 0.35:
            marker = f"outage-write-{seed}-{n}"
            body = {"application": world["application"], "title": marker, "severity": "low"}
            recorder.call(api, "api write", "POST", f"{base}/api/v1/orgs/{slug}/findings/", marker, json=body)
        elif pick < 0.65:
            recorder.call(api, "api read", "GET", f"{base}/api/v1/orgs/{slug}/findings/?limit=5")
        elif pick < 0.9:
            recorder.call(browser, "page", "GET", f"{base}/o/{slug}/")
        else:
            recorder.call(api, "health", "GET", f"{base}/healthz")


def db_outage(args: argparse.Namespace) -> bool:
    with stack() as made:
        pg = made.start_postgres()
        env = made.app_env()
        made.migrate()
        made.setup_django(env)
        world = organization_with_token("outage-co")
        _, base = made.serve(env, args.web_workers)
        recorder, stop = Recorder(), threading.Event()
        clients = [
            threading.Thread(target=load, args=(recorder, base, world, stop, seed), daemon=True)
            for seed in range(args.threads)
        ]
        for client in clients:
            client.start()
        time.sleep(args.before)
        stopping = time.monotonic()
        pg.stop("fast")
        stopped = time.monotonic()
        print(f"PostgreSQL stopped ({stopped - stopping:.1f} s); down for {args.outage} s ...", flush=True)
        time.sleep(args.outage)
        pg.start()
        restarted = time.monotonic()
        print("PostgreSQL started again", flush=True)
        time.sleep(args.after)
        stop.set()
        for client in clients:
            client.join(30)
        passed = _outage_report(args, recorder.answers, world, stopping, restarted)
        if not passed:
            print("server log (last lines):\n" + made.log_tail("server.log"))
        return passed


def _outage_report(
    args: argparse.Namespace, answers: list[Answer], world: dict, stopping: float, restarted: float
) -> bool:
    from django.db import connection

    from trustroom.assessments.models import Finding
    from trustroom.tenancy.scope import org_scope

    connection.close()  # this process's own connection did not survive the outage either
    before = [a for a in answers if a.at < stopping]
    during = [a for a in answers if stopping <= a.at < restarted]
    after = [a for a in answers if a.at >= restarted]
    failures = [a for a in answers if a.status not in OK]
    last_failure = max((a.at for a in after if a.status not in OK), default=restarted)
    recovery = last_failure - restarted
    bad_503 = [
        a
        for a in failures
        if a.status == 503 and (not a.retry_after or (a.kind.startswith("api") and not a.json))
    ]
    print()
    print(
        f"db-outage: granian {args.web_workers} workers, {args.threads} client threads, PostgreSQL stopped "
        f"{args.outage} s (stop -m fast cuts open connections), {args.before} s before, {args.after} s after"
    )
    for name, part in (("before", before), ("outage", during), ("after restart", after)):
        statuses = Counter(a.status for a in part)
        print(f"  {name:14} {len(part):6} requests  statuses {dict(sorted(statuses.items()))}")
    by_kind = Counter((a.kind, a.status) for a in during)
    print(f"  during the outage by kind: {dict(sorted(by_kind.items()))}")
    print(f"  recovery: last failed request {recovery:.2f} s after PostgreSQL accepted connections again")
    for unanswered in [a for a in answers if a.status == 0][:5]:
        print(f"  no answer {unanswered.at - stopping:+.1f} s from the stop: {unanswered.error}")
    acknowledged = [a.marker for a in answers if a.kind == "api write" and a.status == 201]
    with org_scope(world["org"]):
        stored = Counter(
            Finding.objects.filter(title__startswith="outage-write-").values_list("title", flat=True)
        )
    missing = [m for m in acknowledged if stored[m] == 0]
    doubled = [m for m, n in stored.items() if n > 1]
    print(
        f"  writes: {len(acknowledged)} answered 201, {len(stored)} stored, "
        f"{len(missing)} missing, {len(doubled)} twice"
    )
    return verdict(
        [
            (
                "no 500 (or other 5xx than 503) at any time",
                not [a for a in failures if a.status >= 500 and a.status != 503],
            ),
            (
                "every request got an HTTP answer (no refused or reset connection)",
                not [a for a in answers if a.status == 0],
            ),
            (
                "every failure is a 503 with Retry-After, JSON for the API",
                not bad_503 and all(a.status == 503 for a in failures),
            ),
            ("the outage was seen: requests during it answered 503", any(a.status == 503 for a in during)),
            ("before the outage every request succeeded", all(a.status in OK for a in before)),
            (
                f"every request succeeded from {args.recovery_limit} s after the restart on "
                f"(measured {recovery:.2f} s)",
                recovery <= args.recovery_limit,
            ),
            ("every write answered 201 is stored exactly once", not missing and not doubled),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="fault", required=True)
    outage = commands.add_parser("db-outage", help="PostgreSQL stopped under load: 503, then recovery")
    outage.add_argument("--outage", type=float, default=30.0, help="seconds PostgreSQL is down")
    outage.add_argument("--before", type=float, default=8.0)
    outage.add_argument("--after", type=float, default=20.0)
    outage.add_argument("--threads", type=int, default=6)
    outage.add_argument("--web-workers", type=int, default=2)
    outage.add_argument("--recovery-limit", type=float, default=10.0)
    from faults_backup import add_arguments as backup_arguments
    from faults_backup import backup
    from faults_kill import add_arguments as kill_arguments
    from faults_kill import kill

    kill_arguments(commands.add_parser("kill", help="SIGKILL web and worker processes under load"))
    backup_arguments(
        commands.add_parser("backup", help="pg_dump under writes, restore into an empty database")
    )
    args = parser.parse_args()
    run = {"db-outage": db_outage, "kill": kill, "backup": backup}[args.fault]
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()


__all__ = ["OK", "Stack", "verdict"]
