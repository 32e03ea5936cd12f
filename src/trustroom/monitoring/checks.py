"""Deploy check: the test-only switch that lets webhook notifiers post over plain http is refused."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def notifier_http_refused(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if getattr(settings, "TRUSTROOM_NOTIFIER_ALLOW_HTTP", False):
        return [
            checks.Error(
                "TRUSTROOM_NOTIFIER_ALLOW_HTTP is on: alert notifications (and their webhook URLs, which "
                "are secrets) could be sent over plain http.",
                hint="Unset TRUSTROOM_NOTIFIER_ALLOW_HTTP; it exists for tests only.",
                id="trustroom.monitoring.E001",
            )
        ]
    return []
