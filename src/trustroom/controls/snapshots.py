"""Imported inventories: an AWS Config snapshot (or a rule event, or SelectResourceConfig results) or the
output of RDS DescribeDBClusters / DescribeDBInstances, reduced to the resources the residency check reads.

Accepted top-level shapes (each may come wrapped as {"data": …}, as recorded API responses are):
- {"configurationItems": [item, …]}              (a Config snapshot file as delivered to S3)
- {"configurationItem": item} / {"invokingEvent": "…"}   (a Config rule event)
- {"Results": ["<item as JSON>", …]}             (SelectResourceConfig)
- {"DBClusters": […]} / {"DBInstances": […]}     (RDS describe output)
Anything else is refused with the JSON path of the first problem; nothing is stored then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from trustroom.controls.checks.regions import region_from_arn

CONFIG_TYPES = {
    "AWS::RDS::DBCluster": "rds_cluster",
    "AWS::RDS::DBInstance": "rds_instance",
    "AWS::S3::Bucket": "s3_bucket",
}
MAX_ITEMS = 20_000


class SnapshotError(ValueError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class ParsedSnapshot:
    resources: list[dict[str, str]]
    skipped_items: int


def _text(item: dict[str, Any], path: str, *names: str, required: bool = True) -> str:
    for name in names:
        value = item.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise SnapshotError(f"{path}.{name}", "must be text")
            return value
    if required:
        raise SnapshotError(f"{path}.{names[0]}", "missing")
    return ""


def _config_item(item: Any, path: str) -> dict[str, str] | None:
    if not isinstance(item, dict):
        raise SnapshotError(path, "must be an object (a configuration item)")
    kind = CONFIG_TYPES.get(_text(item, path, "resourceType"))
    if kind is None:
        return None
    arn = _text(item, path, "arn", "ARN", required=False)
    region = _text(item, path, "awsRegion", required=False) or region_from_arn(arn)
    if not region:
        raise SnapshotError(f"{path}.awsRegion", "missing (and no ARN with a region)")
    resource_id = _text(item, path, "resourceId", required=False) or arn
    name = _text(item, path, "resourceName", required=False) or resource_id
    if not resource_id:
        raise SnapshotError(f"{path}.resourceId", "missing")
    return {"type": kind, "id": resource_id, "name": name, "region": region, "arn": arn}


def _rds_item(item: Any, path: str, kind: str) -> dict[str, str]:
    if not isinstance(item, dict):
        raise SnapshotError(path, "must be an object")
    if kind == "rds_cluster":
        name = _text(item, path, "DBClusterIdentifier")
        arn = _text(item, path, "DBClusterArn")
    else:
        name = _text(item, path, "DBInstanceIdentifier")
        arn = _text(item, path, "DBInstanceArn")
    region = region_from_arn(arn)
    if not region:
        raise SnapshotError(
            f"{path}.{'DBClusterArn' if kind == 'rds_cluster' else 'DBInstanceArn'}", "no region in the ARN"
        )
    return {"type": kind, "id": arn, "name": name, "region": region, "arn": arn}


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise SnapshotError(path, "must be a list")
    if len(value) > MAX_ITEMS:
        raise SnapshotError(path, f"more than {MAX_ITEMS} items")
    return value


def _items(document: Any, path: str = "$") -> tuple[list[dict[str, str]], int]:
    if not isinstance(document, dict):
        raise SnapshotError(path, "must be a JSON object")
    if "data" in document and isinstance(document["data"], dict) and len(document) <= 3:
        return _items(document["data"], f"{path}.data")
    found: list[dict[str, str] | None] = []
    if "configurationItems" in document:
        items = _list(document["configurationItems"], f"{path}.configurationItems")
        found = [_config_item(item, f"{path}.configurationItems[{i}]") for i, item in enumerate(items)]
    elif "configurationItem" in document:
        found = [_config_item(document["configurationItem"], f"{path}.configurationItem")]
    elif "invokingEvent" in document:
        event = document["invokingEvent"]
        if isinstance(event, str):
            try:
                event = json.loads(event)
            except ValueError:
                raise SnapshotError(f"{path}.invokingEvent", "not JSON") from None
        if not isinstance(event, dict) or "configurationItem" not in event:
            raise SnapshotError(f"{path}.invokingEvent.configurationItem", "missing")
        found = [_config_item(event["configurationItem"], f"{path}.invokingEvent.configurationItem")]
    elif "Results" in document:
        for i, text in enumerate(_list(document["Results"], f"{path}.Results")):
            item_path = f"{path}.Results[{i}]"
            if not isinstance(text, str):
                raise SnapshotError(item_path, "must be a configuration item as JSON text")
            try:
                item = json.loads(text)
            except ValueError:
                raise SnapshotError(item_path, "not JSON") from None
            found.append(_config_item(item, item_path))
    elif "DBClusters" in document or "DBInstances" in document:
        for key, kind in (("DBClusters", "rds_cluster"), ("DBInstances", "rds_instance")):
            if key in document:
                items = _list(document[key], f"{path}.{key}")
                found.extend(_rds_item(item, f"{path}.{key}[{i}]", kind) for i, item in enumerate(items))
    else:
        raise SnapshotError(
            path,
            "not an AWS Config snapshot: expected configurationItems, configurationItem, invokingEvent, "
            "Results, DBClusters or DBInstances",
        )
    resources = [resource for resource in found if resource is not None]
    return resources, len(found) - len(resources)


def parse_snapshot(raw: bytes) -> ParsedSnapshot:
    """The resources of an uploaded inventory.

    Refused with ValidationError({"snapshot": "<JSON path>: <reason>"}), e.g. "$.configurationItems[2]
    .awsRegion: missing".
    """
    limit = settings.TRUSTROOM_CONTROLS_SNAPSHOT_MAX_BYTES
    if len(raw) > limit:
        raise ValidationError({"snapshot": f"$: the file is larger than {limit // 1024} KiB"})
    try:
        document = json.loads(raw)
    except RecursionError:
        raise ValidationError({"snapshot": "$: nested too deeply"}) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"snapshot": f"$: not JSON ({error})"}) from None
    try:
        resources, skipped = _items(document)
    except SnapshotError as error:
        raise ValidationError({"snapshot": str(error)}) from None
    except RecursionError:
        raise ValidationError({"snapshot": "$: nested too deeply"}) from None
    if not resources and not skipped:
        raise ValidationError({"snapshot": "$: the inventory lists no resources"})
    return ParsedSnapshot(resources=resources, skipped_items=skipped)
