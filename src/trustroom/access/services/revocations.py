"""Revocation tasks: taking access away in the real system, tracked until someone confirms it.

Shared by grant expiry, access reviews, policy rules and imports. A task is created at most once per
grant and reason while open (a database constraint), so the jobs that create them may run twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from trustroom.access.models import AccessGrant, RevocationReason, RevocationTask
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal

# How long the people who run a system have to take access away once a task is opened.
REVOCATION_DAYS = 3


@transaction.atomic
def open_revocation_task(
    *, actor: Principal, grant: AccessGrant, reason: str, note: str = "", due_at: datetime | None = None
) -> tuple[RevocationTask, bool]:
    """The open task for this grant and reason, created if there is none; (task, created)."""
    policies.check(actor, "add", RevocationTask)
    if reason not in RevocationReason.values:
        raise ValidationError({"reason": f"Reason must be one of: {', '.join(RevocationReason.values)}."})
    existing = RevocationTask.objects.filter(grant=grant, reason=reason, completed_at__isnull=True).first()
    if existing is not None:
        return existing, False
    due = due_at or timezone.now() + timedelta(days=REVOCATION_DAYS)
    try:
        with transaction.atomic():
            task = RevocationTask.objects.create(grant=grant, reason=reason, note=note, due_at=due)
    except IntegrityError:  # another process opened it a moment ago
        return RevocationTask.objects.get(grant=grant, reason=reason, completed_at__isnull=True), False
    record_event(
        actor=actor,
        action="access.revocation_task_opened",
        target=task,
        changes={"grant": grant.pk, "person": grant.person_email, "reason": reason, "due_at": due},
    )
    return task, True


@transaction.atomic
def complete_revocation_task(*, actor: Principal, task: RevocationTask, note: str = "") -> RevocationTask:
    """Confirm the access was taken away: the task closes and the grant reads as revoked from now on."""
    policies.check(actor, "change", task)
    task = RevocationTask.objects.select_for_update().get(pk=task.pk)
    if task.completed_at is not None:
        raise ValidationError("This revocation was already confirmed.")
    now = timezone.now()
    task.completed_at = now
    task.completed_by = actor.user if actor.is_member else None
    if note:
        task.note = f"{task.note}\n{note}".strip()
    task.save(update_fields=["completed_at", "completed_by", "note"])
    grant = AccessGrant.objects.select_for_update().get(pk=task.grant_id)
    if grant.revoked_at is None:
        grant.revoked_at = now
        grant.revoked_by = task.completed_by
        grant.revocation_reason = task.get_reason_display()
        grant.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    record_event(
        actor=actor,
        action="access.revocation_confirmed",
        target=task,
        changes={"grant": grant.pk, "person": grant.person_email, "reason": task.reason, "note": note},
    )
    return task
