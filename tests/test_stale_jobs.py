"""The shared stale-job primitives on a model with other field names than the sweepers' (check runs:
`outcome` blank while in flight, `started_at` as the sign of life): a generic deadline, a conditional
update that only the first caller wins, an audit event per change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.controls.factories import make_residency_check
from tests.factories import principal_for
from trustroom import stale_jobs
from trustroom.audit.models import AuditEvent
from trustroom.controls.models import CheckOutcome, CheckRun, RunTrigger
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Iterator[Any]:
    with org_scope(org_a):
        yield principal_for(owner_a, org_a)


def in_flight(actor: Any, *, started_at: datetime) -> CheckRun:
    check = make_residency_check(actor, name=f"Residency {started_at:%H%M}")
    return CheckRun.objects.create(
        organization=actor.organization, check_ref=check, trigger=RunTrigger.MANUAL, started_at=started_at
    )


def stale_runs(before: datetime) -> list[int]:
    runs = stale_jobs.stale(CheckRun, state_field="outcome", state="", since=("started_at",), before=before)
    return [run.pk for run in runs]


def give_up(actor: Any, run: CheckRun, *, then: Any = None) -> bool:
    return stale_jobs.settle(
        actor=actor,
        job=run,
        state_field="outcome",
        was="",
        values={"outcome": CheckOutcome.ERROR, "summary": "The run stopped.", "finished_at": T},
        action="check.run_stale_failed",
        changes={"outcome": ["", CheckOutcome.ERROR]},
        then=then,
    )


def test_stale_selects_only_jobs_in_the_state_past_the_deadline(actor: Any) -> None:
    old = in_flight(actor, started_at=T - timedelta(hours=2))
    recent = in_flight(actor, started_at=T - timedelta(minutes=5))
    done = in_flight(actor, started_at=T - timedelta(hours=3))
    CheckRun.objects.filter(pk=done.pk).update(outcome=CheckOutcome.PASS)
    assert stale_runs(T - timedelta(hours=1)) == [old.pk]
    assert stale_runs(T) == [old.pk, recent.pk]


def test_stale_counts_from_the_first_set_timestamp(actor: Any) -> None:
    run = in_flight(actor, started_at=T - timedelta(hours=2))
    CheckRun.objects.filter(pk=run.pk).update(finished_at=T)  # a later sign of life, listed first
    picked = stale_jobs.stale(
        CheckRun,
        state_field="outcome",
        state="",
        since=("finished_at", "started_at"),
        before=T - timedelta(hours=1),
    )
    assert list(picked) == []


def test_settle_changes_a_job_once_and_audits_it(actor: Any) -> None:
    run = in_flight(actor, started_at=T - timedelta(hours=2))
    after: list[str] = []
    assert give_up(actor, run, then=lambda: after.append("cleaned"))
    assert not give_up(actor, run, then=lambda: after.append("again"))  # already settled: nothing more
    run.refresh_from_db()
    assert (run.outcome, run.summary, run.finished_at) == (CheckOutcome.ERROR, "The run stopped.", T)
    assert after == ["cleaned"]
    event = AuditEvent.objects.get(action="check.run_stale_failed")
    assert event.changes == {"outcome": ["", "error"]}


def test_settle_respects_further_conditions(actor: Any) -> None:
    run = in_flight(actor, started_at=T - timedelta(hours=2))
    moved = stale_jobs.settle(
        actor=actor,
        job=run,
        state_field="outcome",
        was="",
        values={"outcome": CheckOutcome.ERROR},
        where={"finished_at__isnull": False},
        action="check.run_stale_failed",
        changes={},
    )
    assert not moved and AuditEvent.objects.filter(action="check.run_stale_failed").count() == 0


def test_minutes_are_whole_and_at_least_one() -> None:
    assert stale_jobs.minutes(timedelta(seconds=20)) == 1
    assert stale_jobs.minutes(timedelta(minutes=90, seconds=59)) == 90
