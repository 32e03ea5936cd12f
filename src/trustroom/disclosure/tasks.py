"""Background job of the disclosure app: keep security.txt's Expires ahead (idempotent)."""

from __future__ import annotations

from celery import shared_task

from trustroom.disclosure import services


@shared_task(name="trustroom.disclosure.tasks.renew_security_txt")
def renew_security_txt() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): expiries within 30 days move to now + 1 year - 1 day."""
    run = services.renew_security_txt()
    return {"organizations": run.organizations, "renewed": run.renewed}
