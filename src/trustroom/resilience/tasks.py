"""Background jobs of the resilience app. They only notify, idempotently; state is computed when read."""

from __future__ import annotations

from celery import shared_task

from trustroom.resilience import reminders


@shared_task(name="trustroom.resilience.tasks.send_resilience_reminders")
def send_resilience_reminders() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): drills due or overdue, action items overdue. Safe to run twice."""
    run = reminders.send_reminders()
    return {"notifications_sent": run.notifications_sent, "reminders_due": run.reminders_due}
