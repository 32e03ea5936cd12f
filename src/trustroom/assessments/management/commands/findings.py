"""`trustroom findings import --org SLUG --application NAME [--format FORMAT] FILE` and
`trustroom findings sweep-imports [--running-after MINUTES] [--queued-after MINUTES]`."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.template.defaultfilters import pluralize
from tqdm import tqdm

from trustroom.assessments.importers import FORMATS
from trustroom.assessments.imports import import_findings, sweep_stale_imports
from trustroom.assessments.imports.sweep import QUEUED_AFTER, RUNNING_AFTER
from trustroom.assessments.models import Application, Engagement
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = (
        "Findings tools. `findings import --org SLUG --application NAME [--format FORMAT] [--engagement ID] "
        "[--close-missing] FILE` imports a scanner report (format detected when omitted) and prints the "
        "created / updated / unchanged / closed / reopened counts. `findings sweep-imports` fails imports "
        "whose worker stopped and queues again the ones whose task was lost (also run every 10 minutes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        imp = subcommands.add_parser("import", help="Import a scanner report into an application's findings.")
        imp.add_argument("--org", metavar="SLUG", required=True, help="The organization's slug.")
        imp.add_argument("--application", metavar="NAME", required=True, help="The application's name.")
        imp.add_argument(
            "--format", metavar="FORMAT", help=f"One of {', '.join(FORMATS)} (default: detected)."
        )
        imp.add_argument("--engagement", metavar="ID", type=int, help="Link new findings to this engagement.")
        imp.add_argument(
            "--close-missing",
            action="store_true",
            help="Close this scanner's unresolved findings that are not in the report (a full scan).",
        )
        imp.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")
        imp.add_argument("file", metavar="FILE", help="The scanner report.")
        sweep = subcommands.add_parser("sweep-imports", help="Settle imports left running or queued.")
        sweep.add_argument(
            "--running-after",
            metavar="MINUTES",
            type=int,
            default=int(RUNNING_AFTER.total_seconds() // 60),
            help="Fail a running import without progress for this long (default: %(default)s).",
        )
        sweep.add_argument(
            "--queued-after",
            metavar="MINUTES",
            type=int,
            default=int(QUEUED_AFTER.total_seconds() // 60),
            help="Queue again (once) an import waiting this long (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "sweep-imports":
            self.sweep(options)
        else:
            self.import_report(options)

    def sweep(self, options: dict[str, Any]) -> None:
        if options["running_after"] < 1 or options["queued_after"] < 1:
            raise CommandError("--running-after and --queued-after must be at least 1 minute.")
        result = sweep_stale_imports(
            running_after=timedelta(minutes=options["running_after"]),
            queued_after=timedelta(minutes=options["queued_after"]),
        )
        self.stdout.write(f"Stale imports: failed {len(result.failed)}, queued again {len(result.requeued)}")

    def import_report(self, options: dict[str, Any]) -> None:
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        organization = organization_by_slug(options["org"])
        if organization is None:
            raise CommandError(f"No organization has the slug {options['org']!r}.")
        size = os.path.getsize(path)
        show = not options["no_progress"]
        bars: list[tqdm[Any]] = []
        if show:
            bars.append(
                tqdm(total=size, unit="B", unit_scale=True, desc="Parsing", file=sys.stderr, leave=False)
            )

        def progress(done: int, total: int) -> None:
            if bars:
                bars[-1].total = total
                bars[-1].update(done - bars[-1].n)

        def write_progress(done: int, total: int) -> None:
            if show and len(bars) == 1:  # the parse is over: a bar of results saved replaces it
                bars[0].close()
                bars.append(tqdm(total=total, unit=" results", desc="Saving", file=sys.stderr, leave=False))
            progress(done, total)

        try:
            # The import is one transaction; the scope joins it (a failure rolls it all back).
            with transaction.atomic(), org_scope(organization):
                application = Application.objects.filter(name=options["application"]).first()
                if application is None:
                    raise CommandError(
                        f"No application named {options['application']!r} in {organization.slug}."
                    )
                engagement = None
                if options["engagement"] is not None:
                    engagement = Engagement.objects.filter(pk=options["engagement"]).first()
                    if engagement is None:
                        raise CommandError(f"No engagement {options['engagement']} in {organization.slug}.")
                result = import_findings(
                    actor=system_principal(organization),
                    application=application,
                    path=path,
                    format=options.get("format"),
                    engagement=engagement,
                    close_missing=options["close_missing"],
                    progress=progress,
                    write_progress=write_progress,
                )
        except ValidationError as error:
            raise CommandError(f"Import failed, nothing was imported: {_error_text(error)}") from error
        finally:
            for bar in bars:
                bar.close()
        self.stdout.write(
            f"Imported {result.total} result{pluralize(result.total)} ({result.format}) "
            f"into {application.name}: "
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"closed {result.closed}, reopened {result.reopened}"
        )
