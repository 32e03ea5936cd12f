"""AWS region names, as botocore knows them (no network): the check validates against these."""

from __future__ import annotations

import re
from functools import cache

import boto3

REGION_SHAPE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


@cache
def known_regions() -> frozenset[str]:
    session = boto3.session.Session()
    names: set[str] = set()
    for partition in session.get_available_partitions():
        for service in ("rds", "s3", "ec2"):
            names.update(session.get_available_regions(service, partition_name=partition))
    return frozenset(names)


def region_error(value: object) -> str | None:
    if not isinstance(value, str) or not REGION_SHAPE.match(value):
        return f"{value!r} is not an AWS region name (e.g. ap-south-1)."
    if value not in known_regions():
        return f"{value!r} is not a known AWS region."
    return None


def region_from_arn(arn: object) -> str:
    """arn:aws:rds:ap-south-1:123456789012:cluster:name -> ap-south-1 ("" when absent, as for S3)."""
    if not isinstance(arn, str):
        return ""
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" else ""
