"""Background jobs of the compliance app. They only notify, idempotently; state is computed when read."""

from __future__ import annotations

from celery import shared_task

from trustroom.compliance import reminders


@shared_task(name="trustroom.compliance.tasks.send_certification_reminders")
def send_certification_reminders() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): reminders before expiry and surveillance audits. Safe to run twice."""
    run = reminders.send_certification_reminders()
    return {"notifications_sent": run.notifications_sent, "reminders_due": run.reminders_due}
