"""`trustroom ip_allowlist show|clear SLUG`: the operator's view of an organization's IP allowlist.

`clear` is the way back in for an organization whose owners saved a list that shuts them all out
(they were warned and confirmed): it removes every network, as the platform, audit-logged like any
change. Run it only at the organization's request.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.identity.ip_allowlist import replace_allowlist
from trustroom.identity.models import IpAllowlistEntry
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    help = "IP allowlists: `ip_allowlist show SLUG` lists one; `ip_allowlist clear SLUG` removes all of it."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        show = subcommands.add_parser("show", help="List the organization's allowed networks.")
        show.add_argument("slug", metavar="SLUG")
        clear = subcommands.add_parser(
            "clear", help="Remove every network (members and API tokens become unrestricted); audit-logged."
        )
        clear.add_argument("slug", metavar="SLUG")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_by_slug(options["slug"])
        if organization is None:
            raise CommandError(f"No organization has the slug {options['slug']!r}.")
        with org_scope(organization):
            entries = list(IpAllowlistEntry.objects.all())
            if options["subcommand"] == "show":
                if not entries:
                    self.stdout.write(f"{organization.slug}: no allowlist (unrestricted)")
                for entry in entries:
                    self.stdout.write(f"{entry.network}\t{entry.applies_to}\t{entry.label}")
                return
            replace_allowlist(actor=system_principal(organization), entries=[], current_ip=None)
        self.stdout.write(f"{organization.slug}: removed {len(entries)} network(s); access is unrestricted.")
