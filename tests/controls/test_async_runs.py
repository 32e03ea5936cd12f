""" "Run now" from the page and the API: a queued run, run by the background job (queued -> running ->
finished), one at a time per check, its progress polled, and stale runs settled by the sweeper."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from tests.controls.factories import inventory, make_control, make_residency_check
from tests.factories import member, principal_for
from trustroom.audit.models import AuditEvent
from trustroom.controls import run_sweep, services, tasks
from trustroom.controls.models import CheckRun, Evidence
from trustroom.controls.services import runs
from trustroom.tenancy.models import Membership, Role
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
BASE = "/o/alpha-co/controls/"
RAW = inventory(("AWS::RDS::DBCluster", "core-db", "ap-south-1"), ("AWS::RDS::DBCluster", "bi", "eu-west-1"))


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def check(actor: Any) -> Any:
    control = make_control(actor)
    made = make_residency_check(actor, controls=[control])
    services.import_snapshot(actor=actor, check=made, raw=RAW)
    return made


def test_a_requested_run_is_queued_then_run_once_by_the_job(
    org_a: Any, actor: Any, check: Any, monkeypatch: Any
) -> None:
    run = services.request_run(actor=actor, check=check, enqueue=False)
    assert (run.status, run.outcome, run.finished_at, run.trigger) == ("queued", "", None, "manual")
    assert not Evidence.objects.exists()
    seen: list[str] = []
    reported: list[tuple[int, int]] = []
    original = runs.evaluate

    def watching(check: Any, now: Any, progress: Any) -> Any:
        seen.append(CheckRun.objects.get(pk=run.pk).status)
        return original(
            check, now, lambda done, total: (reported.append((done, total)), progress(done, total))
        )

    monkeypatch.setattr(runs, "evaluate", watching)
    assert tasks.run_check_run(run.pk, org_a.pk) == "fail"
    assert seen == ["running"]  # claimed before evaluating
    assert reported == [(2, 2)]  # the kind reports the resources evaluated
    run.refresh_from_db()
    assert (run.status, run.outcome, run.done, run.total) == ("finished", "fail", 2, 2)
    assert run.summary == "1 of 2 resources lie outside ap-south-1."
    assert Evidence.objects.get().check_run == run
    assert tasks.run_check_run(run.pk, org_a.pk) == "skipped"  # delivered twice: run once
    assert CheckRun.objects.count() == 1 and Evidence.objects.count() == 1
    assert {"check.run_requested", "check.run"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_a_second_request_while_one_is_queued_or_running_is_refused(actor: Any, check: Any) -> None:
    first = services.request_run(actor=actor, check=check, enqueue=False)
    with pytest.raises(services.RunInProgress) as refused:
        services.request_run(actor=actor, check=check, enqueue=False)
    assert refused.value.run == first
    assert "already has a run queued" in refused.value.message_dict["check"][0]
    CheckRun.objects.filter(pk=first.pk).update(status="running")
    with pytest.raises(services.RunInProgress, match="already has a run running"):
        services.request_run(actor=actor, check=check, enqueue=False)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the line too
        CheckRun.objects.create(check_ref=check, trigger="manual", status="queued", started_at=timezone.now())
    services.run_queued_run(organization=actor.organization, run_id=first.pk)  # running: not claimed again
    CheckRun.objects.filter(pk=first.pk).update(status="finished")
    assert services.request_run(actor=actor, check=check, enqueue=False).status == "queued"


def test_run_now_on_the_page_redirects_to_the_run_which_polls_then_shows_the_result(
    org_a: Any, owner_a: Any, actor: Any, check: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = client.post(f"{BASE}checks/{check.pk}/run/")
    run = CheckRun.objects.get()
    assert queued.status_code == 302 and queued["Location"] == f"{BASE}checks/runs/{run.pk}/"
    page = client.get(queued["Location"]).content.decode()
    assert "A run of Data residency was queued." in page
    assert f'hx-get="{BASE}checks/runs/{run.pk}/progress/"' in page and 'aria-live="polite"' in page
    assert "Waiting for a worker to start the run." in page
    detail = client.get(f"{BASE}checks/{check.pk}/").content.decode()
    assert "A run is queued" in detail and f"{BASE}checks/runs/{run.pk}/" in detail

    again = client.post(f"{BASE}checks/{check.pk}/run/")  # a second click while it is queued
    assert again["Location"] == f"{BASE}checks/runs/{run.pk}/"
    assert "wait for it to finish" in client.get(again["Location"]).content.decode()
    assert CheckRun.objects.count() == 1

    CheckRun.objects.filter(pk=run.pk).update(status="running")
    cache.set(runs._progress_key(org_a.pk, run.pk), (1, 2), 60)  # what the job reports while evaluating
    progress = client.get(f"{BASE}checks/runs/{run.pk}/progress/").content.decode()
    assert progress.startswith("<section") or progress.lstrip().startswith("<section")
    assert '<progress id="run-progress-bar" max="100" value="50">' in progress
    assert "1 of 2 resources evaluated" in progress and "hx-trigger" in progress
    assert client.get(f"/api/v1/orgs/alpha-co/check-runs/{run.pk}/").json()["done"] == 1
    CheckRun.objects.filter(pk=run.pk).update(status="queued")

    for callback in callbacks:
        callback()  # the job, as the worker would run it
    finished = client.get(f"{BASE}checks/runs/{run.pk}/progress/").content.decode()
    assert "hx-trigger" not in finished and "Status: Finished" in finished
    assert "1 of 2 resources lie outside ap-south-1." in finished
    assert '<th scope="row">bi</th><td>rds_cluster</td><td>eu-west-1</td>' in finished
    assert "allowed_regions" in finished  # the details


def test_the_api_answers_202_with_the_run_and_409_while_it_is_in_progress(
    org_a: Any, owner_a: Any, check: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner_a)
    api = "/api/v1/orgs/alpha-co/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = client.post(api + f"checks/{check.pk}/run/")
    body = queued.json()
    assert queued.status_code == 202 and (body["status"], body["done"], body["percent"]) == ("queued", 0, 0)
    busy = client.post(api + f"checks/{check.pk}/run/")
    assert busy.status_code == 409 and busy.json()["run"] == body["id"]
    assert "wait for it to finish" in busy.json()["check"][0]
    for callback in callbacks:
        callback()
    run = client.get(queued["Location"]).json()
    assert (run["status"], run["outcome"], run["percent"]) == ("finished", "fail", 100)


def test_viewers_and_auditors_cannot_run(org_a: Any, actor: Any, check: Any) -> None:
    for role in (Role.VIEWER, Role.AUDITOR):
        client = logged_in(member(org_a, role))
        assert client.post(f"{BASE}checks/{check.pk}/run/").status_code == 403
        assert client.post(f"/api/v1/orgs/alpha-co/checks/{check.pk}/run/").status_code == 403
    assert not CheckRun.objects.exists()


def test_a_requester_who_lost_the_right_gets_an_error_run_not_a_run(
    org_a: Any, actor: Any, check: Any
) -> None:
    editor = member(org_a, Role.EDITOR)
    run = services.request_run(actor=principal_for(editor, org_a), check=check, enqueue=False)
    Membership.objects.filter(user=editor).update(role=Role.VIEWER)
    assert services.run_queued_run(organization=org_a, run_id=run.pk) == "error"
    run.refresh_from_db()
    assert run.status == "finished" and "may no longer run the check" in run.summary and run.resources == []


def test_the_sweeper_settles_runs_left_queued_or_running_once(org_a: Any, actor: Any, check: Any) -> None:
    run = services.request_run(actor=actor, check=check, enqueue=False)
    later = timezone.now() + dt.timedelta(minutes=20)
    assert run_sweep.sweep_stale_runs(now=later) == []  # still young
    much_later = timezone.now() + dt.timedelta(minutes=31)
    assert run_sweep.sweep_stale_runs(now=much_later) == [run.pk]
    assert run_sweep.sweep_stale_runs(now=much_later) == []  # sweeping twice changes nothing more
    run.refresh_from_db()
    assert (run.status, run.outcome) == ("finished", "error") and "Run the check again" in run.summary
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.filter(action="check.run_stale_failed").count() == 1
    assert services.run_queued_run(organization=org_a, run_id=run.pk) == "skipped"  # a late task: nothing
    assert services.request_run(actor=actor, check=check, enqueue=False).status == "queued"  # free again
    with pytest.raises(ValueError):
        run_sweep.sweep_stale_runs(after=dt.timedelta(0))


def test_the_sweep_task_is_scheduled(org_a: Any, actor: Any) -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["controls-sweep-check-runs"]
    assert entry == {"task": "trustroom.controls.tasks.sweep_check_runs", "schedule": 600}
    with org_scope(org_a):
        assert tasks.sweep_check_runs() == {"failed": 0}
