"""Writes of the notifications app: notify people (in-app + e-mail, once per key), mark as read."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from trustroom.audit.services import record_event
from trustroom.notifications.models import Notification
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import membership_in

KEY_MAX = Notification._meta.get_field("key").max_length or 200
SUBJECT_MAX = Notification._meta.get_field("subject").max_length or 200


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return f"{settings.TRUSTROOM_BASE_URL.rstrip('/')}{url}"
    return url


@transaction.atomic
def notify(
    *,
    actor: Principal,
    recipients: Iterable[Any],
    key: str,
    subject: str,
    body: str = "",
    url: str = "",
) -> list[Notification]:
    """Notify each recipient (a member of the organization) once per `key`: in the app, and by e-mail
    after the transaction commits. Recipients who already have a notification with this key are skipped,
    so calling it again (a job run twice, a retried task) sends nothing new. Returns the new ones.
    """
    policies.check(actor, "add", Notification)
    organization = require_org()
    key = key.strip()
    errors: dict[str, str] = {}
    if not key or len(key) > KEY_MAX:
        errors["key"] = f"Give a key of 1 to {KEY_MAX} characters."
    if not subject.strip():
        errors["subject"] = "Give the notification a subject."
    if url and not url.startswith("/"):
        errors["url"] = "Give a path inside Trustroom, starting with /."
    if errors:
        raise ValidationError(errors)
    subject = subject.strip()[:SUBJECT_MAX]
    unique: dict[int, Any] = {}
    for user in recipients:
        if user is not None and user.pk is not None:
            unique.setdefault(user.pk, user)
    already = set(
        Notification.objects.filter(key=key, recipient_id__in=list(unique)).values_list(
            "recipient_id", flat=True
        )
    )
    created: list[Notification] = []
    for user_id, user in unique.items():
        if user_id in already:
            continue
        if membership_in(user, organization) is None:
            continue  # only members of the organization receive its notifications
        try:
            with transaction.atomic():  # a concurrent run that got there first only skips this one
                notification = Notification.objects.create(
                    organization=organization, recipient=user, key=key, subject=subject, body=body, url=url
                )
        except IntegrityError:
            continue
        created.append(notification)
    if not created:
        return []
    text = body + (f"\n\n{_absolute(url)}\n" if url else "\n")
    for notification in created:
        transaction.on_commit(
            partial(send_mail, subject, text, None, [notification.recipient.email]), robust=True
        )
    record_event(
        actor=actor,
        action="notification.sent",
        target=None,
        changes={"key": key, "subject": subject, "recipients": [n.recipient.email for n in created]},
    )
    return created


def mark_read(*, actor: Principal, notification: Notification) -> Notification:
    """Mark one of your own notifications read. Personal inbox state, not a change of the program:
    not audit-logged (like an API token's last use)."""
    if not policies.policy_for(Notification).allows(actor, "change", notification):
        raise PermissionDenied("You may only mark your own notifications as read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, actor: Principal) -> int:
    """Mark every unread notification of the actor read; returns how many. Not audit-logged (see above)."""
    policies.check(actor, "change", Notification)
    user_id = getattr(actor.user, "pk", None)
    if user_id is None:
        return 0
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
