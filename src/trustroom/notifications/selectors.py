"""Reads of a person's notifications; always filtered by recipient inside the organization's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from trustroom.notifications.models import Notification


def inbox(user: Any) -> QuerySet[Notification]:
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user_id)


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()
