"""`trustroom access <verb>`: the access app's jobs from the command line (the periodic jobs do the same).

`access expire-grants [--org SLUG]` opens a revocation task for every grant past its expiry and tells the
system owners, once each (idempotent).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.access.services.grants import expire_grants_everywhere
from trustroom.tenancy.models import Organization
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = "Access jobs: `access expire-grants [--org SLUG]`."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        expire = subcommands.add_parser(
            "expire-grants", help="Open revocation tasks for expired grants and tell the system owners."
        )
        expire.add_argument("--org", metavar="SLUG", help="Only this organization (default: every one).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "expire-grants":
            run = expire_grants_everywhere(organization=self._organization(options.get("org")))
            opened = f"{run.tasks_opened} revocation task{'s' if run.tasks_opened != 1 else ''} opened"
            self.stdout.write(
                f"Expired grants: {run.expired} past their expiry, {opened}, "
                f"{run.notifications_sent} notification(s) sent across {run.organizations} organization(s)."
            )

    def _organization(self, slug: str | None) -> Organization | None:
        if slug is None:
            return None
        organization = organization_by_slug(slug)
        if organization is None:
            raise CommandError(f"No organization has the slug {slug!r}.")
        return organization
