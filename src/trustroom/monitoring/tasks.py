"""Background jobs of alert routing: send one delivery (enqueued after commit), and the periodic sweep
that sends every due one (retries after backoff, and deliveries whose task was lost). Both idempotent."""

from __future__ import annotations

from celery import shared_task

from trustroom.tenancy.models import Organization


@shared_task(name="trustroom.monitoring.tasks.deliver")
def deliver(delivery_id: int, organization_id: int) -> str:
    """Send the delivery if it is pending and due; a delivered, failed or not-yet-due one is left alone."""
    from trustroom.monitoring.deliveries import attempt_delivery

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "skipped"
    return attempt_delivery(organization=organization, delivery_id=delivery_id)


@shared_task(name="trustroom.monitoring.tasks.send_due_deliveries")
def send_due_deliveries() -> dict[str, int]:
    """Every minute (CELERY_BEAT_SCHEDULE): pending deliveries whose next attempt is due."""
    from trustroom.monitoring.deliveries import send_due

    run = send_due()
    return {"delivered": run.delivered, "pending": run.pending, "failed": run.failed}
