"""Demo Co's controls (a demo module). Idempotent: each record is made only when missing.

Four controls mapped to ISO 27001:2022 and SOC 2 requirements, with evidence in each state: a fresh link
(ready), an expired link (stale), none (missing), and a data residency check over a sample inventory
(a Config snapshot built here, no network) allowed only in ap-south-1 (Mumbai), which finds the two
database clusters, one instance and one bucket that lie outside it (failing).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from trustroom.compliance.models import Requirement
from trustroom.controls import services
from trustroom.controls.models import Check, Control
from trustroom.tenancy.models import Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.selectors import members_of

ACCOUNT = "210987654321"
ALLOWED_REGION = "ap-south-1"
CHECK_NAME = "Customer data stays in Mumbai"
# (key, name, description, {framework code: [requirement identifiers]})
CONTROLS: tuple[tuple[str, str, str, dict[str, list[str]]], ...] = (
    ("DATA-1", "Customer data is stored only in ap-south-1",
     "Every database cluster and instance and every bucket that holds customer data lies in Mumbai.",
     {"iso27001-2022": ["A.5.23", "A.8.10"], "soc2-type2": ["CC6.7"]}),
    ("AC-1", "Access is reviewed quarterly",
     "Each quarter the owners of every production system confirm or revoke each person's access.",
     {"iso27001-2022": ["A.5.18", "A.8.2"], "soc2-type2": ["CC6.2", "CC6.3"]}),
    ("DR-1", "Database failover is drilled every two months",
     "The Core API's two-node database cluster is failed over on a schedule and the recovery measured.",
     {"iso27001-2022": ["A.8.14", "A.5.29"], "soc2-type2": ["A1.3", "CC7.5"]}),
    ("VM-1", "Pentest findings are fixed within their SLA",
     "Findings of each engagement are fixed and retested within the hours their severity allows.",
     {"iso27001-2022": ["A.8.8"], "soc2-type2": ["CC7.1"]}),
)  # fmt: skip
# (resource type, name, region): the sample inventory.
INVENTORY = (
    ("AWS::RDS::DBCluster", "core-db", "ap-south-1"),
    ("AWS::RDS::DBCluster", "ledger-db", "ap-south-1"),
    ("AWS::RDS::DBCluster", "analytics-replica", "ap-southeast-1"),
    ("AWS::RDS::DBCluster", "staging-db", "us-east-1"),
    ("AWS::RDS::DBInstance", "core-db-instance-1", "ap-south-1"),
    ("AWS::RDS::DBInstance", "core-db-instance-2", "ap-south-1"),
    ("AWS::RDS::DBInstance", "legacy-reports", "us-east-1"),
    ("AWS::S3::Bucket", "demo-co-documents", "ap-south-1"),
    ("AWS::S3::Bucket", "demo-co-backups", "ap-south-1"),
    ("AWS::S3::Bucket", "demo-co-logs-archive", "eu-west-1"),
    ("AWS::EC2::VPC", "vpc-0demo", "ap-south-1"),
)


def sample_snapshot(captured: dt.datetime) -> dict[str, Any]:
    """An AWS Config snapshot of Demo Co's account, in the delivered file's shape."""
    items = []
    for resource_type, name, region in INVENTORY:
        service, kind = resource_type.split("::")[1:]
        rds_kind = "cluster" if kind == "DBCluster" else "db"
        arn = (
            f"arn:aws:s3:::{name}" if service == "S3" else f"arn:aws:rds:{region}:{ACCOUNT}:{rds_kind}:{name}"
        )
        items.append(
            {
                "configurationItemVersion": "1.3",
                "configurationItemCaptureTime": captured.isoformat(),
                "configurationItemStatus": "OK",
                "awsAccountId": ACCOUNT,
                "resourceType": resource_type,
                "resourceId": name,
                "resourceName": name,
                "ARN": arn,
                "awsRegion": region,
                "availabilityZone": "Multiple Availability Zones",
                "tags": {"owner": "platform"},
                "configuration": {},
            }
        )
    return {"fileVersion": "1.0", "configSnapshotId": "demo-co-snapshot", "configurationItems": items}


def load_demo(principal: Principal) -> None:
    now = timezone.now().astimezone(dt.UTC).replace(second=0, microsecond=0)
    admin = members_of(principal.organization).filter(role=Role.OWNER).select_related("user").first()
    owner = admin.user if admin is not None else None
    controls: dict[str, Control] = {}
    for key, name, description, mapping in CONTROLS:
        control = Control.objects.filter(key=key).first()
        if control is None:
            ids = [
                r.pk
                for code, identifiers in mapping.items()
                for r in Requirement.objects.filter(framework__code=code, identifier__in=identifiers)
            ]
            control = services.create_control(
                actor=principal, key=key, name=name, description=description, owner=owner, requirements=ids
            )
            if key == "AC-1":
                services.add_evidence(
                    actor=principal,
                    control=control,
                    kind="link",
                    url="https://demo-co.example/wiki/access-review-q3",
                    effective_at=now - dt.timedelta(days=20),
                    note="Quarterly access review, signed off by each system owner.",
                )
            elif key == "DR-1":
                services.add_evidence(
                    actor=principal,
                    control=control,
                    kind="link",
                    url="https://demo-co.example/wiki/failover-drill-report",
                    effective_at=now - dt.timedelta(days=150),
                    expires_at=now - dt.timedelta(days=60),
                    note="Failover drill report (the next one is overdue).",
                )
        controls[key] = control
    if Check.objects.filter(name=CHECK_NAME).exists():
        return
    check = services.create_check(
        actor=principal,
        name=CHECK_NAME,
        kind="data_residency",
        parameters={"allowed_regions": [ALLOWED_REGION], "source": "config_snapshot"},
        schedule="FREQ=DAILY",
        controls=[controls["DATA-1"]],
    )
    raw = json.dumps(sample_snapshot(now - dt.timedelta(hours=1))).encode()
    services.import_snapshot(actor=principal, check=check, raw=raw, filename="demo-co-config-snapshot.json")
    services.run_check(actor=principal, check=check, now=now)
