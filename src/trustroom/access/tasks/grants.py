"""Hourly: revocation tasks for grants past their expiry (pages already read them as expired)."""

from __future__ import annotations

from celery import shared_task

from trustroom.access.services.grants import expire_grants_everywhere

__all__ = ["expire_grants"]


@shared_task(name="trustroom.access.tasks.expire_grants")
def expire_grants() -> dict[str, int]:
    run = expire_grants_everywhere()
    return {
        "expired": run.expired,
        "tasks_opened": run.tasks_opened,
        "notifications_sent": run.notifications_sent,
    }
