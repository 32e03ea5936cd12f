"""`trustroom alerts add-source --org SLUG --kind guardduty|asff|generic [--name NAME]`.

Prints exactly two lines, `url=<endpoint URL path>` and `secret=<secret>`: both are shown only now.

`trustroom alerts deliver-due [--org SLUG]` sends every alert notification whose next attempt is due
(what the worker's periodic job does; run it from cron in the embedded mode without a worker).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.monitoring.deliveries import send_due
from trustroom.monitoring.models import SourceKind
from trustroom.monitoring.services import create_source
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = (
        "Security alert intake: `alerts add-source --org SLUG --kind KIND` makes a signed webhook endpoint; "
        "`alerts deliver-due` sends the alert notifications that are due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        add = subcommands.add_parser(
            "add-source", help="Create an alert source; prints its URL path and secret."
        )
        add.add_argument("--org", required=True, metavar="SLUG")
        add.add_argument("--kind", required=True, choices=SourceKind.values)
        add.add_argument("--name", default="")
        due = subcommands.add_parser("deliver-due", help="Send the alert notifications that are due.")
        due.add_argument("--org", metavar="SLUG", help="Only this organization (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "deliver-due":
            self.deliver_due(options.get("org"))
            return
        organization = organization_by_slug(options["org"])
        if organization is None:
            raise CommandError(f"No organization has the slug {options['org']!r}.")
        try:
            with org_scope(organization):
                new = create_source(
                    actor=system_principal(organization), kind=options["kind"], name=options["name"]
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"url={new.path}")
        self.stdout.write(f"secret={new.secret}")

    def deliver_due(self, slug: str | None) -> None:
        organization = None
        if slug:
            organization = organization_by_slug(slug)
            if organization is None:
                raise CommandError(f"No organization has the slug {slug!r}.")
        run = send_due(organization=organization)
        self.stdout.write(f"delivered={run.delivered} pending={run.pending} failed={run.failed}")
