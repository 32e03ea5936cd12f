"""`trustroom disclosure renew-security-txt [--org SLUG] [--at ISO]` (the daily job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.disclosure import services
from trustroom.resilience.management.commands.resilience import parse_at
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = (
        "Vulnerability disclosure tools. `disclosure renew-security-txt` moves each policy's security.txt "
        "expiry to now + 1 year - 1 day when it falls within 30 days; idempotent (run it daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        renew = subcommands.add_parser("renew-security-txt", help="Renew security.txt expiries due soon.")
        renew.add_argument("--org", metavar="SLUG", help="Only this organization (default: every one).")
        renew.add_argument("--at", metavar="ISO", help="Act as at this moment (ISO 8601 with a time zone).")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options.get("org") is not None:
            organization = organization_by_slug(options["org"])
            if organization is None:
                raise CommandError(f"No organization has the slug {options['org']!r}.")
        run = services.renew_security_txt(now=parse_at(options.get("at")), organization=organization)
        self.stdout.write(f"security.txt: {run.renewed} renewed across {run.organizations} organization(s).")
