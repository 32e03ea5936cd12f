"""Background jobs of the VAPT programme: SLA notifications and risk-acceptance expiry.

Both only notify or persist what is already computed when read, and both are safe to run twice
(CELERY_BEAT_SCHEDULE runs them every 15 minutes and hourly).
"""

from __future__ import annotations

from celery import shared_task

from trustroom.assessments import sla_notifications

__all__ = ["expire_risk_acceptances", "send_sla_notifications"]


@shared_task(name="trustroom.assessments.tasks.send_sla_notifications")
def send_sla_notifications() -> dict[str, int]:
    """Every 15 minutes (SLA windows are hours): approaching and breached deadlines, each told once."""
    run = sla_notifications.send_sla_notifications()
    return {
        "approaching": run.approaching,
        "breached": run.breached,
        "notifications_sent": run.notifications_sent,
    }


@shared_task(name="trustroom.assessments.tasks.expire_risk_acceptances")
def expire_risk_acceptances() -> dict[str, int]:
    """Hourly: risk acceptances past their expiry are stored as reopened."""
    run = sla_notifications.expire_risk_acceptances()
    return {"reopened": run.reopened}
