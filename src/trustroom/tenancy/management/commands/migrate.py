"""`trustroom migrate`: Django's migrate, then the application role's grants on PostgreSQL."""

from typing import Any

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

from trustroom.tenancy.dbroles import grant_app_role


class Command(MigrateCommand):
    help = MigrateCommand.help + " On PostgreSQL, then grants TRUSTROOM_DB_APP_ROLE its privileges."

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        connection = connections[options["database"]]
        role = settings.TRUSTROOM_DB_APP_ROLE
        if connection.vendor == "postgresql" and role:
            grant_app_role(connection, role)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Granted the application role {role!r} its privileges.")
