"""Each sender's shape -> the normalized alert. Pure functions: no database."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.monitoring.factories import fixture
from trustroom.monitoring.parsers import ParseError, parse
from trustroom.monitoring.parsers.guardduty import severity_label


def as_eventbridge(finding: dict[str, Any]) -> dict[str, Any]:
    """The sample finding wrapped as EventBridge delivers it (the envelope's fields per the EventBridge
    event structure; the finding itself is the sample, unchanged)."""
    return {
        "version": "0",
        "id": "c8c4daa7-a20c-2f03-0070-b7393dd542ad",
        "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty",
        "account": finding["accountId"],
        "time": "2022-01-13T00:05:00Z",
        "region": finding["region"],
        "resources": [],
        "detail": finding,
    }


def pascal(obj: Any) -> Any:
    """The GetFindings (PascalCase) variant of a camelCase finding: every key's first letter upper-cased,
    values unchanged. This is how the API's JSON differs from EventBridge's for the fields we read."""
    if isinstance(obj, dict):
        return {k[:1].upper() + k[1:]: pascal(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [pascal(v) for v in obj]
    return obj


def test_guardduty_ec2_sample() -> None:
    [alert] = parse("guardduty", as_eventbridge(fixture("guardduty_ec2_event.json")))
    assert alert.source == "guardduty"
    assert alert.type == "Canary:EC2/Stateless.IntegTest"
    assert alert.severity == "medium"  # 5
    assert alert.title == "Canary:EC2/Stateless.IntegTest"
    assert (alert.resource_type, alert.resource_id) == ("Instance", "i-05746eb48123455e0")
    assert (alert.account, alert.region) == ("123456789012", "us-east-1")
    assert alert.first_seen == datetime(2017, 10, 31, 23, 16, 23, tzinfo=UTC)
    assert alert.last_seen == alert.first_seen
    assert alert.dedup_key == "guardduty:16afba5c5c43e07c9e3e5e2e544e95df"
    assert alert.raw["detail"]["id"] == "16afba5c5c43e07c9e3e5e2e544e95df"


def test_guardduty_iam_sample_bare_finding() -> None:
    [alert] = parse("guardduty", fixture("guardduty_iam_event.json"))
    assert alert.type == "Recon:IAMUser/MaliciousIPCaller.Custom"
    assert alert.severity == "medium"
    assert alert.title.startswith("Reconnaissance API GeneratedFindingAPIName was invoked")
    assert (alert.resource_type, alert.resource_id) == ("AccessKey", "GeneratedFindingAccessKeyId")
    assert (alert.account, alert.region) == ("123456789012", "us-east-1")
    assert alert.first_seen == datetime(2022, 1, 13, 0, 0, 47, tzinfo=UTC)
    assert alert.dedup_key == "guardduty:30bf285e52a1e405084ff6ec28e06e17"


def test_guardduty_waf_sample_detail_with_region_only() -> None:
    [alert] = parse("guardduty", fixture("gd2acl_test_event.json"))
    assert alert.type == "UnauthorizedAccess:EC2/SSHBruteForce"
    assert alert.severity == "low"  # 2
    assert alert.title == "198.51.100.0 is performing SSH brute force attacks against i-99999999."
    assert (alert.resource_type, alert.resource_id) == ("Instance", "i-99999999")
    assert (alert.account, alert.region) == ("", "us-east-1")  # the sample carries no account
    assert alert.first_seen == datetime(2018, 5, 11, 14, 56, 39, 976000, tzinfo=UTC)
    assert alert.dedup_key == "guardduty:02be5693b63eea1d67e6f321c6aee4f3"


@pytest.mark.parametrize("wrap", [lambda f: {"Findings": [f]}, lambda f: f], ids=["Findings", "single"])
def test_guardduty_getfindings_pascalcase_gives_the_same_alert(wrap: Any) -> None:
    camel = fixture("guardduty_iam_event.json")
    [expected] = parse("guardduty", camel)
    [alert] = parse("guardduty", wrap(pascal(camel)))
    assert alert == expected  # every normalized field equal (raw is not compared)
    assert "Id" in alert.raw


def test_guardduty_severity_bands() -> None:
    assert [severity_label(s) for s in (1, 3.9, 4, 6.9, 7, 8.9, 9, 10)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
        "critical",
    ]
    with pytest.raises(ParseError, match="outside 0-10"):
        severity_label(11)
    with pytest.raises(ParseError, match="not a number"):
        severity_label("bad")


def test_guardduty_missing_fields_are_named() -> None:
    finding = fixture("guardduty_ec2_event.json")
    del finding["id"], finding["severity"]
    with pytest.raises(ParseError, match=r"missing fields: detail\.id, detail\.severity"):
        parse("guardduty", as_eventbridge(finding))
    with pytest.raises(ParseError, match="expected 'GuardDuty Finding'"):
        parse("guardduty", {**as_eventbridge(fixture("guardduty_ec2_event.json")), "detail-type": "Other"})


def test_asff_sample() -> None:
    [alert] = parse("asff", fixture("asff_finding.json"))
    assert alert.source == "asff"
    assert alert.type.startswith("Software and Configuration Checks/")
    assert alert.severity == "high"
    assert alert.title == "S3.8 S3 general purpose buckets should block public access"
    assert (alert.resource_type, alert.resource_id) == (
        "AwsS3Bucket",
        "arn:aws:s3:::example-customer-exports",
    )
    assert (alert.account, alert.region) == ("111122223333", "eu-west-1")
    assert alert.first_seen == datetime(2024, 4, 2, 8, 15, tzinfo=UTC)
    assert alert.last_seen == datetime(2024, 4, 3, 9, 30, 12, tzinfo=UTC)
    assert alert.dedup_key.startswith("asff:")  # ProductArn + Id, hashed when long
    # The same finding through EventBridge (detail.findings) is the same alert.
    event = {"detail-type": "Security Hub Findings - Imported", "detail": fixture("asff_finding.json")}
    assert parse("asff", event) == [alert]


def test_asff_normalized_severity_and_missing_fields() -> None:
    finding = fixture("asff_finding.json")["findings"][0]
    only_normalized = copy.deepcopy(finding)
    only_normalized["Severity"] = {"Normalized": 95}
    assert parse("asff", only_normalized)[0].severity == "critical"
    del finding["ProductArn"], finding["Title"]
    with pytest.raises(ParseError, match=r"missing fields: findings\[0\]\.ProductArn, findings\[0\]\.Title"):
        parse("asff", {"findings": [finding]})


GENERIC = {
    "title": "Root login from unknown country",
    "severity": "critical",
    "type": "auth/root-login",
    "resource": {"type": "aws-account", "id": "111122223333"},
    "account": "111122223333",
    "region": "eu-west-1",
    "occurred_at": "2024-05-01T12:00:00+02:00",
    "details": {"ip": "203.0.113.9"},
}


def test_generic_alert() -> None:
    [alert] = parse("generic", GENERIC)
    assert (alert.type, alert.severity, alert.title) == ("auth/root-login", "critical", GENERIC["title"])
    assert (alert.resource_type, alert.resource_id) == ("aws-account", "111122223333")
    assert alert.first_seen == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert alert.dedup_key.startswith("generic:h:")
    # The key is stable: same type, resource and account -> same key, whatever else changes.
    later = {**GENERIC, "occurred_at": "2024-05-02T00:00:00Z", "title": "again"}
    assert parse("generic", later)[0].dedup_key == alert.dedup_key
    assert parse("generic", {**GENERIC, "dedup_key": "k-1"})[0].dedup_key == "generic:k-1"
    assert len(parse("generic", {"alerts": [GENERIC, later]})) == 2


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "missing fields: title, severity, type, occurred_at"),
        ({**GENERIC, "severity": "urgent"}, "severity: 'urgent' is not one of"),
        ({**GENERIC, "occurred_at": "2024-05-01T12:00:00"}, "has no time zone"),
        ({**GENERIC, "occurred_at": "soon"}, "not an ISO 8601 timestamp"),
        ({"alerts": [GENERIC, {"title": "x"}]}, r"missing fields: alerts\[1\]\.severity"),
        ([1], r"\[0\]: expected a JSON object"),
        ({"alerts": [GENERIC] * 101}, "at most 100 alerts per request"),
    ],
)
def test_generic_bad_input_names_the_field(document: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse("generic", document)


def test_raw_is_size_bounded() -> None:
    [alert] = parse("generic", {**GENERIC, "details": {"blob": "x" * 100_000}})
    assert alert.raw_truncated is True
    assert alert.raw["truncated"] is True and len(alert.raw["excerpt"]) == 64 * 1024


# --- Resource tags (what routing rules match) -------------------------------------------------------


def test_guardduty_instance_tags() -> None:
    [ec2] = parse("guardduty", fixture("guardduty_ec2_event.json"))
    assert ec2.resource_tags == {"Name": "ssh-22-open"}
    [iam] = parse("guardduty", fixture("guardduty_iam_event.json"))
    assert iam.resource_tags["GeneratedFindingInstaceTag1"] == "GeneratedFindingInstaceValue1"


def test_guardduty_s3_and_eks_tags_pascalcase_too() -> None:
    finding = copy.deepcopy(fixture("guardduty_ec2_event.json"))
    resource = finding.get("detail", finding)["resource"]
    resource.pop("instanceDetails", None)
    resource["resourceType"] = "S3Bucket"
    resource["s3BucketDetails"] = [{"name": "logs", "tags": [{"key": "env", "value": "prod"}]}]
    [alert] = parse("guardduty", finding)
    assert (alert.resource_id, alert.resource_tags) == ("logs", {"env": "prod"})
    api_shape = {
        "Findings": [
            {
                "Id": "f1",
                "Type": "Policy:Kubernetes/AnonymousAccessGranted",
                "Severity": 8,
                "CreatedAt": "2024-05-01T12:00:00Z",
                "Resource": {
                    "ResourceType": "EKSCluster",
                    "EksClusterDetails": {"Name": "main", "Tags": [{"Key": "team", "Value": "platform"}]},
                },
            }
        ]
    }
    [eks] = parse("guardduty", api_shape)
    assert (eks.resource_id, eks.resource_tags) == ("main", {"team": "platform"})


def test_asff_resource_tags() -> None:
    document = copy.deepcopy(fixture("asff_finding.json"))
    document["findings"][0]["Resources"][0]["Tags"] = {"env": "prod", "cost-center": "42"}
    alert = parse("asff", document)[0]
    assert alert.resource_tags == {"env": "prod", "cost-center": "42"}
    assert parse("asff", fixture("asff_finding.json"))[0].resource_tags == {}


def test_generic_tags_are_validated() -> None:
    base = {"title": "t", "severity": "low", "type": "x", "occurred_at": "2024-05-01T12:00:00Z"}
    assert parse("generic", {**base, "tags": {"env": "prod"}})[0].resource_tags == {"env": "prod"}
    assert parse("generic", base)[0].resource_tags == {}
    for tags, message in [
        (["env=prod"], "tags: give an object"),
        ({"env": 1}, "tags.env: tag values must be strings"),
        ({"": "x"}, "tag keys must be 1-128"),
        ({"k" * 129: "x"}, "tag keys must be 1-128"),
        ({"env": "v" * 257}, "at most 256"),
        ({f"k{i}": "v" for i in range(51)}, "at most 50 tags"),
    ]:
        with pytest.raises(ParseError, match=message):
            parse("generic", {**base, "tags": tags})
