"""Streaming parsers for JSON scanner reports: SARIF 2.1, OWASP ZAP JSON, Trivy, Nuclei, Semgrep.

Reports are read event by event with ijson; only one result object is held in memory at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

import ijson

from .base import (
    CountingReader,
    ImportFormatError,
    ParsedFinding,
    Progress,
    make_finding,
    parse_cwe,
    severity_from_score,
    text,
)

Event = tuple[str, str, Any]


def _plain(value: Any) -> Any:
    """ijson yields Decimal for numbers; turn them into int/float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Tracker:
    """Remembers the JSON path of the latest event, to say where a broken file broke."""

    def __init__(self, reader: CountingReader) -> None:
        self.reader = reader
        self.prefix = ""

    def events(self) -> Iterator[Event]:
        try:
            for prefix, event, value in ijson.parse(self.reader, use_float=False):
                self.prefix = prefix
                yield prefix, event, value
        except ImportFormatError:
            raise
        except ijson.JSONError as exc:
            where = f" (after JSON path '{self.prefix}')" if self.prefix else ""
            raise ImportFormatError(
                f"{self.reader.label}: invalid JSON near byte {self.reader.bytes_read}{where}: {exc}"
            ) from exc


def _objects(events: Iterable[Event], targets: set[str]) -> Iterator[tuple[str, Any]]:
    """Yield (prefix, value) for each complete value whose JSON path is in targets."""
    builder: ijson.ObjectBuilder | None = None
    depth = 0
    current = ""
    for prefix, event, value in events:
        if builder is not None:
            builder.event(event, value)
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == 0:
                    yield current, _plain(builder.value)
                    builder = None
            continue
        if prefix not in targets:
            continue
        if event in ("start_map", "start_array"):
            builder = ijson.ObjectBuilder()
            builder.event(event, value)
            depth = 1
            current = prefix
        elif event in ("string", "number", "boolean", "null"):
            yield prefix, _plain(value)


def _check_kind(label: str, events: Iterator[Event], expected: str) -> Iterator[Event]:
    """Refuse a document whose top-level value is not the expected kind (start_map / start_array)."""
    first = next(events, None)
    if first is None:
        raise ImportFormatError(f"{label}: the file is empty.")
    if first[1] != expected:
        kind = "an object" if expected == "start_map" else "an array"
        raise ImportFormatError(f"{label}: the top-level JSON value must be {kind} (at byte 0).")
    yield first
    yield from events


# --- SARIF ------------------------------------------------------------------------------------------

_SARIF_LEVELS = {"error": "high", "warning": "medium", "note": "low", "none": "info"}


def _sarif_rule_info(rule: dict[str, Any]) -> dict[str, Any]:
    props = rule.get("properties") or {}
    cwe = parse_cwe(props.get("cwe")) or parse_cwe(props.get("tags") or [])
    return {
        "name": text(rule.get("shortDescription")) or rule.get("name") or "",
        "description": text(rule.get("fullDescription")) or text(rule.get("help")),
        "level": (rule.get("defaultConfiguration") or {}).get("level"),
        "security_severity": props.get("security-severity"),
        "cwe": cwe,
    }


def _sarif_location(result: dict[str, Any]) -> tuple[str, str]:
    for loc in result.get("locations") or []:
        phys = loc.get("physicalLocation") or {}
        uri = (phys.get("artifactLocation") or {}).get("uri") or ""
        region = phys.get("region") or {}
        line, col = region.get("startLine"), region.get("startColumn")
        where = uri
        if line:
            where += f":{line}"
            if col:
                where += f":{col}"
        snippet = text(region.get("snippet"))
        if where:
            return where, snippet
        for logical in loc.get("logicalLocations") or []:
            name = logical.get("fullyQualifiedName") or logical.get("name")
            if name:
                return str(name), snippet
    return "", ""


def parse_sarif(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="SARIF", progress=progress, max_bytes=max_bytes)
    tracker = _Tracker(reader)
    events = _check_kind("SARIF", tracker.events(), "start_map")
    tool = "sarif"
    rules: dict[str, dict[str, Any]] = {}
    rule_list: list[str] = []
    targets = {"runs.item.tool.driver.name", "runs.item.tool.driver.rules.item", "runs.item.results.item"}
    seen = {"runs": False}

    def watched() -> Iterator[Event]:
        for prefix, event, value in events:
            if prefix == "runs" and event == "start_array":
                seen["runs"] = True
            yield prefix, event, value

    for prefix, value in _objects(watched(), targets):
        if prefix == "runs.item.tool.driver.name":
            tool, rules, rule_list = str(value), {}, []
        elif prefix == "runs.item.tool.driver.rules.item":
            info = _sarif_rule_info(value)
            rule_id = str(value.get("id") or "")
            rules[rule_id] = info
            rule_list.append(rule_id)
        else:
            yield _sarif_finding(value, tool, rules, rule_list)
    if not seen["runs"]:
        raise ImportFormatError("SARIF: the document has no 'runs'.")


def _sarif_finding(
    result: dict[str, Any], tool: str, rules: dict[str, dict[str, Any]], rule_list: list[str]
) -> ParsedFinding:
    rule_id = str(result.get("ruleId") or (result.get("rule") or {}).get("id") or "")
    if not rule_id and isinstance(result.get("ruleIndex"), int) and result["ruleIndex"] < len(rule_list):
        rule_id = rule_list[result["ruleIndex"]]
    rule = rules.get(rule_id, {})
    props = result.get("properties") or {}
    score = props.get("security-severity", rule.get("security_severity"))
    severity = None
    if score not in (None, ""):
        try:
            severity = severity_from_score(float(str(score)))
        except (TypeError, ValueError):
            severity = None
    if severity is None:
        level = result.get("level") or rule.get("level") or "warning"
        severity = _SARIF_LEVELS.get(str(level), "medium")
    message = text(result.get("message"))
    location, snippet = _sarif_location(result)
    return make_finding(
        tool=tool,
        title=rule.get("name") or rule_id or (message.splitlines()[0] if message else ""),
        severity=severity,
        rule_id=rule_id,
        location=location,
        distinguishing=(message,),
        description=message or rule.get("description", ""),
        cwe=parse_cwe(props.get("tags") or []) or rule.get("cwe"),
        evidence=snippet,
    )


# --- OWASP ZAP JSON ---------------------------------------------------------------------------------

ZAP_RISK = {"3": "high", "2": "medium", "1": "low", "0": "info"}


def zap_alert(alert: dict[str, Any], site: str, tool: str) -> ParsedFinding:
    instances = alert.get("instances") or []
    if isinstance(instances, dict):  # XML shape converted: {"instance": [...]}
        instances = instances.get("instance") or []
    first = instances[0] if instances else {}
    evidence = ""
    if first:
        evidence = " ".join(
            part
            for part in (first.get("method"), first.get("uri"), first.get("param"), first.get("evidence"))
            if part
        )
    plugin = str(alert.get("pluginid") or "")
    ref = str(alert.get("alertRef") or plugin)
    return make_finding(
        tool=tool,
        title=str(alert.get("alert") or alert.get("name") or plugin),
        severity=ZAP_RISK.get(str(alert.get("riskcode", "")).strip(), "info"),
        rule_id=plugin,
        location=site,
        # ZAP reports one alert per (plugin, variant, confidence) on a site
        distinguishing=(ref, alert.get("alert") or alert.get("name") or "", alert.get("confidence") or ""),
        description=text(alert.get("desc")),
        cwe=parse_cwe(alert.get("cweid")),
        evidence=evidence,
    )


def parse_zap_json(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="ZAP JSON", progress=progress, max_bytes=max_bytes)
    events = _check_kind("ZAP JSON", _Tracker(reader).events(), "start_map")
    site = ""
    for prefix, value in _objects(events, {"site.item.@name", "site.item.alerts.item"}):
        if prefix == "site.item.@name":
            site = str(value)
        else:
            yield zap_alert(value, site, "OWASP ZAP")


# --- Trivy ------------------------------------------------------------------------------------------

TRIVY_SEVERITY = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "UNKNOWN": "info"}


def _trivy_cvss(vuln: dict[str, Any]) -> str:
    cvss = vuln.get("CVSS") or {}
    source = vuln.get("SeveritySource")
    ordered = ([source] if source in cvss else []) + sorted(cvss)
    for name in ordered:
        vector = (cvss.get(name) or {}).get("V3Vector") or (cvss.get(name) or {}).get("V40Vector")
        if vector:
            return str(vector)
    return ""


def _trivy_result(result: dict[str, Any]) -> Iterator[ParsedFinding]:
    target = str(result.get("Target") or "")
    for vuln in result.get("Vulnerabilities") or []:
        pkg = str(vuln.get("PkgName") or "")
        version = str(vuln.get("InstalledVersion") or "")
        vid = str(vuln.get("VulnerabilityID") or "")
        fixed = vuln.get("FixedVersion")
        yield make_finding(
            tool="Trivy",
            title=str(vuln.get("Title") or f"{vid} in {pkg}"),
            severity=TRIVY_SEVERITY.get(str(vuln.get("Severity") or "").upper(), "info"),
            rule_id=vid,
            location=f"{pkg}@{version}" + (f" ({target})" if target else ""),
            distinguishing=(vuln.get("PkgPath") or "",),
            description=str(vuln.get("Description") or ""),
            cvss_vector=_trivy_cvss(vuln),
            cwe=parse_cwe(vuln.get("CweIDs") or []),
            evidence=f"installed {version}" + (f", fixed in {fixed}" if fixed else ""),
        )
    for mis in result.get("Misconfigurations") or []:
        cause = mis.get("CauseMetadata") or {}
        lines = ""
        if cause.get("StartLine"):
            lines = f":{cause.get('StartLine')}"
        yield make_finding(
            tool="Trivy",
            title=str(mis.get("Title") or mis.get("ID") or ""),
            severity=TRIVY_SEVERITY.get(str(mis.get("Severity") or "").upper(), "info"),
            rule_id=str(mis.get("AVDID") or mis.get("ID") or ""),
            location=f"{target}{lines}",
            distinguishing=(mis.get("Message") or "",),
            description=str(mis.get("Description") or ""),
            evidence=str(mis.get("Message") or ""),
        )
    for secret in result.get("Secrets") or []:
        yield make_finding(
            tool="Trivy",
            title=str(secret.get("Title") or secret.get("RuleID") or ""),
            severity=TRIVY_SEVERITY.get(str(secret.get("Severity") or "").upper(), "info"),
            rule_id=str(secret.get("RuleID") or ""),
            location=f"{target}:{secret.get('StartLine') or ''}".rstrip(":"),
            distinguishing=(secret.get("EndLine") or "",),
            description=str(secret.get("Category") or ""),
            cwe=798,
            evidence=str(secret.get("Match") or "")[:200],
        )


def parse_trivy(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="Trivy", progress=progress, max_bytes=max_bytes)
    events = _Tracker(reader).events()
    first = next(events, None)
    if first is None:
        raise ImportFormatError("Trivy: the file is empty.")
    if first[1] not in ("start_map", "start_array"):
        raise ImportFormatError("Trivy: the top-level JSON value must be an object or an array (at byte 0).")

    def chained() -> Iterator[Event]:
        yield first
        yield from events

    target = "Results.item" if first[1] == "start_map" else "item"  # schema 2, or the legacy list
    for _prefix, result in _objects(chained(), {target}):
        yield from _trivy_result(result)


# --- Nuclei -----------------------------------------------------------------------------------------

NUCLEI_SEVERITY = {"critical": "critical", "high": "high", "medium": "medium", "low": "low", "info": "info"}


def nuclei_finding(item: dict[str, Any]) -> ParsedFinding:
    info = item.get("info") or {}
    classification = info.get("classification") or {}
    template = str(item.get("template-id") or item.get("templateID") or "")
    matched = str(item.get("matched-at") or item.get("matched") or item.get("host") or "")
    matcher = item.get("matcher-name") or item.get("matcher_name") or ""
    extracted = item.get("extracted-results") or item.get("extracted_results") or []
    evidence = ", ".join(str(x) for x in extracted) if isinstance(extracted, list) else str(extracted)
    return make_finding(
        tool="Nuclei",
        title=str(info.get("name") or template),
        severity=NUCLEI_SEVERITY.get(str(info.get("severity") or "").lower(), "info"),
        rule_id=template,
        location=matched,
        distinguishing=(matcher, evidence, item.get("type") or ""),
        description=str(info.get("description") or ""),
        cvss_vector=str(classification.get("cvss-metrics") or ""),
        cwe=parse_cwe(classification.get("cwe-id")),
        evidence=evidence or str(matcher),
    )


def parse_nuclei_json(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="Nuclei JSON", progress=progress, max_bytes=max_bytes)
    events = _check_kind("Nuclei JSON", _Tracker(reader).events(), "start_array")
    for _prefix, item in _objects(events, {"item"}):
        yield nuclei_finding(item)


def parse_nuclei_jsonl(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="Nuclei JSONL", progress=progress, max_bytes=max_bytes)
    for number, raw in enumerate(reader, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise ImportFormatError(f"Nuclei JSONL: invalid JSON on line {number}: {exc}") from exc
        if not isinstance(item, dict):
            raise ImportFormatError(f"Nuclei JSONL: line {number} is not a JSON object.")
        yield nuclei_finding(item)


# --- Semgrep ----------------------------------------------------------------------------------------

SEMGREP_SEVERITY = {
    "ERROR": "high",
    "WARNING": "medium",
    "INFO": "low",
    "CRITICAL": "critical",
    "HIGH": "high",
    "MEDIUM": "medium",
    "LOW": "low",
}


def parse_semgrep(
    file: IO[bytes], *, progress: Progress | None = None, max_bytes: int | None = None
) -> Iterator[ParsedFinding]:
    reader = CountingReader(file, label="Semgrep", progress=progress, max_bytes=max_bytes)
    events = _check_kind("Semgrep", _Tracker(reader).events(), "start_map")
    for _prefix, res in _objects(events, {"results.item"}):
        extra = res.get("extra") or {}
        meta = extra.get("metadata") or {}
        start = res.get("start") or {}
        path = str(res.get("path") or "")
        location = f"{path}:{start.get('line', '')}:{start.get('col', '')}".rstrip(":")
        check = str(res.get("check_id") or "")
        message = str(extra.get("message") or "")
        yield make_finding(
            tool="Semgrep",
            title=check.rsplit(".", 1)[-1] or check,
            severity=SEMGREP_SEVERITY.get(str(extra.get("severity") or "").upper(), "medium"),
            rule_id=check,
            location=location,
            distinguishing=((res.get("end") or {}).get("line"), (res.get("end") or {}).get("col")),
            description=message,
            cwe=parse_cwe(meta.get("cwe")),
            evidence=str(extra.get("lines") or ""),
        )
