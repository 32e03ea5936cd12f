"""Evidence packages: what the ZIP holds, the manifest, the chain head, the job."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

import pytest

from tests.controls.audit_factories import (
    auditor,
    built_package,
    link,
    make_period,
    pdf_evidence,
    soc2_control,
)
from tests.controls.factories import make_residency_check
from tests.factories import principal_for
from trustroom.audit.models import AuditChainHead, AuditEvent
from trustroom.controls import evidence_package, services
from trustroom.controls.audit_models import EvidencePackage, PackageStatus
from trustroom.controls.package_verify import verify_package
from trustroom.vault.selectors import document_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def period_world(actor: Any) -> dict[str, Any]:
    control = soc2_control(actor)
    period = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    pdf = pdf_evidence(actor, control, "Quarterly access review")
    old_pdf = pdf_evidence(actor, control, "Old review", days_ago=90)
    link(actor, control, "https://alpha.example/review", days_ago=2)
    check = make_residency_check(actor, controls=[control])
    run = services.run_check(actor=actor, check=check)
    return {"control": control, "period": period, "pdf": pdf, "old_pdf": old_pdf, "run": run}


def open_zip(package: EvidencePackage) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(evidence_package.package_bytes(package)))


def test_the_package_holds_the_windows_evidence_and_a_manifest_of_every_file(
    actor: Any, period_world: dict[str, Any]
) -> None:
    package = built_package(actor, period_world["period"])
    assert package.status == PackageStatus.DONE and package.done == package.total > 0
    archive = open_zip(package)
    manifest = json.loads(archive.read("manifest.json"))
    names = set(archive.namelist()) - {"manifest.json"}
    assert {entry["path"] for entry in manifest["files"]} == names
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    pdf = period_world["pdf"]
    files = [name for name in names if "/files/" in name]
    assert files == [f"controls/AC-1/files/{pdf.pk}-{pdf.document.download_filename}"]
    assert archive.read(files[0]) == document_bytes(pdf.document)  # the original, not watermarked
    assert json.loads(archive.read("controls/AC-1/links.json"))[0]["url"] == "https://alpha.example/review"
    run = json.loads(archive.read(f"controls/AC-1/check-runs/{period_world['run'].pk}.json"))
    assert run["outcome"] == period_world["run"].outcome
    rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
    assert period_world["old_pdf"].pk not in {int(row["evidence"]) for row in rows}
    assert manifest["organization"]["slug"] == "alpha-co"
    assert manifest["period"]["name"] == "SOC 2 Type II 2026"
    assert manifest["generator"]["name"] == "trustroom" and manifest["generated_at"]


def test_the_manifest_records_the_audit_chain_head_at_export_time(
    actor: Any, period_world: dict[str, Any]
) -> None:
    package = evidence_package.request_package(actor=actor, period=period_world["period"], enqueue=False)
    head_before = AuditChainHead.objects.get()
    evidence_package.run_package_job(organization=actor.organization, package_id=package.pk)
    package.refresh_from_db()
    head = json.loads(open_zip(package).read("manifest.json"))["audit_chain_head"]
    assert head["seq"] == head_before.seq and head["hash"] == head_before.hash
    assert head["event_id"] == AuditEvent.objects.get(seq=head_before.seq).pk
    assert package.chain_head_seq == head_before.seq
    # The build itself is recorded after the head it exported.
    assert AuditEvent.objects.get(seq=head_before.seq + 1).action == "evidence_package.built"


def test_a_fresh_package_verifies(actor: Any, period_world: dict[str, Any], tmp_path: Any) -> None:
    path = tmp_path / "package.zip"
    path.write_bytes(evidence_package.package_bytes(built_package(actor, period_world["period"])))
    report = verify_package(str(path))
    assert report.ok, report.problems
    assert report.files_checked == len(report.manifest["files"])


def test_the_job_runs_once(actor: Any, period_world: dict[str, Any]) -> None:
    package = built_package(actor, period_world["period"])
    again = evidence_package.run_package_job(organization=actor.organization, package_id=package.pk)
    assert again == "skipped"
    assert AuditEvent.objects.filter(action="evidence_package.built").count() == 1


def test_an_auditor_export_is_cut_to_their_scope(actor: Any, period_world: dict[str, Any]) -> None:
    user = auditor(actor, "auditor@alpha.test", period_world["period"])
    seen = principal_for(user, actor.organization)
    package = built_package(seen, period_world["period"])
    assert package.status == PackageStatus.DONE
    other = make_period(actor, "Other", start_days=-400, end_days=-300)
    with pytest.raises(Exception, match="not yours"):
        evidence_package.request_package(actor=seen, period=other)


def test_a_package_of_an_auditor_unassigned_meanwhile_fails(actor: Any, period_world: dict[str, Any]) -> None:
    from trustroom.controls import audit_services

    user = auditor(actor, "auditor@alpha.test", period_world["period"])
    seen = principal_for(user, actor.organization)
    package = evidence_package.request_package(actor=seen, period=period_world["period"], enqueue=False)
    audit_services.unassign_auditor(actor=actor, assignment=period_world["period"].assignments.get())
    assert (
        evidence_package.run_package_job(organization=actor.organization, package_id=package.pk) == "failed"
    )
    package.refresh_from_db()
    assert package.status == PackageStatus.FAILED and not package.storage_name


def test_the_stored_package_is_encrypted(actor: Any, period_world: dict[str, Any]) -> None:
    from django.core.files.storage import default_storage

    package = built_package(actor, period_world["period"])
    with default_storage.open(package.storage_name, "rb") as handle:
        stored = handle.read()
    assert b"manifest.json" not in stored and not stored.startswith(b"PK")
    assert hashlib.sha256(evidence_package.package_bytes(package)).hexdigest() == package.sha256


def test_packages_survive_a_data_key_rotation(actor: Any, period_world: dict[str, Any]) -> None:
    from trustroom.vault.services import rotate_data_key

    package = built_package(actor, period_world["period"])
    before = evidence_package.package_bytes(package)
    rotate_data_key(actor=actor)
    package.refresh_from_db()
    assert evidence_package.package_bytes(package) == before


def test_deleting_a_period_removes_its_stored_packages(
    actor: Any, period_world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import default_storage

    from trustroom.controls import audit_services

    package = built_package(actor, period_world["period"])
    assert default_storage.exists(package.storage_name)
    with django_capture_on_commit_callbacks(execute=True):
        audit_services.delete_period(actor=actor, period=period_world["period"])
    assert not default_storage.exists(package.storage_name)
    assert not EvidencePackage.objects.exists()
