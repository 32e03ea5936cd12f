"""Read the RDS clusters and instances and the S3 buckets of an AWS account with boto3 (read-only calls).

Credentials and endpoint come from the settings (`TRUSTROOM_AWS_*` environment variables) or, when those
are empty, from boto3's usual chain (instance role, environment, profile). Nothing is stored.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from django.conf import settings

from trustroom.controls.checks.regions import region_from_arn

CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"})


def _client(service: str, region: str) -> Any:
    options: dict[str, Any] = {"region_name": region, "config": CLIENT_CONFIG}
    if settings.TRUSTROOM_AWS_ENDPOINT_URL:
        options["endpoint_url"] = settings.TRUSTROOM_AWS_ENDPOINT_URL
    if settings.TRUSTROOM_AWS_ACCESS_KEY_ID:
        options["aws_access_key_id"] = settings.TRUSTROOM_AWS_ACCESS_KEY_ID
        options["aws_secret_access_key"] = settings.TRUSTROOM_AWS_SECRET_ACCESS_KEY
    return boto3.session.Session().client(service, **options)


def rds_resources(region: str) -> list[dict[str, str]]:
    client = _client("rds", region)
    found: list[dict[str, str]] = []
    for page in client.get_paginator("describe_db_clusters").paginate():
        for cluster in page.get("DBClusters", []):
            arn = cluster.get("DBClusterArn", "")
            found.append(
                {
                    "type": "rds_cluster",
                    "id": arn or cluster["DBClusterIdentifier"],
                    "name": cluster["DBClusterIdentifier"],
                    "region": region_from_arn(arn) or region,
                    "arn": arn,
                }
            )
    for page in client.get_paginator("describe_db_instances").paginate():
        for instance in page.get("DBInstances", []):
            arn = instance.get("DBInstanceArn", "")
            found.append(
                {
                    "type": "rds_instance",
                    "id": arn or instance["DBInstanceIdentifier"],
                    "name": instance["DBInstanceIdentifier"],
                    "region": region_from_arn(arn) or region,
                    "arn": arn,
                }
            )
    return found


def s3_resources(home_region: str) -> list[dict[str, str]]:
    """Every bucket of the account (the list is global) with the region it lives in."""
    client = _client("s3", home_region)
    found = []
    for bucket in client.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        location = client.get_bucket_location(Bucket=name).get("LocationConstraint")
        # S3 reports us-east-1 as no constraint and the oldest EU buckets as "EU".
        region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, location)
        found.append(
            {"type": "s3_bucket", "id": name, "name": name, "region": region, "arn": f"arn:aws:s3:::{name}"}
        )
    return found


def scan(regions: list[str]) -> list[dict[str, str]]:
    resources: list[dict[str, str]] = []
    for region in regions:
        resources.extend(rds_resources(region))
    resources.extend(s3_resources(regions[0]))
    return resources
