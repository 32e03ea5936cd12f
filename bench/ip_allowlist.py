"""Benchmark: what the IP allowlist check adds to an organization request. Not a test; it prints figures.

Run from the project root:

    DJANGO_SETTINGS_MODULE=trustroom.settings .venv/bin/python bench/ip_allowlist.py
    DJANGO_SETTINGS_MODULE=trustroom.settings .venv/bin/python bench/ip_allowlist.py --checks 20000

Self-contained like the other benchmarks: a fresh SQLite file in a temporary directory (any
DATABASE_URL is ignored), `migrate`, one organization. It times `refusal_for` (the check both bases
run: one indexed query plus matching against memoized parsed networks) with no list, and with lists
of 1, 20 and 200 networks, for an allowed and a refused address; then the whole dashboard page
through the test client with no list and with 20 networks, so the check's share of a page is visible.
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
    os.environ.setdefault("TRUSTROOM_LOG_LEVEL", "ERROR")  # refusals log a warning each
    os.environ.setdefault("TRUSTROOM_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustroom.settings")
    sys.path.insert(0, str(PROJECT_ROOT))

    import django

    django.setup()


def _per_call(seconds: float, count: int) -> str:
    return f"{seconds / count * 1e6:>8.1f} µs per call ({count:,} calls)"


def run(checks: int, pages: int) -> None:
    import logging

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from trustroom.identity.ip_allowlist import EntryInput, refusal_for, replace_allowlist
    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.tenancy.services import create_organization

    logging.getLogger("trustroom.identity.ip_allowlist").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0, interactive=False)
    password = "bench-password-not-used-0"  # noqa: S105 - a throwaway local account
    user = get_user_model().objects.create_user("bench@example.test", password)
    organization = create_organization(actor=user, slug="bench-co", name="Bench Co")
    actor = Principal(organization=organization, role="owner", user=user)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")

    def set_list(count: int) -> None:
        entries = [EntryInput(f"10.{n // 256}.{n % 256}.0/24", f"net {n}") for n in range(count - 1)]
        entries += [EntryInput("203.0.113.0/24", "office")] if count else []
        with org_scope(organization):
            replace_allowlist(actor=actor, entries=entries, current_ip="203.0.113.1")

    for count in (0, 1, 20, 200):
        set_list(count)
        for label, ip in (("allowed", "203.0.113.7"), ("refused", "198.51.100.7")):
            with org_scope(organization):
                started = time.perf_counter()
                for _ in range(checks):
                    refusal_for(actor, ip)
                seconds = time.perf_counter() - started
            print(f"check, {count:>3} networks, {label}: {_per_call(seconds, checks)}")

    client = Client(HTTP_HOST="localhost")
    client.login(email=user.email, password=password)
    for count in (0, 20):
        set_list(count)
        client.get("/o/bench-co/", REMOTE_ADDR="203.0.113.7")  # warm up
        started = time.perf_counter()
        for _ in range(pages):
            response = client.get("/o/bench-co/", REMOTE_ADDR="203.0.113.7")
            assert response.status_code == 200, response.status_code
        seconds = time.perf_counter() - started
        per_page = seconds / pages * 1e3
        print(f"dashboard page, {count:>3} networks:    {per_page:>8.2f} ms per page ({pages} pages)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checks", type=int, default=5000, help="checks per configuration (5000)")
    parser.add_argument("--pages", type=int, default=200, help="dashboard pages per configuration (200)")
    options = parser.parse_args()
    if options.checks < 1 or options.pages < 1:
        parser.error("--checks and --pages must be at least 1")
    data_dir = tempfile.mkdtemp(prefix="trustroom-bench-")
    try:
        _configure(data_dir)
        run(options.checks, options.pages)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
