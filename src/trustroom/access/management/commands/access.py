"""`trustroom access <verb>`: the access app's jobs from the command line (the periodic jobs do the same).

- `access expire-grants [--org SLUG]` opens a revocation task for every grant past its expiry and tells the
  system owners, once each (idempotent).
- `access open-reviews [--org SLUG] [--at ISO-DATETIME]` opens the campaign of each schedule's latest
  occurrence not opened yet and tells reviewers and the security team about assignments and overdue
  campaigns, once each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.access.services import reviews
from trustroom.access.services.grants import expire_grants_everywhere
from trustroom.tenancy.models import Organization
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = "Access jobs: `access expire-grants [--org SLUG]`, `access open-reviews [--org SLUG] [--at ISO]`."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        expire = subcommands.add_parser(
            "expire-grants", help="Open revocation tasks for expired grants and tell the system owners."
        )
        expire.add_argument("--org", metavar="SLUG", help="Only this organization (default: every one).")
        open_reviews = subcommands.add_parser("open-reviews", help="Open due access review campaigns.")
        open_reviews.add_argument(
            "--org", metavar="SLUG", help="Only this organization (default: every one)."
        )
        open_reviews.add_argument(
            "--at", metavar="ISO-DATETIME", help="Act as at this moment, e.g. 2026-03-02T09:00:00+00:00."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = self._organization(options.get("org"))
        if options["subcommand"] == "expire-grants":
            run = expire_grants_everywhere(organization=organization)
            opened = f"{run.tasks_opened} revocation task{'s' if run.tasks_opened != 1 else ''} opened"
            self.stdout.write(
                f"Expired grants: {run.expired} past their expiry, {opened}, "
                f"{run.notifications_sent} notification(s) sent across {run.organizations} organization(s)."
            )
        elif options["subcommand"] == "open-reviews":
            result = reviews.run_review_jobs(organization=organization, now=self._moment(options.get("at")))
            self.stdout.write(
                f"Access reviews: {result.opened} campaign(s) opened, "
                f"{result.overdue_notified} overdue notification(s) "
                f"sent across {result.organizations} organization(s)."
            )

    @staticmethod
    def _organization(slug: str | None) -> Organization | None:
        if slug is None:
            return None
        organization = organization_by_slug(slug)
        if organization is None:
            raise CommandError(f"No organization has the slug {slug!r}.")
        return organization

    @staticmethod
    def _moment(value: str | None) -> dt.datetime | None:
        if not value:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                "Give --at as an ISO date and time, e.g. 2026-03-02T09:00:00+00:00."
            ) from error
        if moment.tzinfo is None:
            raise CommandError("Give --at with a time zone, e.g. 2026-03-02T09:00:00+00:00 or ...Z.")
        return moment.astimezone(dt.UTC)
