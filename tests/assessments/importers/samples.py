"""The scanner samples in tests/fixtures/scanners, with simple non-streaming reference counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "scanners"


def _json(path: Path) -> object:
    return json.loads(path.read_bytes())


def count_sarif(path: Path) -> int:
    data = _json(path)
    assert isinstance(data, dict)
    return sum(len(run.get("results") or []) for run in data["runs"])


def count_zap_json(path: Path) -> int:
    data = _json(path)
    assert isinstance(data, dict)
    return sum(len(site.get("alerts") or []) for site in data["site"])


def count_trivy(path: Path) -> int:
    data = _json(path)
    results = data["Results"] if isinstance(data, dict) else data
    return sum(
        len(r.get("Vulnerabilities") or [])
        + len(r.get("Misconfigurations") or [])
        + len(r.get("Secrets") or [])
        for r in results
    )


def count_semgrep(path: Path) -> int:
    data = _json(path)
    assert isinstance(data, dict)
    return len(data["results"])


def count_json_array(path: Path) -> int:
    data = _json(path)
    assert isinstance(data, list)
    return len(data)


def count_jsonl(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())


def count_xml(tag: str) -> Callable[[Path], int]:
    def count(path: Path) -> int:
        return len(ElementTree.parse(path).getroot().findall(f".//{tag}"))

    return count


@dataclass(frozen=True)
class Sample:
    path: str
    format: str
    count: int  # from /work/shared/data/README.md
    reference: Callable[[Path], int]

    @property
    def file(self) -> Path:
        return FIXTURES / self.path


SAMPLES = [
    Sample("sarif/semgrepowasp-benchmark-sample.sarif", "sarif", 1768, count_sarif),
    Sample("sarif/bash-report.sarif", "sarif", 27, count_sarif),
    Sample("sarif/appendix_k.sarif", "sarif", 1, count_sarif),
    Sample("zap_xml/zap_2.16.1_with_req_resp.xml", "zap-xml", 4, count_xml("alertitem")),
    Sample("zap_xml/juicy2.xml", "zap-xml", 6, count_xml("alertitem")),
    Sample("zap_xml/dvwa_baseline_dojo.xml", "zap-xml", 19, count_xml("alertitem")),
    Sample("zap_json/juice-shop.json", "zap-json", 7, count_zap_json),
    Sample("burp/one_finding.xml", "burp-xml", 3, count_xml("issue")),
    Sample("nessus/nessus_with_cvssv3.nessus", "nessus", 49, count_xml("ReportItem")),
    Sample("nessus/nessus_many_vuln.xml", "nessus", 7, count_xml("ReportItem")),
    Sample("trivy/scheme_2_many_vulns.json", "trivy", 5, count_trivy),
    Sample("trivy/misconfigurations_and_secrets.json", "trivy", 5, count_trivy),
    Sample("trivy/legacy_many_vulns.json", "trivy", 93, count_trivy),
    Sample("nuclei/many_findings.json", "nuclei-jsonl", 18, count_jsonl),
    Sample("nuclei/multiple_v3.json", "nuclei-json", 6, count_json_array),
    Sample("semgrep_json/many_vulns.json", "semgrep", 48, count_semgrep),
    Sample("semgrep_json/one_finding.json", "semgrep", 1, count_semgrep),
]


def write_sarif(path: Path, results: int) -> int:
    """Write a SARIF 2.1 file with `results` distinct results, one at a time; return its size in bytes."""
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
