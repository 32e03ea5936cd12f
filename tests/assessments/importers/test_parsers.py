from __future__ import annotations

import io
import json
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from trustroom.assessments.importers import (
    FORMATS,
    ImportFormatError,
    ParsedFinding,
    detect_format,
    parse_report,
    parse_sarif,
)

from .samples import SAMPLES, Sample, write_sarif


def parse(sample: Sample) -> list[ParsedFinding]:
    with sample.file.open("rb") as file:
        return list(parse_report(file, sample.format))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.path)
def test_count_matches_reference_and_readme(sample: Sample) -> None:
    findings = parse(sample)
    assert len(findings) == sample.reference(sample.file) == sample.count
    for finding in findings:
        assert finding.severity in ("critical", "high", "medium", "low", "info")
        assert finding.title
        assert len(finding.fingerprint) == 64


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.path)
def test_detects_every_sample(sample: Sample) -> None:
    with sample.file.open("rb") as file:
        assert detect_format(file) == sample.format
        assert file.tell() == 0
        assert len(list(parse_report(file))) == sample.count  # auto-detected


def test_every_format_has_a_sample() -> None:
    assert {s.format for s in SAMPLES} == set(FORMATS)


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(ImportFormatError, match="Unknown report format: expected one of sarif"):
        detect_format(io.BytesIO(b'{"hello": "world"}'))
    with pytest.raises(ImportFormatError, match="Unknown report format"):
        detect_format(io.BytesIO(b"<html><body>no</body></html>"))
    with pytest.raises(ImportFormatError, match="empty"):
        detect_format(io.BytesIO(b"  \n"))
    with pytest.raises(ImportFormatError, match="Unknown format 'csv'"):
        parse_report(io.BytesIO(b"a,b"), "csv")


# --- severity mapping --------------------------------------------------------------------------------

EXPECTED_SEVERITIES = {
    "nessus/nessus_with_cvssv3.nessus": {"critical": 2, "high": 10, "medium": 13, "low": 1, "info": 23},
    "trivy/legacy_many_vulns.json": {"high": 18, "medium": 9, "low": 65, "info": 1},
    "trivy/misconfigurations_and_secrets.json": {"critical": 2, "high": 2, "medium": 1},
    "semgrep_json/many_vulns.json": {"high": 13, "medium": 35},
    "zap_xml/dvwa_baseline_dojo.xml": {"medium": 4, "low": 8, "info": 7},
    "zap_json/juice-shop.json": {"medium": 1, "low": 4, "info": 2},
    "nuclei/many_findings.json": {"medium": 1, "low": 1, "info": 16},
    "burp/one_finding.xml": {"high": 3},
    "sarif/bash-report.sarif": {"low": 27},
    "sarif/appendix_k.sarif": {"high": 1},
}


@pytest.mark.parametrize("path", sorted(EXPECTED_SEVERITIES))
def test_severity_counts(path: str) -> None:
    sample = next(s for s in SAMPLES if s.path == path)
    assert Counter(f.severity for f in parse(sample)) == EXPECTED_SEVERITIES[path]


def test_nessus_severity_follows_the_severity_attribute() -> None:
    sample = next(s for s in SAMPLES if s.path == "nessus/nessus_with_cvssv3.nessus")
    from defusedxml import ElementTree

    raw = [item.get("severity") for item in ElementTree.parse(sample.file).getroot().iter("ReportItem")]
    scale = {"4": "critical", "3": "high", "2": "medium", "1": "low", "0": "info"}
    assert [f.severity for f in parse(sample)] == [scale[s] for s in raw]


def _sarif(result: dict[str, object], rules: list[dict[str, object]] | None = None) -> bytes:
    run = {"tool": {"driver": {"name": "T", "rules": rules or []}}, "results": [result]}
    return json.dumps({"version": "2.1.0", "runs": [run]}).encode()


@pytest.mark.parametrize(
    ("result", "rules", "expected"),
    [
        ({"ruleId": "a", "level": "error"}, None, "high"),
        ({"ruleId": "a", "level": "warning"}, None, "medium"),
        ({"ruleId": "a", "level": "note"}, None, "low"),
        ({"ruleId": "a", "level": "none"}, None, "info"),
        ({"ruleId": "a"}, None, "medium"),  # SARIF's default level is warning
        ({"ruleId": "a"}, [{"id": "a", "defaultConfiguration": {"level": "error"}}], "high"),
        (
            {"ruleId": "a", "level": "note"},
            [{"id": "a", "properties": {"security-severity": "9.8"}}],
            "critical",
        ),
        ({"ruleId": "a"}, [{"id": "a", "properties": {"security-severity": "5.0"}}], "medium"),
    ],
)
def test_sarif_severity_mapping(
    result: dict[str, object], rules: list[dict[str, object]] | None, expected: str
) -> None:
    [finding] = parse_sarif(io.BytesIO(_sarif(result, rules)))
    assert finding.severity == expected


def test_fields_are_extracted() -> None:
    semgrep = parse(next(s for s in SAMPLES if s.path == "semgrep_json/one_finding.json"))[0]
    assert semgrep.tool == "Semgrep"
    assert semgrep.cwe == 696
    assert semgrep.location.startswith(
        "src/main/java/org/owasp/benchmark/testcode/BenchmarkTest02194.java:64"
    )
    trivy = parse(next(s for s in SAMPLES if s.path == "trivy/scheme_2_many_vulns.json"))
    assert any(f.cvss_vector.startswith("CVSS:3") for f in trivy)
    assert all("@" in f.location for f in trivy)
    nessus = parse(next(s for s in SAMPLES if s.path == "nessus/nessus_with_cvssv3.nessus"))
    assert any(f.cvss_vector.startswith("CVSS:3.0/") for f in nessus)
    assert all(f.location.startswith("testphp.vulnweb.com") for f in nessus)
    zap = parse(next(s for s in SAMPLES if s.path == "zap_json/juice-shop.json"))
    assert {f.location for f in zap} == {"http://192.168.1.14:3000"}
    assert all(f.cwe for f in zap)


# --- fingerprints ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.path)
def test_fingerprints_are_stable_across_parses(sample: Sample) -> None:
    assert [f.fingerprint for f in parse(sample)] == [f.fingerprint for f in parse(sample)]


@pytest.mark.parametrize(
    "sample", [s for s in SAMPLES if s.path != "sarif/bash-report.sarif"], ids=lambda s: s.path
)
def test_distinct_issues_never_collide(sample: Sample) -> None:
    findings = parse(sample)
    assert len({f.fingerprint for f in findings}) == len(findings)


def test_identical_results_share_a_fingerprint_and_distinct_ones_do_not() -> None:
    """bash-report.sarif repeats byte-identical results: those are the same issue, the rest differ."""
    sample = next(s for s in SAMPLES if s.path == "sarif/bash-report.sarif")
    raw = json.loads(sample.file.read_bytes())["runs"][0]["results"]
    distinct = {json.dumps(r, sort_keys=True) for r in raw}
    assert len(distinct) < len(raw)
    assert len({f.fingerprint for f in parse(sample)}) == len(distinct)


def test_volatile_fields_do_not_change_the_fingerprint() -> None:
    sample = next(s for s in SAMPLES if s.path == "nuclei/many_findings.json")
    lines = sample.file.read_text().splitlines()
    changed = []
    for line in lines:
        item = json.loads(line)
        item["timestamp"] = "2030-01-01T00:00:00Z"
        item["ip"] = "10.9.9.9"
        changed.append(json.dumps(item))
    again = list(parse_report(io.BytesIO("\n".join(changed).encode()), "nuclei-jsonl"))
    assert [f.fingerprint for f in again] == [f.fingerprint for f in parse(sample)]

    data = json.loads(next(s for s in SAMPLES if s.path == "sarif/appendix_k.sarif").file.read_bytes())
    first = list(parse_sarif(io.BytesIO(json.dumps(data).encode())))
    for run in data["runs"]:
        run["automationDetails"] = {
            "id": "nightly/2030-01-01",
            "guid": "00000000-0000-0000-0000-000000000001",
        }
        run["invocations"] = [{"executionSuccessful": True, "startTimeUtc": "2030-01-01T00:00:00Z"}]
    second = list(parse_sarif(io.BytesIO(json.dumps(data).encode())))
    assert [f.fingerprint for f in first] == [f.fingerprint for f in second]


def test_fingerprint_changes_with_location() -> None:
    base = {"ruleId": "a", "level": "error", "message": {"text": "m"}}
    one = dict(
        base,
        locations=[{"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 1}}}],
    )
    two = dict(
        base,
        locations=[{"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 2}}}],
    )
    [f1] = parse_sarif(io.BytesIO(_sarif(one)))
    [f2] = parse_sarif(io.BytesIO(_sarif(two)))
    assert f1.fingerprint != f2.fingerprint


# --- malformed and hostile files ---------------------------------------------------------------------


def test_truncated_sarif_names_the_byte_and_path() -> None:
    data = next(s for s in SAMPLES if s.path == "sarif/bash-report.sarif").file.read_bytes()[:20000]
    with pytest.raises(
        ImportFormatError, match=r"^SARIF: invalid JSON near byte \d+ \(after JSON path 'runs\.item"
    ):
        list(parse_sarif(io.BytesIO(data)))


def test_garbage_inside_json_names_where() -> None:
    with pytest.raises(
        ImportFormatError, match=r"Semgrep: invalid JSON near byte \d+ \(after JSON path 'results"
    ):
        list(parse_report(io.BytesIO(b'{"results": [{"check_id": "x", }]}'), "semgrep"))


def test_wrong_top_level_value() -> None:
    with pytest.raises(ImportFormatError, match="SARIF: the top-level JSON value must be an object"):
        list(parse_sarif(io.BytesIO(b"[1, 2]")))
    with pytest.raises(ImportFormatError, match="no 'runs'"):
        list(parse_sarif(io.BytesIO(b'{"version": "2.1.0"}')))


def test_bad_jsonl_line_is_named() -> None:
    data = b'{"template-id": "a", "info": {"severity": "low"}}\n{"template-id": broken\n'
    with pytest.raises(ImportFormatError, match="Nuclei JSONL: invalid JSON on line 2"):
        list(parse_report(io.BytesIO(data), "nuclei-jsonl"))


def test_broken_xml_names_line_column_and_element() -> None:
    data = next(s for s in SAMPLES if s.path == "zap_xml/juicy2.xml").file.read_bytes()
    broken = data.replace(b"</alertitem>", b"</alertitm>", 2)
    with pytest.raises(
        ImportFormatError, match=r"ZAP XML: invalid XML at line \d+, column \d+ \(inside <OWASPZAPReport/site"
    ):
        list(parse_report(io.BytesIO(broken), "zap-xml"))
    with pytest.raises(ImportFormatError, match=r"Nessus: invalid XML at line 3"):
        list(parse_report(io.BytesIO(b"<NessusClientData_v2>\n<Report>\n<ReportHost name='a'<"), "nessus"))


def test_wrong_xml_root_is_refused() -> None:
    with pytest.raises(
        ImportFormatError, match=r"Burp XML: the root element is <OWASPZAPReport>, expected <issues>"
    ):
        list(parse_report(io.BytesIO(b"<OWASPZAPReport><site/></OWASPZAPReport>"), "burp-xml"))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE issues [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<issues><issue><name>&lol3;</name><severity>High</severity></issue></issues>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE OWASPZAPReport [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<OWASPZAPReport><site name="x"><alerts><alertitem><alert>&xxe;</alert><riskcode>3</riskcode></alertitem></alerts></site></OWASPZAPReport>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE NessusClientData_v2 SYSTEM "http://attacker.invalid/evil.dtd">
<NessusClientData_v2><Report><ReportHost name="h"><ReportItem pluginID="1" severity="4"/></ReportHost></Report></NessusClientData_v2>
"""


@pytest.mark.parametrize(
    ("data", "fmt"), [(BILLION_LAUGHS, "burp-xml"), (EXTERNAL_ENTITY, "zap-xml"), (EXTERNAL_DTD, "nessus")]
)
def test_unsafe_xml_is_refused(data: bytes, fmt: str) -> None:
    assert detect_format(io.BytesIO(data)) == fmt
    with pytest.raises(ImportFormatError, match="refused unsafe XML"):
        list(parse_report(io.BytesIO(data), fmt))


def test_size_limit(settings: object) -> None:
    sample = next(s for s in SAMPLES if s.path == "sarif/bash-report.sarif")
    with sample.file.open("rb") as file, pytest.raises(ImportFormatError, match="limit is 1000 bytes"):
        list(parse_sarif(file, max_bytes=1000))
    settings.TRUSTROOM_IMPORT_MAX_MB = 0.01  # type: ignore[attr-defined]
    with sample.file.open("rb") as file, pytest.raises(ImportFormatError, match="TRUSTROOM_IMPORT_MAX_MB"):
        list(parse_sarif(file))
    # a stream whose size is unknown up front is stopped while reading
    with pytest.raises(ImportFormatError, match="larger than the limit of 10240 bytes"):
        list(parse_sarif(_Unsized(sample.file.read_bytes()), max_bytes=10240))


class _Unsized(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


# --- progress and streaming --------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.path)
def test_progress_reaches_the_total(sample: Sample) -> None:
    calls: list[tuple[int, int]] = []
    with sample.file.open("rb") as file:
        list(parse_report(file, sample.format, progress=lambda done, total: calls.append((done, total))))
    size = sample.file.stat().st_size
    assert calls
    assert calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_large_sarif_streams_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.sarif"
    size = write_sarif(path, 100_000)
    assert size > 25_000_000
    tracemalloc.start()
    try:
        count = 0
        fingerprints: set[str] = set()
        with path.open("rb") as file:
            for finding in parse_sarif(file):
                count += 1
                if count % 1000 == 0:
                    fingerprints.add(finding.fingerprint)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert len(fingerprints) == 100
    assert peak < size / 20, f"peak {peak} bytes for a {size}-byte file"


def test_large_nessus_streams_in_flat_memory(tmp_path: Path) -> None:
    """XML items are detached once handled: memory does not grow with the number of ReportItems."""
    path = tmp_path / "large.nessus"
    with path.open("w") as out:
        out.write(
            '<?xml version="1.0" ?>\n<NessusClientData_v2><Report name="r"><ReportHost name="10.0.0.1">'
        )
        for i in range(30_000):
            out.write(
                f'<ReportItem port="{i % 1000}" svc_name="www" protocol="tcp" severity="{i % 5}" '
                f'pluginID="{i}" pluginName="Plugin {i}"><description>{"d" * 400}</description>'
                f"<plugin_output>output {i}</plugin_output></ReportItem>\n"
            )
        out.write("</ReportHost></Report></NessusClientData_v2>\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with path.open("rb") as file:
            count = sum(1 for _ in parse_report(file))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000
    assert peak < size / 10, f"peak {peak} bytes for a {size}-byte file"
