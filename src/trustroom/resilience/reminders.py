"""Reminders of the resilience program: a drill due within 7 days, a drill overdue, an action item overdue.

Each is sent once (e-mail + in-app) to the organization's owners and admins and to the plan's or the
item's owner. The key names the record, the event and the due moment, so a job run twice sends nothing
new; a new drill (a new due moment) or a changed due date is a new event with reminders of its own.
State is computed by `trustroom.resilience.state` at `now`: nothing is marked or stored here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from trustroom.notifications.services import notify
from trustroom.resilience import selectors
from trustroom.resilience.state import DUE_SOON
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import members_of


def drill_due_key(plan_id: int, due: dt.datetime) -> str:
    return f"resilience:plan:{plan_id}:drill-due:{due.astimezone(dt.UTC).isoformat()}"


def drill_overdue_key(plan_id: int, due: dt.datetime) -> str:
    return f"resilience:plan:{plan_id}:drill-overdue:{due.astimezone(dt.UTC).isoformat()}"


def action_item_overdue_key(item_id: int, due_on: dt.date) -> str:
    return f"resilience:action-item:{item_id}:overdue:{due_on.isoformat()}"


def recipients_for(organization: Organization, owner: Any) -> list[Any]:
    people = [m.user for m in members_of(organization).filter(role__in=[Role.OWNER, Role.ADMIN])]
    if owner is not None and all(person.pk != owner.pk for person in people):
        people.append(owner)
    return people


@dataclass
class ReminderRun:
    notifications_sent: int = 0
    reminders_due: int = 0
    organizations: int = 0
    keys: list[str] = field(default_factory=list)


def _send(
    run: ReminderRun, *, actor: Any, recipients: list[Any], key: str, subject: str, body: str, url: str
) -> None:
    run.reminders_due += 1
    sent = notify(actor=actor, recipients=recipients, key=key, subject=subject, body=body, url=url)
    if sent:
        run.keys.append(key)
    run.notifications_sent += len(sent)


def send_reminders(
    *, now: dt.datetime | None = None, organization: Organization | None = None
) -> ReminderRun:
    """Send the reminders due at `now` for one or every organization. Idempotent."""
    now = now or timezone.now()
    run = ReminderRun()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        run.organizations += 1
        with org_scope(org):
            actor = system_principal(org)
            for plan in selectors.plans_with_state(now):
                state = plan.state  # type: ignore[attr-defined]
                due = state.next_due
                if due is None:
                    continue
                url = reverse("resilience:plan-detail", kwargs={"org_slug": org.slug, "pk": plan.pk})
                when = f"{due:%Y-%m-%d %H:%M} UTC"
                if state.overdue:
                    _send(
                        run,
                        actor=actor,
                        recipients=recipients_for(org, plan.owner),
                        key=drill_overdue_key(plan.pk, due),
                        subject=f"Failover drill of {plan.service} is overdue (due {when})",
                        body=f"The failover drill of {plan.service} was due {when} and none has been "
                        "recorded since. Until one is, the trust center shows its DR claim as stale.",
                        url=url,
                    )
                elif due - now <= DUE_SOON:
                    _send(
                        run,
                        actor=actor,
                        recipients=recipients_for(org, plan.owner),
                        key=drill_due_key(plan.pk, due),
                        subject=f"Failover drill of {plan.service} due {when}",
                        body=f"The next failover drill of {plan.service} is due {when}. Plan it and record "
                        "its start, end, measured RTO and RPO and outcome.",
                        url=url,
                    )
            items = selectors.action_items().filter(selectors.overdue_filter(now))
            for item in items:
                assert item.due_on is not None  # noqa: S101 - the filter keeps dated items only
                _send(
                    run,
                    actor=actor,
                    recipients=recipients_for(org, item.owner),
                    key=action_item_overdue_key(item.pk, item.due_on),
                    subject=f"Action item overdue: {item.title}",
                    body=f"The action item “{item.title}” was due {item.due_on.isoformat()} and is still "
                    f"{item.get_status_display().lower()}.",
                    url=reverse("resilience:action-items", kwargs={"org_slug": org.slug}),
                )
    return run
