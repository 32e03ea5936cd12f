"""AWS GuardDuty findings, in the three shapes senders deliver them:

- as EventBridge delivers them: `{"detail-type": "GuardDuty Finding", "account", "region", "detail": {...}}`
  with the finding in `detail`, keys in camelCase (also accepted: `{"detail": {...}}` alone);
- a bare camelCase finding (the `detail` object itself: `schemaVersion`, `id`, `type`, `severity`, ...);
- as the GetFindings API returns them: PascalCase keys, `{"Findings": [...]}` or a single finding.

Severity: GuardDuty scores findings from 1.0 to 10.0; its levels are Low (1.0-3.9), Medium (4.0-6.9),
High (7.0-8.9) and Critical (9.0-10.0). Below 1.0 (not issued by GuardDuty) counts as Low.
"""

from __future__ import annotations

from typing import Any

from trustroom.monitoring.parsers.common import (
    NormalizedAlert,
    ParseError,
    aws_tags,
    bounded_raw,
    camel_keys,
    dedup_key,
    dig,
    require,
    text,
    timestamp,
)

KIND = "guardduty"

# resourceType -> where its identifier lives in the finding's `resource` (camelCase).
_RESOURCE_IDS: dict[str, tuple[str | int, ...]] = {
    "Instance": ("instanceDetails", "instanceId"),
    "AccessKey": ("accessKeyDetails", "accessKeyId"),
    "S3Bucket": ("s3BucketDetails", 0, "name"),
    "EKSCluster": ("eksClusterDetails", "name"),
    "KubernetesCluster": ("eksClusterDetails", "name"),
    "ECSCluster": ("ecsClusterDetails", "name"),
    "Container": ("containerDetails", "id"),
    "RDSDBInstance": ("rdsDbInstanceDetails", "dbInstanceIdentifier"),
    "Lambda": ("lambdaDetails", "functionName"),
}

# Where GuardDuty puts the tags of the affected resource (camelCase), first found wins.
_TAG_PATHS: tuple[tuple[str | int, ...], ...] = (
    ("instanceDetails", "tags"),
    ("s3BucketDetails", 0, "tags"),
    ("eksClusterDetails", "tags"),
    ("ecsClusterDetails", "tags"),
    ("rdsDbInstanceDetails", "tags"),
    ("lambdaDetails", "tags"),
    ("accessKeyDetails", "tags"),
)


def _resource_tags(resource: dict[str, Any]) -> dict[str, str]:
    for path in _TAG_PATHS:
        found = dig(resource, *path)
        if found:
            return aws_tags(found)
    return {}


def severity_label(score: Any, where: str = "severity") -> str:
    if isinstance(score, bool) or not isinstance(score, int | float):
        try:
            score = float(score)
        except (TypeError, ValueError):
            raise ParseError(f"{where}: {score!r} is not a number from 1.0 to 10.0") from None
    if not 0 <= score <= 10:
        raise ParseError(f"{where}: {score!r} is outside 0-10")
    if score >= 9:
        return "critical"
    if score >= 7:
        return "high"
    if score >= 4:
        return "medium"
    return "low"


def _findings(document: Any) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    """(camelCase finding, original finding for `raw`, path prefix for messages) per finding."""
    if isinstance(document, list):
        return [item for i, one in enumerate(document) for item in _findings_at(one, f"[{i}].")]
    return _findings_at(document, "")


def _findings_at(document: Any, where: str) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    if not isinstance(document, dict):
        raise ParseError(f"{where or 'the document'}: expected a JSON object with a GuardDuty finding")
    if "Findings" in document:  # GetFindings answer
        items = document["Findings"]
        if not isinstance(items, list):
            raise ParseError(f"{where}Findings: expected a list of findings")
        return [_one(item, f"{where}Findings[{i}].", event={}) for i, item in enumerate(items)]
    detail = document.get("detail")
    if isinstance(detail, dict):  # EventBridge event (or its `detail` with a region around it)
        detail_type = document.get("detail-type")
        if detail_type is not None and detail_type != "GuardDuty Finding":
            raise ParseError(f"{where}detail-type: expected 'GuardDuty Finding', got {detail_type!r}")
        return [_one(detail, f"{where}detail.", event=document)]
    return [_one(document, where, event={})]


def _one(finding: Any, where: str, *, event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    if not isinstance(finding, dict):
        raise ParseError(f"{where.rstrip('.') or 'the document'}: expected a JSON object (a finding)")
    camel = camel_keys(finding) if "Id" in finding or "Type" in finding else finding
    if event:
        camel = {**camel}
        camel.setdefault("accountId", event.get("account"))
        camel.setdefault("region", event.get("region"))
    return camel, (event or finding), where


def parse_guardduty(document: Any) -> list[NormalizedAlert]:
    alerts = []
    for finding, original, where in _findings(document):
        require(
            finding,
            [
                (f"{where}id", finding.get("id")),
                (f"{where}type", finding.get("type")),
                (f"{where}severity", finding.get("severity")),
            ],
        )
        found = finding.get("resource")
        resource: dict[str, Any] = found if isinstance(found, dict) else {}
        resource_type = text(resource.get("resourceType"), 100)
        path = _RESOURCE_IDS.get(resource_type)
        resource_id = text(dig(resource, *path), 300) if path else ""
        first = dig(finding, "service", "eventFirstSeen") or finding.get("createdAt")
        last = dig(finding, "service", "eventLastSeen") or finding.get("updatedAt") or first
        require(finding, [(f"{where}service.eventFirstSeen or {where}createdAt", first)])
        first_seen = timestamp(first, f"{where}service.eventFirstSeen", assume_utc=True)
        last_seen = max(first_seen, timestamp(last, f"{where}service.eventLastSeen", assume_utc=True))
        raw, truncated = bounded_raw(original)
        finding_type = text(finding["type"], 200)
        alerts.append(
            NormalizedAlert(
                source=KIND,
                type=finding_type,
                severity=severity_label(finding["severity"], f"{where}severity"),
                title=text(finding.get("title"), 500) or finding_type,
                resource_type=resource_type,
                resource_id=resource_id,
                account=text(finding.get("accountId"), 100),
                region=text(finding.get("region"), 50),
                first_seen=first_seen,
                last_seen=last_seen,
                dedup_key=dedup_key(KIND, text(finding["id"], 500)),
                raw=raw,
                raw_truncated=truncated,
                resource_tags=_resource_tags(resource),
            )
        )
    return alerts
