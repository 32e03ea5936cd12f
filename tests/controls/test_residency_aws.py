"""The data residency check against AWS APIs: moto in server mode on loopback, real boto3 calls."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.test import override_settings

from tests.controls.factories import make_control, make_residency_check
from tests.loopback import free_port, moto_server
from trustroom.controls import services

pytestmark = pytest.mark.django_db
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def aws(moto_endpoint: str) -> Iterator[str]:
    # Each test starts from an empty account (moto's own reset endpoint).
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310  (loopback http, our own server)
    with override_settings(
        TRUSTROOM_AWS_ENDPOINT_URL=moto_endpoint,
        TRUSTROOM_AWS_ACCESS_KEY_ID="testing",
        TRUSTROOM_AWS_SECRET_ACCESS_KEY="testing",
    ):
        yield moto_endpoint


def client(endpoint: str, service: str, region: str) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint, **CREDENTIALS)


def make_cluster(endpoint: str, region: str, name: str) -> None:
    client(endpoint, "rds", region).create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="x" * 12,
    )


def make_instance(endpoint: str, region: str, name: str) -> None:
    client(endpoint, "rds", region).create_db_instance(
        DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword="x" * 12,
    )  # fmt: skip


def make_bucket(endpoint: str, region: str, name: str) -> None:
    s3 = client(endpoint, "s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def test_resources_outside_the_allowed_region_fail(actor: Any, aws: str) -> None:
    make_cluster(aws, "ap-south-1", "core-db")
    make_instance(aws, "ap-south-1", "core-db-1")
    make_cluster(aws, "us-east-1", "analytics")
    make_instance(aws, "eu-west-1", "legacy")
    make_bucket(aws, "ap-south-1", "docs-mumbai")
    make_bucket(aws, "us-east-1", "old-logs")
    control = make_control(actor, key="DATA-1", name="Data stays in Mumbai")
    check = make_residency_check(
        actor,
        controls=[control],
        parameters={
            "allowed_regions": ["ap-south-1"],
            "source": "aws_api",
            "regions": ["ap-south-1", "us-east-1", "eu-west-1"],
        },
    )
    run = services.run_check(actor=actor, check=check)
    found = {(r["type"], r["name"], r["region"], r["passed"]) for r in run.resources}
    assert found == {
        ("rds_cluster", "core-db", "ap-south-1", True),
        ("rds_instance", "core-db-1", "ap-south-1", True),
        ("rds_cluster", "analytics", "us-east-1", False),
        ("rds_instance", "legacy", "eu-west-1", False),
        ("s3_bucket", "docs-mumbai", "ap-south-1", True),
        ("s3_bucket", "old-logs", "us-east-1", False),
    }
    assert run.outcome == "fail" and run.summary == "3 of 6 resources lie outside ap-south-1."
    assert run.details["regions_scanned"] == ["ap-south-1", "eu-west-1", "us-east-1"]
    assert run.evidence.get().control == control


def test_everything_in_region_passes(actor: Any, aws: str) -> None:
    make_cluster(aws, "ap-south-1", "core-db")
    make_bucket(aws, "ap-south-1", "docs-mumbai")
    check = make_residency_check(
        actor, parameters={"allowed_regions": ["ap-south-1"], "source": "aws_api"}
    )  # scans the allowed regions by default
    run = services.run_check(actor=actor, check=check)
    assert run.outcome == "pass" and run.summary == "All 2 resources lie in ap-south-1."


def test_an_unreachable_endpoint_is_an_error_run(actor: Any) -> None:
    with override_settings(
        TRUSTROOM_AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        TRUSTROOM_AWS_ACCESS_KEY_ID="testing",
        TRUSTROOM_AWS_SECRET_ACCESS_KEY="testing",
    ):
        check = make_residency_check(
            actor, parameters={"allowed_regions": ["ap-south-1"], "source": "aws_api"}
        )
        run = services.run_check(actor=actor, check=check)
    assert run.outcome == "error" and "Could not read the AWS inventory" in run.summary
    assert "testing" not in run.summary
