"""Background jobs of the controls app: run the checks that are due (each slot once), run the runs queued
from the page or the API, build evidence packages, and sweep the packages and runs a crashed worker or a
lost task left behind."""

from __future__ import annotations

from celery import shared_task

from trustroom.controls import services
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope


@shared_task(name="trustroom.controls.tasks.run_due_checks")
def run_due_checks() -> dict[str, int]:
    """Every 5 minutes (CELERY_BEAT_SCHEDULE). A slot is claimed before it runs: safe to run twice."""
    runs = 0
    for organization in Organization.objects.order_by("pk"):
        with org_scope(organization):
            runs += len(services.run_due_checks(actor=system_principal(organization)))
    return {"runs": runs}


@shared_task(name="trustroom.controls.tasks.run_check_run")
def run_check_run(run_id: int, organization_id: int) -> str:
    """Run a queued check run. A run not queued any more is left alone: safe to run twice."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "skipped"
    return services.run_queued_run(organization=organization, run_id=run_id)


@shared_task(name="trustroom.controls.tasks.sweep_check_runs")
def sweep_check_runs() -> dict[str, int]:
    """Every 10 minutes: runs left queued or running by a lost task or a dead worker fail."""
    from trustroom.controls.run_sweep import sweep_stale_runs

    return {"failed": len(sweep_stale_runs())}


@shared_task(name="trustroom.controls.tasks.build_evidence_package")
def build_evidence_package(package_id: int, organization_id: int) -> str:
    """Build a queued evidence package. A package not queued any more is left alone: safe to run twice."""
    from trustroom.controls.evidence_package import run_package_job

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "skipped"
    return run_package_job(organization=organization, package_id=package_id)


@shared_task(name="trustroom.controls.tasks.sweep_evidence_packages")
def sweep_evidence_packages() -> dict[str, int]:
    """Every 10 minutes: stale running packages fail, lost queued ones are enqueued again (once)."""
    from trustroom.controls.evidence_sweep import sweep_stale_packages

    result = sweep_stale_packages()
    return {"failed": len(result.failed), "requeued": len(result.requeued)}
