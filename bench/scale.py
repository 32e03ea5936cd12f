"""Benchmark: Trustroom at scale on PostgreSQL with row-level security. Not a test; it prints figures.

Run from the project root (PostgreSQL with the roles of `make test`: trustroom_owner, trustroom_app):

    .venv/bin/python bench/scale.py [--orgs 1000] [--findings 5000000] [--events 1000000] [--runs 20]
        [--database trustroom_bench_scale] [--keep] [--reuse] [--no-progress]

What it does:
1. (re)creates the database `--database`, owned by the owner role, and migrates it as the owner, as the
   test suite's PostgreSQL mode does (the application role owns no table and has no BYPASSRLS);
2. creates `--orgs` organizations through the services (an owner each, 3 applications, the SLA policy);
3. loads `--findings` findings as the owner, one INSERT ... SELECT generate_series per organization under
   `set_config('app.org_id', ...)` (row-level security applies to the owner too): a fifth of them for the
   first organization (`scale-0000`, the one measured), the rest spread evenly over the others;
4. appends `--events` audit events to `scale-0000`'s hash chain: each hash computed by the chain's own
   `compute_hash`, inserted in batches as the application role inside `org_scope`, the chain head last;
5. VACUUM ANALYZE; then, as the APPLICATION role, signed in as `scale-0000`'s owner through Django's test
   client, the heaviest pages and API calls `--runs` times each after a warm-up (p50 / p95 / max):
   findings dashboard page and API, open findings page and API, audit log page and API, the public trust
   center; the same dashboard API for a small organization;
6. verifies `scale-0000`'s chain of `--events` events (what `trustroom audit verify` runs) and prints
   the seconds;
7. the overhead of row-level security: each round of step 5 is followed by the same calls with
   row-level security turned OFF (as the owner) on every table that has it, then ON again, so both
   states see the same caches and machine load; prints p50 and p95 ON vs OFF per call;
8. drops the database unless `--keep` (`--reuse` measures a kept one again).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from findings_dashboard import LOAD_SQL, _configure, _figures  # noqa: E402

BIG = "scale-0000"
SMALL = "scale-0001"
APPLICATIONS_PER_ORG = 3
EVENT_BATCH = 5000


def _bar(total: int, unit: str, desc: str, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, disable=quiet, unit_scale=True)


def _organizations(count: int, quiet: bool) -> list[tuple[Any, list[int], int]]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from trustroom.assessments import services
    from trustroom.assessments.services.sla import policy_in_force
    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.tenancy.services import create_organization
    from trustroom.trustcenter.services import update_settings

    made = []
    with _bar(count, " orgs", "organizations", quiet) as bar:
        for number in range(count):
            slug = f"scale-{number:04d}"
            user = get_user_model().objects.create_user(f"owner@{slug}.test", "bench-password-not-used-0")
            org = create_organization(actor=user, slug=slug, name=f"Scale {number:04d}")
            with org_scope(org):
                actor = Principal(organization=org, role="owner", user=user)
                apps = [
                    services.create_application(actor=actor, name=f"App {i}", criticality="high")
                    for i in range(APPLICATIONS_PER_ORG)
                ]
                policy = policy_in_force(timezone.now())
                update_settings(actor=actor, published=True)
            made.append((org, [app.pk for app in apps], policy.pk))
            bar.update()
    return made


def _load_findings(organizations: list[tuple[Any, list[int], int]], total: int, quiet: bool) -> None:
    from django.db import connections, transaction
    from django.utils import timezone

    big = total // 5 if len(organizations) > 1 else total
    rest = total - big
    others = max(1, len(organizations) - 1)
    now = timezone.now()
    owner = connections["owner"]
    with _bar(total, " findings", "findings", quiet) as bar:
        for index, (org, app_ids, policy_id) in enumerate(organizations):
            count = big if index == 0 else rest // others + (1 if index - 1 < rest % others else 0)
            if count <= 0:
                continue
            with transaction.atomic(using="owner"), owner.cursor() as cursor:
                cursor.execute("SELECT set_config('app.org_id', %s, true)", [str(org.pk)])
                cursor.execute(
                    LOAD_SQL,
                    {
                        "now": now,
                        "count": count,
                        "org": org.pk,
                        "apps": app_ids,
                        "napps": len(app_ids),
                        "policy": policy_id,
                    },
                )
            bar.update(count)


def _append_events(org: Any, count: int, quiet: bool) -> None:
    """`count` events on the organization's chain, hashed as `record_event` hashes them, in batches."""
    from django.db import transaction
    from django.utils import timezone

    from trustroom.audit.chain import compute_hash
    from trustroom.audit.models import AuditChainHead, AuditEvent
    from trustroom.tenancy.scope import org_scope

    actions = ("finding.updated", "finding.created", "document.downloaded", "access_grant.created")
    with org_scope(org):
        head = AuditChainHead.objects.select_for_update().get(organization=org)
        seq, previous = head.seq, head.hash
    with _bar(count, " events", "audit events", quiet) as bar:
        for first in range(0, count, EVENT_BATCH):
            batch = []
            for number in range(first, min(first + EVENT_BATCH, count)):
                seq += 1
                event = AuditEvent(
                    organization=org,
                    seq=seq,
                    occurred_at=timezone.now(),
                    actor_label=f"owner@{org.slug}.test",
                    action=actions[number % len(actions)],
                    target_type="assessments.finding",
                    target_id=str(number),
                    target_label=f"Finding {number}",
                    changes={"status": ["open", "closed"], "n": number},
                    prev_hash=previous,
                )
                event.hash = compute_hash(event)
                previous = event.hash
                batch.append(event)
            with org_scope(org), transaction.atomic():
                AuditEvent.objects.bulk_create(batch)
                AuditChainHead.objects.filter(organization=org).update(seq=seq, hash=previous)
            bar.update(len(batch))


def build(orgs: int, findings: int, events: int, quiet: bool) -> None:
    from django.db import connections

    from tests.pg import create_test_database
    from trustroom.tenancy.models import Organization

    started = time.perf_counter()
    create_test_database()
    print(f"database created and migrated as the owner in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    organizations = _organizations(orgs, quiet)
    print(f"{orgs:,} organizations through the services in {time.perf_counter() - started:.1f} s")
    connections["default"].close()
    started = time.perf_counter()
    _load_findings(organizations, findings, quiet)
    print(f"{findings:,} findings loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    _append_events(Organization.objects.get(slug=BIG), events, quiet)
    print(f"{events:,} audit events hashed and appended in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connections["owner"].cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")


def _tables_with_rls() -> list[str]:
    from django.db import connections

    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def rls_off(tables: list[str]) -> Iterator[None]:
    """Row-level security disabled on `tables` for the block; enabled and forced again after."""
    from django.db import connections

    owner = connections["owner"]

    def alter(sql: str) -> None:
        with owner.cursor() as cursor:
            for table in tables:
                cursor.execute(sql.format(table=owner.ops.quote_name(table)))

    alter("ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    alter("ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    try:
        yield
    finally:
        alter("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        alter("ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def _calls(big: Any, small: Any) -> dict[str, Callable[[], None]]:
    from django.test import Client

    from trustroom.tenancy.models import Membership

    def signed_in(org: Any) -> Client:
        client = Client()
        membership = Membership.objects.filter(organization=org, role="owner").select_related("user").first()
        assert membership is not None
        client.force_login(membership.user)
        return client

    client, small_client, anonymous = signed_in(big), signed_in(small), Client()

    def get(on: Client, url: str) -> Callable[[], None]:
        def call() -> None:
            response = on.get(url, HTTP_HOST="localhost")
            assert response.status_code == 200, (url, response.status_code)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)  # type: ignore[attr-defined]

        return call

    api = f"/api/v1/orgs/{big.slug}"
    return {
        "page  findings dashboard": get(client, f"/o/{big.slug}/assessments/"),
        "API   findings-dashboard/": get(client, f"{api}/findings-dashboard/"),
        "page  open findings": get(client, f"/o/{big.slug}/assessments/findings/?status=open"),
        "API   findings/?status=open": get(client, f"{api}/findings/?status=open"),
        "page  audit log": get(client, f"/o/{big.slug}/audit/"),
        "API   audit-events/": get(client, f"{api}/audit-events/"),
        "page  public trust center": get(anonymous, f"/trust/{big.slug}/"),
        "API   findings-dashboard/ (small org)": get(
            small_client, f"/api/v1/orgs/{small.slug}/findings-dashboard/"
        ),
    }


def measure(runs: int, tables: list[str]) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each call `runs` times with row-level security ON and `runs` times OFF, alternating by round so
    that both states see the same caches and the same machine load."""
    from trustroom.tenancy.models import Organization

    big, small = Organization.objects.get(slug=BIG), Organization.objects.get(slug=SMALL)
    calls = _calls(big, small)
    on: dict[str, list[float]] = {label: [] for label in calls}
    off: dict[str, list[float]] = {label: [] for label in calls}
    for round_number in range(runs + 1):  # round 0 is the warm-up of both states
        for results in (on, off):
            with rls_off(tables) if results is off else nullcontext():
                for label, call in calls.items():
                    started = time.perf_counter()
                    call()
                    if round_number:
                        results[label].append(time.perf_counter() - started)
    for label in calls:
        print(_figures(label, on[label]))
    return on, off


def verify(quiet: bool) -> None:
    from trustroom.audit.models import AuditEvent
    from trustroom.audit.verify import verify_chain
    from trustroom.tenancy.models import Organization
    from trustroom.tenancy.scope import org_scope

    org = Organization.objects.get(slug=BIG)
    with org_scope(org):
        total = AuditEvent.objects.count()
    with _bar(total, " events", "verifying", quiet) as bar:
        started = time.perf_counter()
        with org_scope(org):
            report = verify_chain(on_progress=bar.update)
        seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"the chain of {BIG} did not verify: {report.reason}")
    print(
        f"audit verify: {report.events_checked:,} events in {seconds:.1f} s "
        f"({report.events_checked / seconds:,.0f} events/s)"
    )


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


def compare(on: dict[str, list[float]], off: dict[str, list[float]]) -> None:
    print("\nrow-level security overhead (same role, same queries; ON vs OFF):")
    for label in on:
        p50_on, p50_off = statistics.median(on[label]), statistics.median(off[label])
        p95_on, p95_off = _p(on[label], 0.95), _p(off[label], 0.95)
        print(
            f"  {label:<38} p50 {p50_on * 1000:8.1f} vs {p50_off * 1000:8.1f} ms "
            f"({(p50_on / p50_off - 1) * 100:+5.1f} %)   p95 {p95_on * 1000:8.1f} vs {p95_off * 1000:8.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=5_000_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default="trustroom_bench_scale")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by an earlier --keep")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")
    args = parser.parse_args()
    if args.orgs < 2 or args.findings < 0 or args.events < 0 or args.runs < 1:
        parser.error("--orgs must be at least 2; --findings and --events at least 0; --runs at least 1")
    _configure(args.database)
    from tests.pg import drop_test_database

    try:
        if not args.reuse:
            build(args.orgs, args.findings, args.events, args.no_progress)
        tables = _tables_with_rls()
        print(
            f"\nas the application role, row-level security ON ({args.runs} runs each after a warm-up; "
            f"alternating by round with row-level security OFF on all {len(tables)} tables that have it):"
        )
        on, off = measure(args.runs, tables)
        verify(args.no_progress)
        compare(on, off)
        print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        if args.keep:
            print(f"kept database {args.database}")
        else:
            drop_test_database()
            print(f"dropped database {args.database}")


if __name__ == "__main__":
    main()
