"""The periodic job: every 5 minutes, runs each due check once across organizations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings

from tests.controls.factories import NOW, inventory, make_residency_check
from tests.factories import principal_for
from trustroom.controls import services, tasks
from trustroom.controls.models import CheckRun
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def test_scheduled_every_five_minutes() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["controls-run-due-checks"]
    assert entry == {"task": "trustroom.controls.tasks.run_due_checks", "schedule": 300}


def test_the_job_runs_each_due_check_once_in_every_organization(
    org_a: Any, org_b: Any, owner_a: Any, owner_b: Any
) -> None:
    for org, owner in ((org_a, owner_a), (org_b, owner_b)):
        with org_scope(org), time_machine.travel(NOW, tick=False):
            actor = principal_for(owner, org)
            check = make_residency_check(actor, schedule="FREQ=HOURLY;INTERVAL=6")
            services.import_snapshot(
                actor=actor, check=check, raw=inventory(("AWS::S3::Bucket", "b", "ap-south-1"))
            )
    with time_machine.travel(NOW + dt.timedelta(hours=5), tick=False):
        assert tasks.run_due_checks() == {"runs": 0}
    with time_machine.travel(NOW + dt.timedelta(hours=6, minutes=2), tick=False):
        assert tasks.run_due_checks() == {"runs": 2}
        assert tasks.run_due_checks() == {"runs": 0}  # the job ran twice: each slot once
    for org in (org_a, org_b):
        with org_scope(org):
            [run] = CheckRun.objects.all()
            assert run.trigger == "schedule" and run.outcome == "pass"
