"""`trustroom access open-reviews [--org SLUG] [--at ISO-DATETIME]`: the access review job, by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.access.services import reviews
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = (
        "Access jobs (idempotent; the periodic jobs do the same). `access open-reviews [--org SLUG] "
        "[--at ISO-DATETIME]` opens the campaign of each schedule's latest occurrence not opened yet and "
        "tells reviewers and the security team about assignments and overdue campaigns, once each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        open_reviews = subcommands.add_parser("open-reviews", help="Open due access review campaigns.")
        open_reviews.add_argument(
            "--org", metavar="SLUG", help="Only this organization (default: every one)."
        )
        open_reviews.add_argument(
            "--at", metavar="ISO-DATETIME", help="Act as at this moment, e.g. 2026-03-02T09:00:00+00:00."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options.get("org"):
            organization = organization_by_slug(options["org"])
            if organization is None:
                raise CommandError(f"No organization has the slug {options['org']!r}.")
        now = None
        if options.get("at"):
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError as error:
                raise CommandError(
                    "Give --at as an ISO date and time, e.g. 2026-03-02T09:00:00+00:00."
                ) from error
            if now.tzinfo is None:
                raise CommandError("Give --at with a time zone, e.g. 2026-03-02T09:00:00+00:00 or ...Z.")
            now = now.astimezone(dt.UTC)
        run = reviews.run_review_jobs(organization=organization, now=now)
        self.stdout.write(
            f"Access reviews: {run.opened} campaign(s) opened, "
            f"{run.overdue_notified} overdue notification(s) "
            f"sent across {run.organizations} organization(s)."
        )
