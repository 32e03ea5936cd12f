"""A control's status, computed from its evidence against a fixed clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from tests.controls.factories import NOW, inventory, make_control, make_residency_check
from trustroom.controls import selectors, services
from trustroom.controls.state import ControlStatus

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def status_at(control: Any, moment: dt.datetime) -> str:
    return selectors.with_status([control], moment)[0].status  # type: ignore[attr-defined]


def add_link(actor: Any, control: Any, effective_at: dt.datetime, expires_at: dt.datetime) -> Any:
    return services.add_evidence(
        actor=actor,
        control=control,
        kind="link",
        url="https://wiki.example/evidence",
        effective_at=effective_at,
        expires_at=expires_at,
        now=NOW,
    )


def test_missing_ready_stale_follow_the_clock(actor: Any) -> None:
    control = make_control(actor)
    assert status_at(control, NOW) == ControlStatus.MISSING
    add_link(actor, control, NOW - 10 * DAY, NOW + 5 * DAY)
    assert status_at(control, NOW - 11 * DAY) == ControlStatus.MISSING  # not yet in effect
    assert status_at(control, NOW - 10 * DAY) == ControlStatus.READY  # effective_at <= now
    assert status_at(control, NOW + 5 * DAY - dt.timedelta(seconds=1)) == ControlStatus.READY
    assert status_at(control, NOW + 5 * DAY) == ControlStatus.STALE  # now < expires_at no longer holds


def test_an_older_fresh_item_keeps_the_control_ready(actor: Any) -> None:
    control = make_control(actor)
    add_link(actor, control, NOW - 30 * DAY, NOW + 30 * DAY)
    add_link(actor, control, NOW - 2 * DAY, NOW - DAY)  # newest, already expired
    assert status_at(control, NOW) == ControlStatus.READY


def test_default_expiry_is_the_freshness_window(actor: Any) -> None:
    control = make_control(actor, freshness_days=30)
    item = services.add_evidence(
        actor=actor, control=control, kind="link", url="https://wiki.example/x", effective_at=NOW, now=NOW
    )
    assert item.expires_at == NOW + 30 * DAY


def test_the_newest_check_result_failing_wins_over_fresh_links(actor: Any) -> None:
    control = make_control(actor)
    add_link(actor, control, NOW - DAY, NOW + 30 * DAY)
    check = make_residency_check(actor, controls=[control])
    services.import_snapshot(actor=actor, check=check, raw=inventory(("AWS::S3::Bucket", "b", "ap-south-1")))
    services.run_check(actor=actor, check=check, now=NOW)
    assert status_at(control, NOW + dt.timedelta(minutes=1)) == ControlStatus.READY
    services.import_snapshot(actor=actor, check=check, raw=inventory(("AWS::S3::Bucket", "b", "us-east-1")))
    services.run_check(actor=actor, check=check, now=NOW + dt.timedelta(hours=1))
    assert status_at(control, NOW + dt.timedelta(hours=2)) == ControlStatus.FAILING
    # A passing run afterwards makes it ready again.
    services.import_snapshot(actor=actor, check=check, raw=inventory(("AWS::S3::Bucket", "b", "ap-south-1")))
    services.run_check(actor=actor, check=check, now=NOW + dt.timedelta(hours=3))
    assert status_at(control, NOW + dt.timedelta(hours=4)) == ControlStatus.READY


def test_check_evidence_expires_after_the_next_scheduled_run_plus_grace(actor: Any) -> None:
    control = make_control(actor)
    with time_machine.travel(NOW - dt.timedelta(hours=2), tick=False):
        check = make_residency_check(actor, controls=[control])  # FREQ=DAILY from its creation
    services.import_snapshot(actor=actor, check=check, raw=inventory(("AWS::S3::Bucket", "b", "ap-south-1")))
    run = services.run_check(actor=actor, check=check, now=NOW)
    [item] = run.evidence.all()
    assert item.effective_at == run.finished_at
    # The next daily slot is at 07:00 tomorrow (the check was created at 07:00), plus the grace period.
    assert item.expires_at == NOW - dt.timedelta(hours=2) + DAY + services.checks.EVIDENCE_GRACE
    assert status_at(control, item.expires_at) == ControlStatus.STALE
