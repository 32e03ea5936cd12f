"""`trustroom controls run --org SLUG [--check NAME]`: run checks now and print each result."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trustroom.controls import selectors, services
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = (
        "Automated checks. `controls run --org SLUG [--check NAME]` runs the organization's enabled checks "
        "(or the one named) now, stores each result as evidence and prints a line per check."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        run = subcommands.add_parser("run", help="Run checks now and print each result.")
        run.add_argument("--org", metavar="SLUG", required=True, help="The organization.")
        run.add_argument("--check", metavar="NAME", help="Only the check with this name.")
        run.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_by_slug(options["org"])
        if organization is None:
            raise CommandError(f"No organization has the slug {options['org']!r}.")
        with org_scope(organization):
            checks = selectors.checks()
            if options.get("check"):
                checks = checks.filter(name=options["check"])
                if not checks.exists():
                    raise CommandError(f"{organization.slug} has no check named {options['check']!r}.")
            else:
                checks = checks.filter(enabled=True)
            items = list(checks)
            if not items:
                self.stdout.write("No enabled checks to run.")
                return
            actor = system_principal(organization)
            bar: tqdm[Any] | None = None
            if len(items) > 1 and not options["no_progress"]:
                bar = tqdm(total=len(items), unit=" checks", desc="Running", file=sys.stderr, leave=False)
            failed = 0
            for check in items:
                run = services.run_check(actor=actor, check=check)
                if run.outcome != "pass":
                    failed += 1
                self.stdout.write(f"{check.name}: {run.outcome.upper()} - {run.summary}")
                if bar is not None:
                    bar.update(1)
            if bar is not None:
                bar.close()
            self.stdout.write(
                f"{len(items)} check(s) run, {len(items) - failed} passed, {failed} did not pass."
            )
