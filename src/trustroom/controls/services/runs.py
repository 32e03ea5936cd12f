"""Runs queued from the page or the API ("Run now"): requested here, run by a background job.

`request_run` queues a run and enqueues `tasks.run_check_run` once the transaction commits. A check has at
most one queued or running run (a database constraint backs the check made here): a second request is
refused with `RunInProgress`, which names the run in progress. `run_queued_run` is the job's body: it
claims the run with a conditional UPDATE from queued (of two deliveries of the task exactly one wins),
evaluates the check, and stores the result only while the run is still running (the sweeper,
`trustroom.controls.run_sweep`, may have settled it meanwhile). Running the task twice runs the check once.

While a kind evaluates, the resources evaluated so far go to the cache (the evaluation reads inside one
transaction, so a row update would stay invisible until it ends); the finished run keeps the totals.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.controls import checks as registry
from trustroom.controls.models import (
    ACTIVE_RUN_STATUSES,
    Check,
    CheckOutcome,
    CheckRun,
    RunStatus,
    RunTrigger,
)
from trustroom.controls.services.checks import evaluate, record_result
from trustroom.tenancy import policies
from trustroom.tenancy.joblocks import claimable_statuses, job_lock
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import membership_in

PROGRESS_SECONDS = 3600  # a live progress entry outlives any run the sweeper leaves alone


class RunInProgress(ValidationError):
    """The check already has a queued or running run (`run`)."""

    def __init__(self, run: CheckRun) -> None:
        self.run = run
        state = run.get_status_display().lower()
        super().__init__(
            {
                "check": (
                    f"This check already has a run {state} (requested {run.started_at:%Y-%m-%d %H:%M} UTC); "
                    "wait for it to finish before running it again."
                )
            }
        )


def active_run(check: Check) -> CheckRun | None:
    return CheckRun.objects.filter(check_ref=check, status__in=ACTIVE_RUN_STATUSES).first()


@transaction.atomic
def request_run(
    *, actor: Principal, check: Check, enqueue: bool = True, now: dt.datetime | None = None
) -> CheckRun:
    """Queue a run of `check` now (the "Run now" button, `POST checks/<id>/run/`)."""
    policies.check(actor, "change", check)
    check = Check.objects.select_for_update().get(pk=check.pk)  # two requests queue one after the other
    current = active_run(check)
    if current is not None:
        raise RunInProgress(current)
    try:
        with transaction.atomic():
            run = CheckRun.objects.create(
                check_ref=check,
                trigger=RunTrigger.MANUAL,
                status=RunStatus.QUEUED,
                started_at=now or timezone.now(),
                started_by=actor.user,
            )
    except IntegrityError:  # another request won the race (no row locks on SQLite): the constraint held
        winner = active_run(check)
        if winner is None:
            raise
        raise RunInProgress(winner) from None
    record_event(actor=actor, action="check.run_requested", target=run, changes={"check": check.name})
    if enqueue:
        from trustroom.controls.tasks import run_check_run

        run_id, org_id = run.pk, run.organization_id
        transaction.on_commit(lambda: run_check_run.delay(run_id, org_id))
    return run


# --- The job ----------------------------------------------------------------------------------------------


def _progress_key(organization_id: int, run_id: int) -> str:
    return f"controls:run-progress:{organization_id}:{run_id}"


def live_progress(run: CheckRun) -> CheckRun:
    """`run` with the progress its job reported so far, while it runs (its stored totals otherwise)."""
    if run.status == RunStatus.RUNNING:
        reported = cache.get(_progress_key(run.organization_id, run.pk))
        if reported:
            run.done, run.total = reported
    return run


def _claim(organization: Organization, run_id: int) -> bool:
    with org_scope(organization):
        now = timezone.now()
        # One conditional UPDATE: of two deliveries of the same task exactly one sees a row changed. A
        # running run is claimed again only by the holder of its lock (its worker died mid-run; the
        # result is recorded in one transaction at the end, so it recorded nothing).
        claimable = claimable_statuses(RunStatus.QUEUED, RunStatus.RUNNING)
        return bool(
            CheckRun.objects.filter(pk=run_id, status__in=claimable).update(
                status=RunStatus.RUNNING, started_at=now, progress_at=now
            )
        )


def _requester(organization: Organization, run: CheckRun) -> Principal | None:
    """Who the run is for, as they are now: None when they left or may no longer run the check."""
    if run.started_by is None:
        return system_principal(organization)
    membership = membership_in(run.started_by, organization)
    if membership is None:
        return None
    actor = Principal(organization=organization, role=membership.role, user=run.started_by)
    return actor if policies.policy_for(Check).allows(actor, "change", run.check_ref) else None


def run_queued_run(*, organization: Organization, run_id: int) -> str:
    """Run a queued run once. Returns its outcome, or "skipped" when it was not queued (already run, being
    run by another live worker, or settled by the sweeper). A run whose worker was killed is run by the
    next delivery of its task (late acks, reject on worker lost)."""
    with job_lock("check-run", run_id) as held:
        return _run_locked(organization, run_id) if held else "skipped"


def _run_locked(organization: Organization, run_id: int) -> str:
    if not _claim(organization, run_id):
        return "skipped"
    key = _progress_key(organization.pk, run_id)

    def progress(done: int, total: int) -> None:
        cache.set(key, (done, total), PROGRESS_SECONDS)

    with org_scope(organization):
        run = CheckRun.objects.select_related("check_ref", "started_by").get(pk=run_id)
        actor = _requester(organization, run)
        started = time.monotonic()
        if actor is None:
            result = registry.CheckResult(
                outcome=CheckOutcome.ERROR,
                summary="The person who asked for this run may no longer run the check; run it again.",
            )
        else:
            result = evaluate(run.check_ref, run.started_at, progress)
        finished_at = run.started_at + dt.timedelta(seconds=time.monotonic() - started)
        locked = CheckRun.objects.select_for_update().filter(pk=run_id, status=RunStatus.RUNNING).first()
        if locked is None:
            return "skipped"
        record_result(
            actor=actor or system_principal(organization),
            run=locked,
            check=run.check_ref,
            result=result,
            finished_at=finished_at,
        )
    cache.delete(key)
    return str(locked.outcome)
