"""`trustroom resilience send-reminders [--org SLUG] [--at ISO]`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.resilience import reminders
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = (
        "Resilience tools. `resilience send-reminders [--org SLUG] [--at ISO]` sends the reminders due "
        "(drill due within 7 days, drill overdue, action item overdue); idempotent, like the daily job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        send = subcommands.add_parser("send-reminders", help="Send the resilience reminders due now.")
        send.add_argument("--org", metavar="SLUG", help="Only this organization (default: every one).")
        send.add_argument(
            "--at",
            metavar="ISO",
            help="Act as at this moment (ISO 8601, e.g. 2026-03-01T09:00:00Z; a date means noon UTC).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options.get("org") is not None:
            organization = organization_by_slug(options["org"])
            if organization is None:
                raise CommandError(f"No organization has the slug {options['org']!r}.")
        now = parse_at(options.get("at"))
        run = reminders.send_reminders(now=now, organization=organization)
        self.stdout.write(
            f"Reminders: {run.reminders_due} due, {run.notifications_sent} notifications sent "
            f"across {run.organizations} organization(s)."
        )


def parse_at(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(12), tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            "Give --at as an ISO 8601 date or date and time, e.g. 2026-03-01T09:00:00Z."
        ) from error
    if moment.tzinfo is None:
        raise CommandError("Give --at with a time zone, e.g. 2026-03-01T09:00:00Z.")
    return moment.astimezone(dt.UTC)
