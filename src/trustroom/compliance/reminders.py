"""Reminders before a certification expires and before each surveillance audit: 90, 30 and 7 days ahead.

Each reminder is sent once (e-mail + in-app) to the organization's owners and admins and to the
certification's owner. The notification key names the certification, the event, its date and the
threshold, so running the job twice sends nothing new; a job that missed days sends only the most
recent threshold that is due (25 days before expiry: the 30-day reminder, not the stale 90-day one).
A changed date (e.g. a renewed certificate's new expiry) is a new event with its own reminders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from trustroom.compliance.models import Certification
from trustroom.compliance.state import surveillance_dates, utc_today
from trustroom.notifications.models import Notification
from trustroom.notifications.services import notify
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import members_of

THRESHOLDS = (90, 30, 7)
EXPIRY = "expiry"
SURVEILLANCE = "surveillance"


@dataclass(frozen=True)
class DueReminder:
    certification_id: int
    event: str  # expiry | surveillance
    event_date: dt.date
    threshold: int
    days_left: int

    @property
    def key(self) -> str:
        date = self.event_date.isoformat()
        return f"certification:{self.certification_id}:{self.event}:{date}:{self.threshold}d"


def due_reminders(cert: Any, today: dt.date) -> list[DueReminder]:
    """The reminders due today for one certification: for each coming event, the smallest threshold
    it is within (none for superseded certifications or past events)."""
    if cert.superseded_by_id is not None:
        return []
    events = [(EXPIRY, cert.valid_until)]
    events += [
        (SURVEILLANCE, date)
        for date in surveillance_dates(
            valid_from=cert.valid_from,
            valid_until=cert.valid_until,
            interval_months=cert.surveillance_interval_months,
        )
    ]
    due = []
    for event, date in events:
        days_left = (date - today).days
        if days_left < 0:
            continue
        within = [threshold for threshold in THRESHOLDS if days_left <= threshold]
        if within:
            due.append(DueReminder(cert.pk, event, date, min(within), days_left))
    return due


def _message(cert: Certification, reminder: DueReminder) -> tuple[str, str]:
    when = reminder.event_date.isoformat()
    days = "today" if reminder.days_left == 0 else f"in {reminder.days_left} days"
    if reminder.event == EXPIRY:
        subject = f"{cert.title} expires {days} ({when})"
        body = (
            f"{cert.title} is valid until {when}. "
            "Start the renewal so that the trust center keeps showing a valid certification; "
            "after that day it shows as expired."
        )
    else:
        subject = f"Surveillance audit of {cert.title} {days} ({when})"
        auditor = cert.issuer or "the auditor"
        body = f"The surveillance audit of {cert.title} is due on {when}. Plan it with {auditor}."
    return subject, body


def recipients_for(organization: Organization, cert: Certification) -> list[Any]:
    people = [m.user for m in members_of(organization).filter(role__in=[Role.OWNER, Role.ADMIN])]
    if cert.owner is not None:
        people.append(cert.owner)
    return people


@dataclass
class ReminderRun:
    notifications_sent: int = 0
    reminders_due: int = 0
    organizations: int = 0
    keys: list[str] = field(default_factory=list)


def send_certification_reminders(
    *, now: dt.datetime | None = None, organization: Organization | None = None
) -> ReminderRun:
    """Send the reminders due at `now` for one or every organization. Idempotent."""
    now = now or timezone.now()
    today = utc_today(now)
    run = ReminderRun()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        run.organizations += 1
        with org_scope(org):
            actor = system_principal(org)
            certs = Certification.objects.filter(
                superseded_by__isnull=True, valid_until__gte=today
            ).select_related("owner")
            for cert in certs:
                for reminder in due_reminders(cert, today):
                    run.reminders_due += 1
                    subject, body = _message(cert, reminder)
                    url = reverse(
                        "compliance:certification-detail", kwargs={"org_slug": org.slug, "pk": cert.pk}
                    )
                    sent: list[Notification] = notify(
                        actor=actor,
                        recipients=recipients_for(org, cert),
                        key=reminder.key,
                        subject=subject,
                        body=body,
                        url=url,
                    )
                    if sent:
                        run.keys.append(reminder.key)
                    run.notifications_sent += len(sent)
    return run
