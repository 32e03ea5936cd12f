"""AWS Security Hub findings in the AWS Security Finding Format (ASFF).

Accepted: `{"findings": [...]}` or `{"Findings": [...]}` (BatchImportFindings / GetFindings), the
EventBridge event `{"detail-type": "Security Hub Findings - ...", "detail": {"findings": [...]}}`, or
a single finding. Severity is `Severity.Label` (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL), or, when
only the older `Severity.Normalized` (0-100) is given, the same bands Security Hub uses to derive the
label (0 informational, 1-39 low, 40-69 medium, 70-89 high, 90-100 critical).
The dedup key is the finding's ProductArn with its Id: Security Hub identifies a finding by both.
"""

from __future__ import annotations

from typing import Any

from trustroom.monitoring.parsers.common import (
    NormalizedAlert,
    ParseError,
    aws_tags,
    bounded_raw,
    dedup_key,
    dig,
    require,
    text,
    timestamp,
)

KIND = "asff"
_LABELS = {"INFORMATIONAL": "info", "LOW": "low", "MEDIUM": "medium", "HIGH": "high", "CRITICAL": "critical"}


def _severity(finding: dict[str, Any], where: str) -> str:
    label = dig(finding, "Severity", "Label")
    if label is not None:
        mapped = _LABELS.get(str(label).upper())
        if mapped is None:
            raise ParseError(f"{where}Severity.Label: {label!r} is not one of {', '.join(_LABELS)}")
        return mapped
    normalized = dig(finding, "Severity", "Normalized")
    if isinstance(normalized, bool) or not isinstance(normalized, int | float) or not 0 <= normalized <= 100:
        raise ParseError(f"missing fields: {where}Severity.Label (or Severity.Normalized 0-100)")
    if normalized >= 90:
        return "critical"
    if normalized >= 70:
        return "high"
    if normalized >= 40:
        return "medium"
    return "low" if normalized >= 1 else "info"


def _findings(document: Any) -> list[tuple[Any, str]]:
    if isinstance(document, dict):
        for key in ("findings", "Findings"):
            if key in document:
                items = document[key]
                if not isinstance(items, list):
                    raise ParseError(f"{key}: expected a list of findings")
                return [(item, f"{key}[{i}].") for i, item in enumerate(items)]
        if isinstance(document.get("detail"), dict):
            items = document["detail"].get("findings")
            if not isinstance(items, list):
                raise ParseError("missing fields: detail.findings")
            return [(item, f"detail.findings[{i}].") for i, item in enumerate(items)]
        return [(document, "")]
    if isinstance(document, list):
        return [(item, f"[{i}].") for i, item in enumerate(document)]
    raise ParseError("expected a JSON object with ASFF findings")


def parse_asff(document: Any) -> list[NormalizedAlert]:
    alerts = []
    for finding, where in _findings(document):
        if not isinstance(finding, dict):
            raise ParseError(f"{where.rstrip('.')}: expected a JSON object (a finding)")
        types = finding.get("Types")
        first_type = types[0] if isinstance(types, list) and types else None
        require(
            finding,
            [
                (f"{where}Id", finding.get("Id")),
                (f"{where}ProductArn", finding.get("ProductArn")),
                (f"{where}Types", first_type),
                (f"{where}Title", finding.get("Title")),
                (f"{where}AwsAccountId", finding.get("AwsAccountId")),
                (f"{where}Resources", dig(finding, "Resources", 0)),
                (f"{where}CreatedAt", finding.get("CreatedAt")),
            ],
        )
        created = timestamp(finding["CreatedAt"], f"{where}CreatedAt", assume_utc=False)
        first = finding.get("FirstObservedAt")
        last = finding.get("LastObservedAt") or finding.get("UpdatedAt")
        first_seen = timestamp(first, f"{where}FirstObservedAt", assume_utc=False) if first else created
        last_seen = timestamp(last, f"{where}LastObservedAt", assume_utc=False) if last else first_seen
        resource = finding["Resources"][0]
        raw, truncated = bounded_raw(finding)
        alerts.append(
            NormalizedAlert(
                source=KIND,
                type=text(first_type, 200),
                severity=_severity(finding, where),
                title=text(finding["Title"], 500),
                resource_type=text(dig(resource, "Type"), 100),
                resource_id=text(dig(resource, "Id"), 300),
                account=text(finding["AwsAccountId"], 100),
                region=text(finding.get("Region") or dig(resource, "Region"), 50),
                first_seen=first_seen,
                last_seen=max(first_seen, last_seen),
                dedup_key=dedup_key(KIND, text(finding["ProductArn"], 500), text(finding["Id"], 500)),
                raw=raw,
                raw_truncated=truncated,
                resource_tags=aws_tags(dig(resource, "Tags")),
            )
        )
    return alerts
