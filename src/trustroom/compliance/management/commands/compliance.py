"""`trustroom compliance load-frameworks` and `trustroom compliance send-reminders`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from trustroom.compliance import reminders
from trustroom.compliance.builtin import ensure_builtin_frameworks
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = (
        "Compliance tools. `compliance load-frameworks` loads or updates the built-in frameworks "
        "(idempotent; the migrations run it). `compliance send-reminders [--org SLUG] [--date YYYY-MM-DD]` "
        "sends the certification reminders due (idempotent; the daily job does the same)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        load = subcommands.add_parser("load-frameworks", help="Load or update the built-in frameworks.")
        load.add_argument("--database", default="default", help="Database alias (the table owner's).")
        send = subcommands.add_parser("send-reminders", help="Send the certification reminders due today.")
        send.add_argument("--org", metavar="SLUG", help="Only this organization (default: every one).")
        send.add_argument(
            "--date", metavar="YYYY-MM-DD", help="Act as on this UTC day (catching up, testing)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "load-frameworks":
            self.load_frameworks(using=options["database"])
        else:
            self.send_reminders(org_slug=options.get("org"), date=options.get("date"))

    def load_frameworks(self, *, using: str) -> None:
        try:
            result = ensure_builtin_frameworks(using=using)
        except DatabaseError as error:
            raise CommandError(
                f"Could not load the built-in frameworks ({error}). On PostgreSQL run this as the role "
                "that owns the tables (the one `trustroom migrate` uses), e.g. with its DATABASE_URL."
            ) from error
        self.stdout.write(
            f"Built-in frameworks: {result.frameworks_created} created, {result.frameworks_updated} updated; "
            f"requirements: {result.requirements_created} created, {result.requirements_updated} updated."
        )

    def send_reminders(self, *, org_slug: str | None, date: str | None) -> None:
        organization = None
        if org_slug is not None:
            organization = organization_by_slug(org_slug)
            if organization is None:
                raise CommandError(f"No organization has the slug {org_slug!r}.")
        now = None
        if date is not None:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError("Give --date as YYYY-MM-DD.") from error
            now = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        run = reminders.send_certification_reminders(now=now, organization=organization)
        self.stdout.write(
            f"Reminders: {run.reminders_due} due, {run.notifications_sent} notifications sent "
            f"across {run.organizations} organization(s)."
        )
