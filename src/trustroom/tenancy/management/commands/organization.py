"""`trustroom organization create SLUG --name NAME --owner EMAIL`, `trustroom organization list`.

How an operator makes the first organization of an installation and its owner (everyone else joins by
invitation). A new owner account's password is read from standard input with `--password-stdin` (for
scripts) or asked for twice at a terminal; it is never an argument, which would stay in shell history.
"""

from __future__ import annotations

import sys
from getpass import getpass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustroom.tenancy.provisioning import owner_exists, provision_organization
from trustroom.tenancy.selectors import organizations_with_member_counts


def _explained(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Organizations of this installation: `organization create SLUG --name NAME --owner EMAIL`, `list`."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        create = subcommands.add_parser("create", help="Create an organization and its first owner.")
        create.add_argument("slug", metavar="SLUG", help="lowercase letters, digits and hyphens, e.g. acme")
        create.add_argument("--name", required=True, help="the organization's display name")
        create.add_argument("--owner", required=True, metavar="EMAIL", help="the first owner's e-mail")
        create.add_argument("--owner-name", default="", help="the owner's full name, for a new account")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="read a new owner account's password from the first line of standard input",
        )
        subcommands.add_parser("list", help="List the organizations with their member counts.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            self._list()
            return
        email = options["owner"]
        password = None
        if not owner_exists(email):
            password = self._new_password(email, from_stdin=options["password_stdin"])
        try:
            made = provision_organization(
                slug=options["slug"],
                name=options["name"],
                owner_email=email,
                password=password,
                full_name=options["owner_name"],
            )
        except ValidationError as error:
            raise CommandError(f"Nothing was created. {_explained(error)}") from None
        org, owner = made.organization, made.owner
        account = "a new account" if made.created_owner else "an existing account"
        made_line = f"Created {org.name} ({org.slug}), owned by {owner.email} ({account})."
        self.stdout.write(self.style.SUCCESS(made_line))
        base = settings.TRUSTROOM_BASE_URL.rstrip("/")
        self.stdout.write(f"Sign in at {base}/accounts/login/; workspace: {base}/o/{org.slug}/")

    def _new_password(self, email: str, *, from_stdin: bool) -> str:
        if from_stdin:
            line = sys.stdin.readline().rstrip("\r\n")
            if not line:
                raise CommandError("Nothing was created. --password-stdin: standard input held no password.")
            return line
        if not sys.stdin.isatty():
            raise CommandError(
                f"Nothing was created. No account has the e-mail {email}: give its password with "
                "--password-stdin, or run the command at a terminal to be asked for it."
            )
        first = getpass(f"Password for the new account {email}: ")
        if getpass("The same password again: ") != first:
            raise CommandError("Nothing was created. The two passwords differ.")
        return first

    def _list(self) -> None:
        organizations = list(organizations_with_member_counts())
        if not organizations:
            self.stdout.write("No organizations yet (trustroom organization create makes one).")
            return
        for org in organizations:
            count = org.member_count  # type: ignore[attr-defined]
            self.stdout.write(f"{org.slug}\t{org.name}\t{count} member{'s' if count != 1 else ''}")
