"""The production file store for real: django-storages' S3Storage against moto's S3 server on loopback.

Vault documents and evidence packages are written, read and deleted through the services, and what
lands in the bucket is checked with boto3: ciphertext only, removed again on delete.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.test import override_settings

from tests.controls.audit_factories import built_package, make_period, pdf_evidence, soc2_control
from tests.factories import principal_for
from tests.loopback import moto_server
from trustroom.assessments.imports import storage as import_storage
from trustroom.controls import evidence_package
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope
from trustroom.vault import crypto, services
from trustroom.vault.maintenance import sweep_orphans
from trustroom.vault.samples import sample_pdf
from trustroom.vault.selectors import document_bytes

pytestmark = pytest.mark.django_db
REGION = "eu-central-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
PLANTED = "PLANTED-s3-4b1d-plaintext-marker"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any) -> Iterator[Any]:
    """A fresh bucket, and the default storage pointed at it as settings.py does for TRUSTROOM_S3_*."""
    client = boto3.client("s3", region_name=REGION, endpoint_url=s3_endpoint, **CREDENTIALS)
    name = f"trustroom-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3_options = {
        "bucket_name": name,
        "endpoint_url": s3_endpoint,
        "region_name": REGION,
        "access_key": "testing",
        "secret_key": "testing",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    storages = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options},
    }
    with override_settings(STORAGES=storages):
        yield BucketView(client, name)


class BucketView:
    """What is really in the bucket, read with boto3 (not through the storage under test)."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.name, Key=key)["Body"].read())

    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=body)


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Iterator[Principal]:
    with org_scope(org_a):
        yield principal_for(owner_a, org_a)


def test_a_vault_document_is_ciphertext_in_the_bucket_and_gone_after_delete(
    actor: Principal, bucket: BucketView, django_capture_on_commit_callbacks: Any
) -> None:
    content = sample_pdf(title="SOC 2 report", lines=[PLANTED], pages=2)
    document = services.store_document(actor=actor, title="SOC 2", content=content, filename="soc2.pdf")

    assert bucket.keys() == [document.storage_name]
    stored = bucket.read(document.storage_name)
    assert stored.startswith(crypto.CIPHERTEXT_MAGIC)
    assert content not in stored and PLANTED.encode() not in stored and b"%PDF" not in stored
    assert document_bytes(document) == content

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_document(actor=actor, document=document)
    assert bucket.keys() == []


def test_an_evidence_package_is_stored_and_read_back_through_the_bucket(
    actor: Principal, bucket: BucketView
) -> None:
    control = soc2_control(actor)
    period = make_period(actor, "SOC 2 Type II", start_days=-30, end_days=30)
    evidence = pdf_evidence(actor, control, "Quarterly access review")
    package = built_package(actor, period)

    assert package.status == "done", package.error
    assert package.storage_name.startswith("evidence-packages/")
    assert set(bucket.keys()) == {evidence.document.storage_name, package.storage_name}
    stored = bucket.read(package.storage_name)
    assert stored.startswith(crypto.CIPHERTEXT_MAGIC) and b"manifest.json" not in stored
    archive = evidence_package.package_bytes(package)
    assert archive.startswith(b"PK") and len(archive) == package.size_bytes


def test_the_vault_sweep_lists_the_bucket_and_removes_only_orphans(
    actor: Principal, bucket: BucketView
) -> None:
    document = services.store_document(
        actor=actor, title="Kept", content=sample_pdf(title="Kept", lines=["kept"]), filename="kept.pdf"
    )
    orphan = f"vault/{actor.organization.pk}/{uuid.uuid4().hex}.enc"
    bucket.put(orphan, crypto.CIPHERTEXT_MAGIC + b"left behind by a rolled-back upload")

    report = sweep_orphans(grace=timedelta(0))

    assert report.checked == 2 and report.removed == [orphan]
    assert bucket.keys() == [document.storage_name]


def test_a_queued_scanner_report_round_trips_through_the_bucket_in_segments(bucket: BucketView) -> None:
    # 2.5 MiB: three sealed segments of at most 1 MiB, written and read back through S3.
    report = (PLANTED.encode() + b"\n") * (5 * 1024 * 1024 // 2 // (len(PLANTED) + 1))
    key = crypto.new_data_key()
    stored = import_storage.store_encrypted(
        (report[i : i + 300_000] for i in range(0, len(report), 300_000)),
        key=key,
        organization_id=7,
        uid="import-1",
        max_bytes=len(report),
    )
    assert bucket.keys() == [stored.storage_name] and stored.storage_name.startswith("imports/7/")
    assert PLANTED.encode() not in bucket.read(stored.storage_name)

    path = Path(
        import_storage.decrypt_to_tempfile(stored.storage_name, key=key, organization_id=7, uid="import-1")
    )
    try:
        assert path.read_bytes() == report
    finally:
        path.unlink()
    import_storage.remove_stored(stored.storage_name)
    assert bucket.keys() == []
