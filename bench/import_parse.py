"""Benchmark: streaming parse of SARIF reports. Not a test; it prints figures.

Run from the project root:

    .venv/bin/python bench/import_parse.py
    .venv/bin/python bench/import_parse.py --results 250000

It parses (1) the 1,768-result SARIF sample
(tests/fixtures/scanners/sarif/semgrepowasp-benchmark-sample.sarif) and (2) a generated SARIF with
--results results (100,000 by default) written to a temporary file, with `parse_sarif`, and prints for
each: file size, findings, seconds and findings/second (a plain run), the process's peak RSS
(ru_maxrss) and, from a second run under tracemalloc (slower), the peak traced Python memory. Then it
parses the generated file once more through `parse_in_sandbox` (child process under CPU and memory
limits) and prints its seconds. Each in-process measurement runs in a fresh child process so that
ru_maxrss is that parse's own peak. No database is used.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT / "src"))
SAMPLE = PROJECT_ROOT / "tests" / "fixtures" / "scanners" / "sarif" / "semgrepowasp-benchmark-sample.sarif"


def write_sarif(path: Path, results: int) -> int:
    with path.open("w") as out:
        out.write(
            '{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": ['
        )
        out.write('{"tool": {"driver": {"name": "bench", "rules": [')
        out.write(
            ",".join(f'{{"id": "R{r}", "shortDescription": {{"text": "Rule {r}"}}}}' for r in range(50))
        )
        out.write(']}}, "results": [')
        for i in range(results):
            if i:
                out.write(",")
            result = {
                "ruleId": f"R{i % 50}",
                "level": ("error", "warning", "note")[i % 3],
                "message": {"text": f"Issue number {i} found in the generated code base"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f"src/module_{i // 100}/file_{i % 100}.py"},
                            "region": {"startLine": i % 997 + 1, "startColumn": 5},
                        }
                    }
                ],
            }
            out.write(json.dumps(result))
        out.write("]}]}")
    return path.stat().st_size


def measure(path: str) -> None:
    """Child mode: parse one file and print one JSON line of figures."""
    from trustroom.assessments.importers import parse_sarif

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def parse_all() -> int:
        with open(path, "rb") as file:
            return sum(1 for _finding in parse_sarif(file, max_bytes=10**12))

    started = time.perf_counter()
    count = parse_all()
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    parse_all()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures = {"count": count, "seconds": seconds, "peak": peak, "rss_kb": rss, "base_rss_kb": base_rss}
    print(json.dumps(figures))


def run(path: Path, label: str) -> None:
    out = subprocess.run(  # noqa: S603 - this interpreter and this script
        [sys.executable, __file__, "--measure", str(path)], capture_output=True, check=True, text=True
    )
    fig = json.loads(out.stdout.strip().splitlines()[-1])
    size = path.stat().st_size
    print(
        f"{label}: {size / 1e6:.1f} MB, {fig['count']} findings, {fig['seconds']:.2f} s "
        f"({fig['count'] / fig['seconds']:,.0f}/s), tracemalloc peak {fig['peak'] / 1e6:.2f} MB, "
        f"ru_maxrss {fig['rss_kb'] / 1024:.1f} MB "
        f"(of which {fig['base_rss_kb'] / 1024:.1f} MB before parsing)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    run(SAMPLE, "SARIF sample (1,768 results)")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "generated.sarif"
        started = time.perf_counter()
        write_sarif(big, args.results)
        print(f"generated {args.results:,} results in {time.perf_counter() - started:.2f} s")
        run(big, f"generated SARIF ({args.results:,} results)")
        from trustroom.assessments.importers import parse_in_sandbox

        started = time.perf_counter()
        count = sum(1 for _ in parse_in_sandbox(str(big), "sarif", max_bytes=10**12))
        seconds = time.perf_counter() - started
        print(f"sandboxed (child process, rlimits, JSON lines back): {count} findings, {seconds:.2f} s")


if __name__ == "__main__":
    main()
