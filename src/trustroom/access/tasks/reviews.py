"""Background jobs of the access app. Safe to run twice (CELERY_BEAT_SCHEDULE runs them daily)."""

from __future__ import annotations

from celery import shared_task

from trustroom.access.services import reviews


@shared_task(name="trustroom.access.tasks.open_due_reviews")
def open_due_reviews() -> dict[str, int]:
    """Daily: open the campaign of each schedule's latest occurrence once; tell about overdue ones once."""
    run = reviews.run_review_jobs()
    return {
        "organizations": run.organizations,
        "opened": run.opened,
        "overdue_notified": run.overdue_notified,
    }
