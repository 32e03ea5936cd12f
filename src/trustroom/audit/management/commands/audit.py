"""`trustroom audit verify [--org SLUG]`: check the hash chain of one or every organization's audit log.

Exit status: 0 when every chain checked is intact, 1 when any is broken, 2 for an unknown organization.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trustroom.audit.models import AuditEvent
from trustroom.audit.verify import ChainReport, verify_chain
from trustroom.tenancy.models import Organization
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug

# Below this many events a check takes well under a second: a progress bar would only be noise.
PROGRESS_THRESHOLD = 10_000

EXIT_BROKEN = 1
EXIT_UNKNOWN_ORGANIZATION = 2


def report_line(slug: str, report: ChainReport) -> str:
    if report.ok:
        return f"OK {slug}: {report.events_checked} events, head {report.head_hash}"
    event_id = report.broken_event_id if report.broken_event_id is not None else "missing"
    return f"BROKEN {slug}: first broken event #{report.broken_seq} (id {event_id}): {report.reason}"


class Command(BaseCommand):
    help = "Audit log tools. `audit verify [--org SLUG]` checks the hash chain of one or every organization."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", metavar="SUBCOMMAND", title="subcommands", required=True
        )
        verify = subcommands.add_parser(
            "verify",
            help="Check the audit chain; exit 0 if intact, 1 if broken, 2 for an unknown organization.",
            description="Walk each organization's audit chain and report the first broken event, if any.",
        )
        verify.add_argument(
            "--org", metavar="SLUG", help="Check only this organization (default: every organization)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(org_slug=options.get("org"))

    def verify(self, *, org_slug: str | None) -> None:
        if org_slug is not None:
            organization = organization_by_slug(org_slug)
            if organization is None:
                raise CommandError(
                    f"No organization has the slug {org_slug!r}; "
                    "run without --org to check every organization.",
                    returncode=EXIT_UNKNOWN_ORGANIZATION,
                )
            organizations = [organization]
        else:
            organizations = list(Organization.objects.order_by("slug"))
            if not organizations:
                self.stdout.write("No organizations: nothing to verify.")
                return
        broken = 0
        for organization in organizations:
            with org_scope(organization):
                report = self._verify_one(organization)
            if report.ok:
                self.stdout.write(self.style.SUCCESS(report_line(organization.slug, report)))
            else:
                broken += 1
                self.stdout.write(self.style.ERROR(report_line(organization.slug, report)))
        if broken:
            raise CommandError(
                f"The audit chain of {broken} of {len(organizations)} organization(s) is broken.",
                returncode=EXIT_BROKEN,
            )

    def _verify_one(self, organization: Organization) -> ChainReport:
        total = AuditEvent.objects.count()
        if total <= PROGRESS_THRESHOLD:
            return verify_chain()
        # tqdm redraws one line with "\r": give it the raw stream, not Django's line-ending wrapper.
        stream = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(total=total, desc=organization.slug, unit=" events", file=stream, leave=False) as bar:
            return verify_chain(on_progress=bar.update)
