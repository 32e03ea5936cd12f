"""The PagerDuty / Slack stand-in (a real HTTP server on 127.0.0.1) and the settings that point at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.monitoring.standin import StandIn


@pytest.fixture
def standin(settings: Any) -> Iterator[StandIn]:
    server = StandIn().start()
    settings.TRUSTROOM_PAGERDUTY_EVENTS_URL = server.pagerduty_url
    settings.TRUSTROOM_NOTIFIER_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.TRUSTROOM_NOTIFIER_ALLOW_HTTP = True  # the stand-in speaks plain http on loopback
    try:
        yield server
    finally:
        server.stop()
    # Every event a test made us send must have been a valid Events API v2 event.
    assert not server.invalid, [(one.problems, one.raw[:300]) for one in server.invalid]
