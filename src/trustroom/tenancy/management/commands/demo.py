"""`trustroom demo`: load the demo organization (idempotent) and say how to sign in."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from trustroom.tenancy.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo organization 'demo-co' into the configured database (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        org = result.organization
        verb = "Created" if result.created_organization else "Demo organization already present:"
        self.stdout.write(self.style.SUCCESS(f"{verb} {org.name} ({org.slug})."))
        base = settings.TRUSTROOM_BASE_URL.rstrip("/")
        self.stdout.write(f"Sign in at {base}/accounts/login/ as {result.admin_email}")
        if result.admin_password:
            self.stdout.write(self.style.WARNING(f"  password: {result.admin_password}"))
            self.stdout.write("  (shown only this once; change it after signing in)")
        else:
            self.stdout.write(
                f"  with the password printed when it was created; to set a new one: "
                f"trustroom changepassword {result.admin_email}"
            )
        self.stdout.write(f"Workspace: {base}/o/{org.slug}/")
