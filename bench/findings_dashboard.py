"""Benchmark: the findings dashboard over 1,000,000 findings on PostgreSQL. Not a test; it prints figures.

Run from the project root (PostgreSQL with the roles of `make test`: trustroom_owner, trustroom_app):

    .venv/bin/python bench/findings_dashboard.py [--findings 1000000] [--other 200000] [--runs 30]
        [--database trustroom_bench_dashboard] [--keep] [--explain]

What it does:
1. (re)creates the database `--database`, owned by the owner role, and migrates it as the owner (which
   grants the application role its privileges), exactly as the test suite's PostgreSQL mode does;
2. creates two organizations through the services (members, 20 + 5 applications, the SLA policy), then
   as the owner loads `--findings` findings for the first and `--other` for the second with one
   INSERT ... SELECT generate_series each, under `set_config('app.org_id', ...)` as row-level security
   demands even of the owner; detections spread over two years, severities 3/12/35/35/15 % critical to
   info, statuses by age (old ones mostly closed), deadlines from the SLA hours, fixes before and after
   them; then VACUUM ANALYZE;
3. as the APPLICATION role (no BYPASSRLS), inside `org_scope` (so RLS is on and app.org_id set as in a
   request), computes everything the dashboard page shows (`assessments.dashboard.dashboard`) `--runs`
   times after one warm-up, and prints p50 / p95 / max, per metric too; then the same for one
   application; then GET /api/v1/orgs/<slug>/findings-dashboard/ and the page /o/<slug>/assessments/
   through Django's test client (signed in as the owner);
4. drops the database unless `--keep`.
Goal (issue 4): p95 well under one second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APPLICATIONS = {"bench-a": 20, "bench-b": 5}

# One row per finding; g is the series number. Times are relative to :now.
LOAD_SQL = """
WITH base AS (
    SELECT g,
           %(now)s::timestamptz - (random() * interval '730 days') AS detected_at,
           random() AS r_sev, random() AS r_status, random() AS r_time, random() AS r_app
    FROM generate_series(1, %(count)s) AS g
), sized AS (
    SELECT *,
           CASE WHEN r_sev < 0.03 THEN 'critical' WHEN r_sev < 0.15 THEN 'high'
                WHEN r_sev < 0.50 THEN 'medium' WHEN r_sev < 0.85 THEN 'low' ELSE 'info' END AS severity,
           %(now)s::timestamptz - detected_at AS age
    FROM base
), timed AS (
    SELECT *,
           CASE severity WHEN 'critical' THEN interval '4 hours' WHEN 'high' THEN interval '48 hours'
                WHEN 'medium' THEN interval '336 hours' WHEN 'low' THEN interval '90 days' END AS due_in,
           CASE severity WHEN 'critical' THEN interval '2 hours' WHEN 'high' THEN interval '24 hours'
                WHEN 'medium' THEN interval '168 hours' WHEN 'low' THEN interval '90 days' END AS target_in,
           CASE
             WHEN age > interval '90 days' THEN
               CASE WHEN r_status < 0.85 THEN 'closed' WHEN r_status < 0.90 THEN 'false_positive'
                    WHEN r_status < 0.94 THEN 'risk_accepted'
                    WHEN r_status < 0.97 THEN 'fixed_awaiting_retest'
                    WHEN r_status < 0.99 THEN 'open' ELSE 'reopened' END
             ELSE
               CASE WHEN r_status < 0.35 THEN 'open' WHEN r_status < 0.42 THEN 'reopened'
                    WHEN r_status < 0.62 THEN 'fixed_awaiting_retest' WHEN r_status < 0.90 THEN 'closed'
                    WHEN r_status < 0.95 THEN 'false_positive' ELSE 'risk_accepted' END
           END AS status
    FROM sized
), facts AS (
    SELECT *,
           -- time to fix: 0.2 to 1.8 times the SLA window (about 60 %% in time), never in the future
           LEAST(detected_at + COALESCE(due_in, interval '30 days') * (0.2 + 1.6 * r_time),
                 %(now)s::timestamptz) AS fix_at
    FROM timed
)
INSERT INTO assessments_finding (
    organization_id, application_id, engagement_id, title, description, severity, cvss_vector, cvss_version,
    cvss_score, cwe_id, asset, status, assignee_id, evidence, detected_at, sla_policy_id, due_at, target_at,
    fixed_at, retest_due_at, closed_at, risk_reason, risk_accepted_by_id, risk_expires_at, fingerprint,
    source_tool, created_at, updated_at)
SELECT %(org)s, (%(apps)s::bigint[])[1 + floor(r_app * %(napps)s)::int], NULL,
       'Finding ' || g, '', severity, '', '', NULL, 79, 'https://app.example/' || (g %% 500), status,
       NULL, '',
       detected_at, %(policy)s, detected_at + due_in, detected_at + target_in,
       CASE WHEN status IN ('fixed_awaiting_retest', 'closed') THEN fix_at END,
       CASE WHEN status = 'fixed_awaiting_retest' THEN fix_at + interval '30 days' END,
       CASE WHEN status = 'closed' THEN LEAST(fix_at + r_time * interval '20 days', %(now)s::timestamptz)
            WHEN status = 'false_positive'
            THEN LEAST(detected_at + interval '3 days', %(now)s::timestamptz) END,
       CASE WHEN status = 'risk_accepted' THEN 'Compensating control' ELSE '' END, NULL,
       -- half of the old acceptances have expired by now
       CASE WHEN status = 'risk_accepted'
            THEN detected_at + interval '30 days' + r_time * interval '700 days' END,
       '', CASE WHEN g %% 2 = 0 THEN 'Trivy' ELSE '' END,  -- half from a scanner, half from pentests
       detected_at, CASE WHEN status = 'risk_accepted' THEN detected_at + interval '2 days'
                             ELSE detected_at END
FROM facts
"""


def _configure(database: str) -> None:
    os.environ["TRUSTROOM_TEST_DB"] = "postgres"
    os.environ["TRUSTROOM_TEST_PG_NAME"] = database
    os.environ.setdefault("TRUSTROOM_DEBUG", "0")  # DEBUG keeps every query in memory: not what is measured
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    sys.path.insert(0, str(PROJECT_ROOT))

    import django

    django.setup()


def _figures(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{label:<34} p50 {statistics.median(ordered) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   "
        f"max {ordered[-1] * 1000:8.1f} ms   (n={len(ordered)})"
    )


def _time(runs: int, call: Callable[[], Any]) -> list[float]:
    call()  # warm-up: connection, plans, caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def build(findings: int, other: int) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connections, transaction

    from tests.pg import create_test_database
    from trustroom.assessments import services
    from trustroom.assessments.services.sla import policy_in_force
    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.tenancy.services import create_organization

    started = time.perf_counter()
    create_test_database()
    print(f"database created and migrated as the owner in {time.perf_counter() - started:.1f} s")
    from django.utils import timezone

    now = timezone.now()
    organizations = []
    for slug, count in APPLICATIONS.items():
        user = get_user_model().objects.create_user(f"owner@{slug}.test", "bench-password-not-used-0")
        org = create_organization(actor=user, slug=slug, name=slug.replace("-", " ").title())
        with org_scope(org):
            actor = Principal(organization=org, role="owner", user=user)
            apps = [
                services.create_application(
                    actor=actor, name=f"App {i}", criticality="critical" if i < 3 else "high"
                )
                for i in range(count)
            ]
            policy = policy_in_force(now)
        organizations.append((org, user, [a.pk for a in apps], policy.pk))
    connections["default"].close()

    owner = connections["owner"]
    for (org, _user, app_ids, policy_id), count in zip(organizations, (findings, other), strict=True):
        started = time.perf_counter()
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
        print(f"loaded {count:>9,} findings for {org.slug} in {time.perf_counter() - started:6.1f} s")
    started = time.perf_counter()
    with owner.cursor() as cursor:  # autocommit outside atomic(): VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE assessments_finding")
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    owner.close()
    return organizations[0][0], organizations[0][1]


def existing() -> tuple[Any, Any]:
    from django.core.management import call_command
    from django.db import connections

    from trustroom.tenancy.models import Membership, Organization

    call_command("migrate", database="owner", verbosity=0, interactive=False)  # e.g. a new index
    with connections["owner"].cursor() as cursor:
        cursor.execute("VACUUM ANALYZE assessments_finding")  # statistics of new expression indexes
    org = Organization.objects.get(slug="bench-a")
    return org, Membership.objects.filter(organization=org).select_related("user").first().user  # type: ignore[union-attr]


def explain(org: Any) -> None:
    """EXPLAIN ANALYZE of each query the dashboard runs (as the app role, in scope)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from trustroom.assessments.dashboard import dashboard
    from trustroom.tenancy.scope import org_scope

    with org_scope(org), CaptureQueriesContext(connection) as captured:
        dashboard(now=timezone.now())
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "set_config" in sql:
            continue
        with org_scope(org), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"--- {query['time']} s\n{sql[:300]}...")
            print("\n".join(row[0] for row in cursor.fetchall()))


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")  # the database runs elsewhere
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(org: Any, user: Any, runs: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from trustroom.assessments import dashboard as metrics
    from trustroom.assessments.models import Application
    from trustroom.tenancy.scope import org_scope

    def scoped(fn: Callable[..., Any], **kwargs: Any) -> Callable[[], Any]:
        def call() -> Any:
            with org_scope(org):
                return fn(now=timezone.now(), **kwargs)

        return call

    with org_scope(org):
        summary = metrics.dashboard(now=timezone.now())
        application = Application.objects.order_by("pk").first()
        from trustroom.assessments.models import Finding

        total = Finding.objects.count()
    print(
        f"\norganization {org.slug}: {total:,} findings visible to the app role "
        f"({summary.open_by_age.total:,} unresolved, {summary.sla_now.breached:,} breached now)"
    )
    load_before = os.getloadavg()[0]
    cpu_before, py_before = _backend_cpu(), time.process_time()
    print(_figures("dashboard (all metrics)", _time(runs, scoped(metrics.dashboard))))
    db_cpu, py_cpu = _backend_cpu() - cpu_before, time.process_time() - py_before
    print(
        f"  CPU per dashboard: PostgreSQL backend {db_cpu / (runs + 1) * 1000:.0f} ms, Python "
        f"{py_cpu / (runs + 1) * 1000:.0f} ms (load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs: the wall-clock figures include waiting for a CPU)"
    )
    for name in ("open_by_age", "sla_now", "sla_adherence", "mean_time_to_remediate", "burn_down"):
        print(_figures(f"  {name}", _time(runs, scoped(getattr(metrics, name)))))
    print(
        _figures(
            "dashboard, one application", _time(runs, scoped(metrics.dashboard, application=application))
        )
    )

    client = Client()
    client.force_login(user)
    url = f"/api/v1/orgs/{org.slug}/findings-dashboard/"

    def api() -> None:
        response = client.get(url, HTTP_HOST="localhost")
        assert response.status_code == 200, response.status_code

    print(_figures("GET findings-dashboard/ (API)", _time(runs, api)))

    def page() -> None:
        response = client.get(f"/o/{org.slug}/assessments/", HTTP_HOST="localhost")
        assert response.status_code == 200, response.status_code

    print(_figures("GET /o/<slug>/assessments/ (page)", _time(runs, page)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--other", type=int, default=200_000, help="findings of the second organization")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database", default="trustroom_bench_dashboard")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each query")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by an earlier --keep")
    args = parser.parse_args()
    _configure(args.database)
    from tests.pg import drop_test_database

    try:
        org, user = existing() if args.reuse else build(args.findings, args.other)
        if args.explain:
            explain(org)
        measure(org, user, args.runs)
    finally:
        if args.keep:
            print(f"kept database {args.database}")
        else:
            drop_test_database()
            print(f"dropped database {args.database}")


if __name__ == "__main__":
    main()
