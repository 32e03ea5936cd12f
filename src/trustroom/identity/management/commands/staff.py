"""`trustroom staff set|unset EMAIL`, `trustroom staff list`: who is platform support staff.

Staff (`User.is_staff`) see nothing of an organization by being staff: they need an owner's support
access grant (see `trustroom.identity.support_access`). This is a platform-level flag, so the change is
printed, not written to any organization's audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.identity.support_access import platform_staff, set_platform_staff


class Command(BaseCommand):
    help = "Platform support staff: `staff set EMAIL`, `staff unset EMAIL`, `staff list`."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        grant = subcommands.add_parser("set", help="Make the account platform staff.")
        grant.add_argument("email", metavar="EMAIL")
        revoke = subcommands.add_parser("unset", help="Make the account an ordinary one again.")
        revoke.add_argument("email", metavar="EMAIL")
        subcommands.add_parser("list", help="List the platform staff accounts.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            staff = platform_staff()
            if not staff:
                self.stdout.write("No platform staff.")
            for email in staff:
                self.stdout.write(email)
            return
        wanted = options["subcommand"] == "set"
        try:
            user, changed = set_platform_staff(email=options["email"], is_staff=wanted)
        except LookupError as error:
            raise CommandError(str(error)) from None
        state = "platform staff" if wanted else "not platform staff"
        if changed:
            self.stdout.write(f"{user.email}: is now {state} (was {'not ' if wanted else ''}staff).")
        else:
            self.stdout.write(f"{user.email}: already {state}; nothing changed.")
