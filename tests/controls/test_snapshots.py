"""Imported inventories: the shapes of real AWS Config and RDS samples, and clear refusals with a JSON path."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from tests.controls.factories import FIXTURES
from trustroom.controls.snapshots import parse_snapshot


def refusal(raw: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        parse_snapshot(raw)
    return refused.value.message_dict["snapshot"][0]


def test_config_snapshot_items() -> None:
    parsed = parse_snapshot((FIXTURES / "rds-cluster.configitem.json").read_bytes())
    assert parsed.resources == [
        {
            "type": "rds_cluster",
            "id": "cluster-NCSP75A6Z36KOFQRT4SDHYMS3I",
            "name": "database-1",
            "region": "us-east-1",
            "arn": "arn:aws:rds:us-east-1:644160558196:cluster:database-1",
        }
    ]


def test_config_rule_event() -> None:
    parsed = parse_snapshot((FIXTURES / "rds-from-rule.json").read_bytes())
    assert [(r["type"], r["name"], r["region"]) for r in parsed.resources] == [
        ("rds_instance", "c7n-data-index", "us-east-1")
    ]


def test_rds_describe_output_wrapped_as_recorded() -> None:
    parsed = parse_snapshot(
        (FIXTURES / "rdscluster_pending_maintenance.DescribeDBClusters_1.json").read_bytes()
    )
    assert len(parsed.resources) == 4
    assert {r["region"] for r in parsed.resources} == {"us-west-2"}
    single = parse_snapshot((FIXTURES / "rdscluster_config.DescribeDBClusters_1.json").read_bytes())
    assert [r["name"] for r in single.resources] == ["database-1", "test-rds-cluster-param-group"]


def test_select_results_without_the_needed_fields_are_refused_with_the_path() -> None:
    message = refusal((FIXTURES / "rdscluster_kms_alias.SelectResourceConfig_1.json").read_bytes())
    assert message == "$.data.Results[0].resourceType: missing"


def test_other_resource_types_are_skipped() -> None:
    raw = json.dumps(
        {"configurationItems": [{"resourceType": "AWS::EC2::VPC", "resourceId": "vpc-1", "awsRegion": "x"}]}
    ).encode()
    parsed = parse_snapshot(raw)
    assert parsed.resources == [] and parsed.skipped_items == 1


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b"{not json", "$: not JSON"),
        (b"[]", "$: must be a JSON object"),
        (b'{"items": []}', "$: not an AWS Config snapshot"),
        (b'{"configurationItems": {}}', "$.configurationItems: must be a list"),
        (b'{"configurationItems": [1]}', "$.configurationItems[0]: must be an object"),
        (
            b'{"configurationItems": [{"resourceType": "AWS::S3::Bucket", "resourceId": "b"}]}',
            "$.configurationItems[0].awsRegion: missing",
        ),
        (
            b'{"configurationItems": [{"resourceType": "AWS::S3::Bucket", "resourceId": "b", "awsRegion": 5}]}',
            "$.configurationItems[0].awsRegion: must be text",
        ),
        (
            b'{"DBClusters": [{"DBClusterIdentifier": "a", "DBClusterArn": "x"}]}',
            "$.DBClusters[0].DBClusterArn",
        ),
        (b'{"configurationItems": []}', "$: the inventory lists no resources"),
        (b"[" * 100_000, "$: nested too deeply"),
    ],
)
def test_bad_snapshots_are_refused_with_path_and_reason(document: bytes, expected: str) -> None:
    assert refusal(document).startswith(expected)


@override_settings(TRUSTROOM_CONTROLS_SNAPSHOT_MAX_BYTES=1024)
def test_size_limit() -> None:
    items: list[Any] = [{"resourceType": "AWS::EC2::VPC", "resourceId": "v" * 50, "awsRegion": "x"}] * 30
    assert refusal(json.dumps({"configurationItems": items}).encode()) == "$: the file is larger than 1 KiB"
