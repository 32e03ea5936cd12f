"""Benchmark: appending to and verifying one organization's audit chain. Not a test; it prints figures.

Run from the project root:

    DJANGO_SETTINGS_MODULE=trustroom.settings .venv/bin/python bench/audit_chain.py
    DJANGO_SETTINGS_MODULE=trustroom.settings .venv/bin/python bench/audit_chain.py --events 20000

It is self-contained: it points TRUSTROOM_DATA_DIR at a new temporary directory (so the database is a
fresh SQLite file there), ignores any DATABASE_URL (it never writes into a real database), runs
`migrate`, then
- appends N events through `record_event`, each in its own transaction as a service call would be;
- appends N more in batches of `--batch` per transaction (a bulk import's shape);
- verifies the whole chain with `verify_chain` (what `trustroom audit verify` runs);
and prints appends/second and verified events/second. The directory is removed at the end.
DJANGO_SETTINGS_MODULE=tests.settings also works (an in-memory SQLite database instead of a file).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _configure(data_dir: str) -> None:
    os.environ["TRUSTROOM_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("TRUSTROOM_ENV", "development")
    os.environ.setdefault("TRUSTROOM_LOG_LEVEL", "WARNING")
    os.environ.setdefault("TRUSTROOM_DEBUG", "0")  # DEBUG keeps every query in memory: not what is measured
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustroom.settings")
    sys.path.insert(0, str(PROJECT_ROOT))  # so that tests.settings is importable too

    import django

    django.setup()


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f}/s  ({count:,} in {seconds:.2f} s)"


def run(events: int, batch: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from trustroom.audit.services import record_event
    from trustroom.audit.verify import verify_chain
    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.tenancy.services import create_organization

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user("bench@example.test", "bench-password-not-used-0")
    organization = create_organization(actor=user, slug="bench-co", name="Bench Co")
    actor = Principal(organization=organization, role="owner", user=user)

    def changes(number: int) -> dict[str, object]:
        return {"n": number, "status": ["open", "closed"], "note": "Zürich, 東京", "nested": {"ok": True}}

    started = time.perf_counter()
    for number in range(events):
        with org_scope(organization):
            record_event(actor=actor, action="bench.single", target=organization, changes=changes(number))
    single_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for first in range(0, events, batch):
        with org_scope(organization):
            for number in range(first, min(first + batch, events)):
                record_event(
                    actor=actor, action="bench.batched", target=organization, changes=changes(number)
                )
    batched_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with org_scope(organization):
        report = verify_chain()
    verify_seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"The chain did not verify: {report.reason}")

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"append, one transaction each:     {_rate(events, single_seconds)}")
    print(f"append, {batch} per transaction:   {_rate(events, batched_seconds)}")
    print(f"verify:                           {_rate(report.events_checked, verify_seconds)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5000, help="events to append in each mode (5000)")
    parser.add_argument("--batch", type=int, default=1000, help="events per transaction in batch mode (1000)")
    options = parser.parse_args()
    if options.events < 1 or options.batch < 1:
        parser.error("--events and --batch must be at least 1")
    data_dir = tempfile.mkdtemp(prefix="trustroom-bench-")
    try:
        _configure(data_dir)
        run(options.events, options.batch)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
