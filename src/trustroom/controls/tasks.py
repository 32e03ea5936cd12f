"""Background jobs of the controls app: run the checks that are due (each slot once)."""

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
