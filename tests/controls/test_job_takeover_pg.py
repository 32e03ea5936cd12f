"""Evidence packages and queued check runs under real workers on PostgreSQL: a job whose worker was killed
after claiming it is done by the next delivery of its task, once; while the claiming worker is alive
(it holds the job's advisory lock), another delivery leaves the job alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from tests.concurrency import holding, in_another_worker, take_lock
from tests.controls.audit_factories import make_period, pdf_evidence, soc2_control
from tests.controls.factories import inventory, make_control, make_residency_check
from tests.factories import principal_for
from trustroom.audit.models import AuditEvent
from trustroom.controls import evidence_package, services
from trustroom.controls.audit_models import EvidencePackage, PackageStatus
from trustroom.controls.models import CheckRun, Evidence, RunStatus
from trustroom.tenancy import joblocks
from trustroom.tenancy.scope import org_scope

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        getattr(settings, "TEST_DB", "") != "postgres", reason="needs the PostgreSQL test run"
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "owner"]),
]
RAW = inventory(("AWS::RDS::DBCluster", "core-db", "ap-south-1"), ("AWS::RDS::DBCluster", "bi", "eu-west-1"))


@pytest.fixture(autouse=True)
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(joblocks, "WAIT_SECONDS", 1.0)  # how long a second delivery waits for the lock


# Made and committed before the workers start (an open organization scope is an open transaction).
@pytest.fixture
def package(org_a: Any, owner_a: Any) -> EvidencePackage:
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        control = soc2_control(actor)
        pdf_evidence(actor, control, "Quarterly access review")
        period = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
        return evidence_package.request_package(actor=actor, period=period, enqueue=False)


@pytest.fixture
def queued_run(org_a: Any, owner_a: Any) -> CheckRun:
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        check = make_residency_check(actor, controls=[make_control(actor)])
        services.import_snapshot(actor=actor, check=check, raw=RAW)
        return services.request_run(actor=actor, check=check, enqueue=False)


def claimed_by_a_worker(org: Any, kind: str, job_id: int, claim: Any) -> tuple[Any, Any]:
    """Another connection takes the job's lock and claims it, as a worker does, and stays alive."""

    def take_and_claim() -> None:
        assert take_lock(kind, job_id)
        assert claim() == 1

    thread, _ready, release = holding(org, take_and_claim)
    return thread, release


def claim_package(package_id: int) -> Any:
    return lambda: EvidencePackage.objects.filter(pk=package_id, status=PackageStatus.QUEUED).update(
        status=PackageStatus.RUNNING
    )


def claim_run(run_id: int) -> Any:
    return lambda: CheckRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    )


def build(org: Any, package_id: int) -> str:
    return evidence_package.run_package_job(organization=org, package_id=package_id)


def test_a_package_whose_worker_was_killed_is_built_once_by_the_next_delivery(
    org_a: Any, package: EvidencePackage
) -> None:
    thread, release = claimed_by_a_worker(org_a, "evidence-package", package.pk, claim_package(package.pk))
    try:
        # The claiming worker is alive: a second delivery leaves its package alone.
        assert in_another_worker(lambda: build(org_a, package.pk)) == ["skipped"]
    finally:
        release.set()
        thread.join()  # its connection closes, and its lock goes with it: what SIGKILL does
    assert build(org_a, package.pk) == PackageStatus.DONE
    assert build(org_a, package.pk) == "skipped"
    with org_scope(org_a):
        package.refresh_from_db()
        assert package.status == PackageStatus.DONE and package.files > 0
        assert AuditEvent.objects.filter(action="evidence_package.built").count() == 1


def test_a_run_whose_worker_was_killed_is_run_once_by_the_next_delivery(
    org_a: Any, queued_run: CheckRun
) -> None:
    run_id = queued_run.pk
    thread, release = claimed_by_a_worker(org_a, "check-run", run_id, claim_run(run_id))
    try:
        outcome = in_another_worker(lambda: services.run_queued_run(organization=org_a, run_id=run_id))
        assert outcome == ["skipped"]
    finally:
        release.set()
        thread.join()
    assert services.run_queued_run(organization=org_a, run_id=run_id) == "fail"
    assert services.run_queued_run(organization=org_a, run_id=run_id) == "skipped"
    with org_scope(org_a):
        assert CheckRun.objects.get(pk=run_id).status == RunStatus.FINISHED
        assert Evidence.objects.filter(check_run_id=run_id).count() == 1
