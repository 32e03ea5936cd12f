from __future__ import annotations

from pathlib import Path

import pytest

from trustroom.assessments.importers import ImportFormatError, parse_in_sandbox, parse_report

from .samples import SAMPLES, write_sarif


@pytest.mark.parametrize(
    "path", ["sarif/bash-report.sarif", "nessus/nessus_with_cvssv3.nessus", "nuclei/many_findings.json"]
)
def test_sandbox_yields_the_same_findings(path: str) -> None:
    sample = next(s for s in SAMPLES if s.path == path)
    with sample.file.open("rb") as file:
        direct = list(parse_report(file))
    calls: list[tuple[int, int]] = []
    sandboxed = list(parse_in_sandbox(str(sample.file), progress=lambda d, t: calls.append((d, t))))
    assert sandboxed == direct
    assert [f.fingerprint for f in sandboxed] == [f.fingerprint for f in direct]
    size = sample.file.stat().st_size
    assert calls[-1] == (size, size)


def test_sandbox_reports_a_malformed_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sarif"
    bad.write_bytes(b'{"version": "2.1.0", "runs": [{"results": [{"ruleId": ')
    with pytest.raises(ImportFormatError, match="SARIF: invalid JSON near byte"):
        list(parse_in_sandbox(str(bad), "sarif"))


def test_sandbox_applies_the_size_limit() -> None:
    sample = next(s for s in SAMPLES if s.path == "sarif/bash-report.sarif")
    with pytest.raises(ImportFormatError, match="limit is 100 bytes"):
        list(parse_in_sandbox(str(sample.file), "sarif", max_bytes=100))


def test_memory_limit_stops_a_memory_hungry_file(tmp_path: Path) -> None:
    """A 64 MB JSONL line needs more than the 112 MB address space the child is given: refused."""
    hostile = tmp_path / "hostile.jsonl"
    with hostile.open("wb") as out:
        out.write(b'{"template-id": "x", "info": {"severity": "low", "description": "')
        out.write(b"A" * (64 * 1024 * 1024))
        out.write(b'"}}\n')
    with pytest.raises(ImportFormatError, match="within the CPU and memory limits"):
        list(parse_in_sandbox(str(hostile), "nuclei-jsonl", memory_bytes=112 * 1024 * 1024))


def test_cpu_limit_stops_a_slow_parse(tmp_path: Path) -> None:
    big = tmp_path / "big.sarif"
    write_sarif(big, 100_000)  # about 2.5 s of CPU to parse
    with pytest.raises(ImportFormatError, match="within the CPU and memory limits"):
        list(parse_in_sandbox(str(big), "sarif", cpu_seconds=1))


def test_wall_clock_limit(tmp_path: Path) -> None:
    sample = next(s for s in SAMPLES if s.path == "sarif/semgrepowasp-benchmark-sample.sarif")
    with pytest.raises(ImportFormatError, match=r"longer than 0\.01 seconds"):
        list(parse_in_sandbox(str(sample.file), "sarif", wall_seconds=0.01))
