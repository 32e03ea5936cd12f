"""The stale-run sweeper: "Run now" runs a lost task or a dead worker left queued or running are settled
as finished with an "error" outcome (no evidence is added: nothing was evaluated), so the check can be
run again. A run's last sign of life is `progress_at` (set when a worker claims it), else `started_at`
(when it was requested).

Built on the shared `trustroom.stale_jobs` primitives: each change is one conditional UPDATE on the
status, so a worker claiming or finishing the run at the same moment and the sweeper cannot both win
(`services.runs` stores a result only while the run is running), and sweeping twice changes nothing
more. Every change is audit-logged. A lost run is not requeued: "Run now" is one click away.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from trustroom.controls.models import ACTIVE_RUN_STATUSES, Check, CheckOutcome, CheckRun, RunStatus
from trustroom.stale_jobs import minutes, settle, stale
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope

# A check evaluates in seconds (an AWS scan in minutes); a queued run starts within seconds.
STALE_AFTER = timedelta(minutes=30)


def sweep_stale_runs(
    *, now: datetime | None = None, after: timedelta = STALE_AFTER, organization: Organization | None = None
) -> list[int]:
    """Settle the stale runs of one or every organization (as the platform). Returns their ids."""
    if after <= timedelta(0):
        raise ValueError("The threshold must be positive.")
    now = now or timezone.now()
    settled: list[int] = []
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        with transaction.atomic(), org_scope(org):
            actor = system_principal(org)
            policies.check(actor, "change", Check)  # settling a run is the right to run the check
            for status in ACTIVE_RUN_STATUSES:
                runs = stale(
                    CheckRun, state=status, since=("progress_at", "started_at"), before=now - after
                ).select_related("check_ref")
                for run in runs:
                    summary = (
                        f"The run was {run.get_status_display().lower()} for more than {minutes(after)} "
                        "minutes without finishing (the worker stopped or the task was lost). "
                        "Run the check again."
                    )
                    if settle(
                        actor=actor,
                        job=run,
                        was=status,
                        values={
                            "status": RunStatus.FINISHED,
                            "outcome": CheckOutcome.ERROR,
                            "summary": summary,
                            "finished_at": now,
                        },
                        action="check.run_stale_failed",
                        changes={"check": run.check_ref.name, "status": [status, RunStatus.FINISHED]},
                    ):
                        settled.append(run.pk)
    return settled
