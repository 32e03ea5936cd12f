"""Background jobs of the VAPT programme: scanner imports (enqueued after commit, idempotent) and the
sweeper that settles imports a crashed worker or a lost task left behind."""

from __future__ import annotations

from celery import shared_task

from trustroom.tenancy.models import Organization

__all__ = ["run_finding_import", "sweep_finding_imports"]


@shared_task(name="trustroom.assessments.tasks.run_finding_import")
def run_finding_import(import_id: int, organization_id: int) -> str:
    """Run a queued scanner import. A job that is not queued any more (finished, or running in another
    worker) is left alone, so running the task twice imports once."""
    from trustroom.assessments.imports import run_queued_import

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "skipped"
    return run_queued_import(organization=organization, import_id=import_id)


@shared_task(name="trustroom.assessments.tasks.sweep_finding_imports")
def sweep_finding_imports() -> dict[str, int]:
    """Every 10 minutes: stale running imports fail, lost queued ones are enqueued again (once)."""
    from trustroom.assessments.imports import sweep_stale_imports

    result = sweep_stale_imports()
    return {"failed": len(result.failed), "requeued": len(result.requeued)}
