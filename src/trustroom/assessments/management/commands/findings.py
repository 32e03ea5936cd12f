"""`trustroom findings import --org SLUG --application NAME [--format FORMAT] FILE`."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from trustroom.assessments.importers import FORMATS
from trustroom.assessments.imports import import_findings
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
        "created / updated / unchanged / closed / reopened counts."
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

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        organization = organization_by_slug(options["org"])
        if organization is None:
            raise CommandError(f"No organization has the slug {options['org']!r}.")
        size = os.path.getsize(path)
        bar = None
        if not options["no_progress"]:
            bar = tqdm(total=size, unit="B", unit_scale=True, desc="Parsing", file=sys.stderr, leave=False)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.update(done - bar.n)

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
                )
        except ValidationError as error:
            raise CommandError(f"Import failed, nothing was imported: {_error_text(error)}") from error
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            f"Imported {result.total} results ({result.format}) into {application.name}: "
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"closed {result.closed}, reopened {result.reopened}"
        )
