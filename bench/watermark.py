"""Benchmark: watermarking a 10-page PDF for one viewer, as each gated download does. Prints figures.

Run from the project root:

    .venv/bin/python bench/watermark.py
    .venv/bin/python bench/watermark.py --runs 500 --pages 10

It is self-contained: it points TRUSTROOM_DATA_DIR at a new temporary directory (fresh SQLite file,
keyset and file store there), ignores any DATABASE_URL, runs `migrate`, then
- makes a sample report of `--pages` pages (`trustroom.vault.samples.sample_pdf`) and stores it
  encrypted with `store_document`;
- watermarks it `--runs` times with a different viewer line each time (`watermark_pdf` only);
- runs the whole download path `--runs` times: read the ciphertext, decrypt (`document_bytes`),
  watermark;
and prints p50/p95/p99 latency in milliseconds and pages per second for both. The directory is removed
at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _configure(data_dir: str) -> None:
    os.environ["TRUSTROOM_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("TRUSTROOM_S3_BUCKET", None)
    os.environ.pop("TRUSTROOM_KEK_PATH", None)
    os.environ.setdefault("TRUSTROOM_ENV", "development")
    os.environ.setdefault("TRUSTROOM_LOG_LEVEL", "WARNING")
    os.environ.setdefault("TRUSTROOM_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustroom.settings")
    sys.path.insert(0, str(PROJECT_ROOT))

    import django

    django.setup()


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def _measure(runs: int, pages: int, work: Callable[[int], object]) -> str:
    work(-1)  # warm-up (imports, font metrics)
    timings: list[float] = []
    for number in range(runs):
        started = time.perf_counter()
        work(number)
        timings.append(time.perf_counter() - started)
    timings.sort()
    ms = [t * 1000 for t in timings]
    total = sum(timings)
    return (
        f"p50 {_percentile(ms, 0.50):6.1f} ms  p95 {_percentile(ms, 0.95):6.1f} ms  "
        f"p99 {_percentile(ms, 0.99):6.1f} ms  mean {statistics.fmean(ms):6.1f} ms  "
        f"{runs * pages / total:8,.0f} pages/s"
    )


def run(runs: int, pages: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from trustroom.tenancy.principal import Principal
    from trustroom.tenancy.scope import org_scope
    from trustroom.tenancy.services import create_organization
    from trustroom.vault.samples import sample_pdf
    from trustroom.vault.selectors import document_bytes
    from trustroom.vault.services import store_document
    from trustroom.vault.watermark import watermark_pdf

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user("bench@example.test", "bench-password-not-used-0")
    organization = create_organization(actor=user, slug="bench-co", name="Bench Co")
    actor = Principal(organization=organization, role="owner", user=user)
    lines = [f"Control {n}: tested, operating effectively; no exceptions noted." for n in range(1, 9)]
    pdf = sample_pdf(title="SOC 2 Type 2 report", lines=lines, pages=pages)
    with org_scope(organization):
        document = store_document(actor=actor, title="SOC 2 Type 2 report", content=pdf, filename="soc2.pdf")

    def stamp_lines(number: int) -> list[str]:
        return [
            f"Confidential — issued to Viewer {number} <viewer{number}@customer.example> — "
            "2026-11-23 20:41 UTC",
            "Do not distribute. Downloaded through the Bench Co trust center.",
        ]

    def watermark_only(number: int) -> object:
        return watermark_pdf(pdf, lines=stamp_lines(number))

    def download_path(number: int) -> object:
        return watermark_pdf(document_bytes(document), lines=stamp_lines(number))

    print(f"input: {pages}-page PDF, {len(pdf):,} bytes; {runs} runs each")
    print(f"watermark_pdf:               {_measure(runs, pages, watermark_only)}")
    print(f"decrypt + watermark:         {_measure(runs, pages, download_path)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200, help="watermarks per mode (200)")
    parser.add_argument("--pages", type=int, default=10, help="pages of the sample PDF (10)")
    options = parser.parse_args()
    if options.runs < 1 or options.pages < 1:
        parser.error("--runs and --pages must be at least 1")
    data_dir = tempfile.mkdtemp(prefix="trustroom-bench-")
    try:
        _configure(data_dir)
        run(options.runs, options.pages)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
