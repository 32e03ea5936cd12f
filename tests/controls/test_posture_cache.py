"""The page cache and the WSGI fast path never keep a page past the next evidence change of a bound
control (no write happens when evidence expires)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from tests.controls.factories import make_control
from tests.trustcenter.public_data import make_certification, publish
from tests.trustcenter.test_public_fastpath import CountingDjango, call, environ
from trustroom.controls import services
from trustroom.controls.services.posture import bind_claim
from trustroom.trustcenter import cache as page_cache
from trustroom.trustcenter.fastpath import TrustCenterFastPath, kept_here

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
URL = "/trust/alpha-co/certifications/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    page_cache.cache.clear()
    kept_here.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_slot_keeps_a_page_no_longer_than_its_content_holds(org_a: Any) -> None:
    slot = page_cache.page_slot(org_a, "overview", now=NOW)
    assert slot.seconds_to_keep() == page_cache.max_age_seconds()
    slot.put(b"page", keep_until=NOW + dt.timedelta(seconds=42))
    again = page_cache.page_slot(org_a, "overview", now=NOW + dt.timedelta(seconds=2))
    assert again.get() is not None
    assert again.seconds_to_keep() == 40  # what the fast path replays with, from a page found too
    past = page_cache.page_slot(org_a, "overview", now=NOW + dt.timedelta(seconds=42))
    past.keep_until = NOW + dt.timedelta(seconds=42)
    assert past.seconds_to_keep() == 0


def test_fast_path_stops_replaying_when_bound_evidence_expires(
    actor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.handlers.wsgi import WSGIHandler

    publish(actor)
    cert = make_certification(actor, title="ISO 27001", valid_until=dt.date(2031, 1, 1))
    control = make_control(actor, key="AC-1", name="Reviews")
    expiry = NOW + dt.timedelta(seconds=60)
    services.add_evidence(
        actor=actor,
        control=control,
        kind="link",
        url="https://x.example/e",
        effective_at=NOW - dt.timedelta(days=3),
        expires_at=expiry,
    )
    bind_claim(actor=actor, claim_key=f"certification:{cert.pk}", control=control)
    django_app = CountingDjango(WSGIHandler())
    app = TrustCenterFastPath(django_app)
    with time_machine.travel(NOW, tick=False):
        assert b"Verified by 1 control" in call(app, environ(URL)).body
        assert b"Verified by 1 control" in call(app, environ(URL)).body
    assert django_app.calls == 1  # the second one was replayed
    later = time.monotonic() + 61  # the process clock moves with the wall clock
    monkeypatch.setattr("trustroom.trustcenter.fastpath.time.monotonic", lambda: later)
    with time_machine.travel(expiry + dt.timedelta(seconds=1), tick=False):
        answer = call(app, environ(URL))
    assert django_app.calls == 2
    assert b"Not currently verified: control AC-1 is stale" in answer.body
