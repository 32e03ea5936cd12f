"""Benchmark: importing SARIF reports into findings (parse in the sandbox, then upsert). Prints figures.

Run from the project root:

    .venv/bin/python bench/import_findings.py
    .venv/bin/python bench/import_findings.py --results 250000

It imports, through `import_findings` (the service the CLI, UI and API use), (1) the 1,768-result SARIF
sample, (2) a generated SARIF with --results/10 results and (3) one with --results (100,000 by default).
Each measurement runs in a fresh child process with a fresh SQLite database in a temporary
TRUSTROOM_DATA_DIR (any DATABASE_URL is ignored; nothing real is touched), so that ru_maxrss is that
import's own peak. For each file it prints: the first import (all created) in seconds, the re-import
(all unchanged) in seconds, the peak RSS of the importing process (ru_maxrss; the sandboxed parser is a
separate process under its own limits), and, from a second fresh run under tracemalloc (slower, so
not timed), the peak traced Python memory of the import. Memory should stay flat as the file grows:
the parse streams to a spool file and the upsert works in batches.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT_ROOT / "tests" / "fixtures" / "scanners" / "sarif" / "semgrepowasp-benchmark-sample.sarif"


def _configure(data_dir: str) -> None:
    os.environ["TRUSTROOM_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("TRUSTROOM_ENV", "development")
    os.environ.setdefault("TRUSTROOM_LOG_LEVEL", "WARNING")
    os.environ.setdefault("TRUSTROOM_DEBUG", "0")  # DEBUG keeps every query in memory: not what is measured
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustroom.settings")
    sys.path.insert(0, str(PROJECT_ROOT))
    sys.path.insert(0, str(PROJECT_ROOT / "src"))

    import django

    django.setup()


def measure(path: str, traced: bool) -> dict[str, float]:
    """Child mode: a fresh database, one organization and application, import `path` twice."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from trustroom.assessments import services
    from trustroom.assessments.imports import import_findings
    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.tenancy.services import create_organization

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user("bench@example.test", "bench-password-not-used-0")
    organization = create_organization(actor=user, slug="bench-co", name="Bench Co")
    actor = Principal(organization=organization, role="owner", user=user)
    with org_scope(organization):
        application = services.create_application(actor=actor, name="Bench app", criticality="critical")
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    with org_scope(organization):
        first = import_findings(actor=actor, application=application, path=path)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with org_scope(organization):
        again = import_findings(actor=actor, application=application, path=path)
    again_seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    return {
        "results": first.total,
        "created": first.created,
        "unchanged": again.unchanged,
        "first_seconds": first_seconds,
        "again_seconds": again_seconds,
        "peak": peak,
        "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "base_rss_kb": base_rss,
    }


def _child(path: Path, traced: bool) -> dict[str, float]:
    argv = [sys.executable, __file__, "--measure", str(path)] + (["--traced"] if traced else [])
    out = subprocess.run(argv, capture_output=True, check=True, text=True)  # noqa: S603 - this script
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def run(path: Path, label: str) -> None:
    plain = _child(path, traced=False)
    traced = _child(path, traced=True)
    print(
        f"{label}: {path.stat().st_size / 1e6:.1f} MB, {plain['results']:,.0f} results\n"
        f"  first import {plain['first_seconds']:.2f} s ({plain['created']:,.0f} created, "
        f"{plain['results'] / plain['first_seconds']:,.0f}/s); "
        f"re-import {plain['again_seconds']:.2f} s ({plain['unchanged']:,.0f} unchanged)\n"
        f"  tracemalloc peak {traced['peak'] / 1e6:.1f} MB; ru_maxrss {plain['rss_kb'] / 1024:.0f} MB "
        f"(of which {plain['base_rss_kb'] / 1024:.0f} MB before importing)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        data_dir = tempfile.mkdtemp(prefix="trustroom-bench-import-")
        try:
            _configure(data_dir)
            print(json.dumps(measure(args.measure, args.traced)))
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
        return
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.assessments.importers.samples import write_sarif

    run(SAMPLE, "SARIF sample")
    with tempfile.TemporaryDirectory() as tmp:
        for results in (args.results // 10, args.results):
            generated = Path(tmp) / f"generated-{results}.sarif"
            write_sarif(generated, results)
            run(generated, f"generated SARIF ({results:,} results)")


if __name__ == "__main__":
    main()
