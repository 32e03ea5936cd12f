"""`trustroom vault rotate-keys [--retire-old] [--data-keys] [--org SLUG]` and `trustroom vault sweep`.

rotate-keys adds a new primary version to the key-encryption keyset, then re-wraps every organization's
data keys with it (one transaction and one audit event per organization). With --retire-old, the old KEK
versions are removed from the keyset afterwards, and only if every data key of every organization is
wrapped by the new primary. With --data-keys, each organization also gets a new data key and every
document is re-encrypted with it.

sweep removes stored ciphertexts that no document row points at (older than --grace-minutes).

Exit status: 0 when done; 1 when some organization failed (old KEK versions are then kept);
2 for an unknown organization.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug
from trustroom.vault import crypto, keys, maintenance, rotation, services

# Below this many organizations the run takes a moment: a progress bar would only be noise.
PROGRESS_THRESHOLD = 20

EXIT_FAILED = 1
EXIT_UNKNOWN_ORGANIZATION = 2


class Command(BaseCommand):
    help = "Document vault tools. `vault rotate-keys` rotates the key-encryption key and re-wraps data keys."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", metavar="SUBCOMMAND", title="subcommands", required=True
        )
        rotate = subcommands.add_parser(
            "rotate-keys",
            help="New primary KEK version; re-wrap every organization's data keys with it.",
            description="Add a new primary version to the key-encryption keyset and re-wrap every "
            "organization's data keys with it, one organization at a time (each atomic and audit-logged).",
        )
        rotate.add_argument(
            "--retire-old",
            action="store_true",
            help="Afterwards remove the old KEK versions, only if every data key was re-wrapped.",
        )
        rotate.add_argument(
            "--data-keys",
            action="store_true",
            help="Also give each organization a new data key and re-encrypt its documents.",
        )
        rotate.add_argument(
            "--org",
            metavar="SLUG",
            help="Re-wrap only this organization's keys (a new KEK version is still made; "
            "--retire-old then refuses while other organizations use old versions).",
        )

        sweep = subcommands.add_parser(
            "sweep",
            help="Remove stored files that no document points at.",
            description="Remove ciphertexts left without a document row (a rolled-back upload, a deleted "
            "organization), once older than the grace period.",
        )
        sweep.add_argument("--grace-minutes", type=int, default=60, help="Leave younger files alone (60).")
        sweep.add_argument("--dry-run", action="store_true", help="Only list what would be removed.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "sweep":
            self.sweep(grace_minutes=options["grace_minutes"], dry_run=options["dry_run"])
        elif options["subcommand"] == "rotate-keys":
            self.rotate_keys(
                retire_old=options["retire_old"], data_keys=options["data_keys"], org_slug=options.get("org")
            )

    def rotate_keys(self, *, retire_old: bool, data_keys: bool, org_slug: str | None) -> None:
        if org_slug is not None:
            organization = organization_by_slug(org_slug)
            if organization is None:
                raise CommandError(
                    f"No organization has the slug {org_slug!r}.", returncode=EXIT_UNKNOWN_ORGANIZATION
                )
            organizations = [organization]
        else:
            organizations = list(Organization.objects.order_by("slug"))
        kek = crypto.get_kek()
        version = kek.add_primary_version()
        self.stdout.write(f"Key-encryption keyset {kek.key_id}: new primary version {version}.")

        failures: list[str] = []
        rewrapped = rotated = 0
        progress = tqdm(
            organizations,
            desc="Re-wrapping data keys",
            unit="org",
            disable=len(organizations) < PROGRESS_THRESHOLD,
            file=self.stderr,
        )
        for organization in progress:
            actor = system_principal(organization)
            try:
                with org_scope(organization):
                    if data_keys:
                        services.rotate_data_key(actor=actor)
                        rotated += 1
                    rewrapped += keys.rewrap_organization_keys(actor=actor)
            except Exception as exc:  # report and go on: one organization must not block the others
                failures.append(f"{organization.slug}: {exc}")
                self.stderr.write(self.style.ERROR(f"FAILED {organization.slug}: {exc}"))
        sealed: dict[str, int] = {}
        if org_slug is None:  # people's secrets (MFA) belong to no organization: only in a full rotation
            try:
                sealed = rotation.rewrap_kek_sealed()
            except Exception as exc:
                failures.append(f"platform secrets: {exc}")
                self.stderr.write(self.style.ERROR(f"FAILED re-wrapping platform secrets: {exc}"))
        done = len(organizations) - len([f for f in failures if not f.startswith("platform secrets")])
        summary = f"{done} organization(s) done: {rewrapped} data key(s) re-wrapped with version {version}"
        for name, count in sealed.items():
            summary += f"; {count} {name.replace('_', ' ')} re-wrapped"
        if data_keys:
            summary += f"; {rotated} organization(s) got a new data key and had their documents re-encrypted"
        self.stdout.write(self.style.SUCCESS(summary + "."))
        if failures:
            raise CommandError(
                f"{len(failures)} organization(s) failed; old KEK versions are kept so nothing becomes "
                "unreadable. Fix the cause and run the command again.",
                returncode=EXIT_FAILED,
            )
        if retire_old:
            self.retire_old(kek)

    def retire_old(self, kek: crypto.LocalKeyset) -> None:
        # Check every organization (not only those re-wrapped now) before removing anything.
        behind: list[str] = []
        for organization in Organization.objects.order_by("slug"):
            with org_scope(organization):
                if keys.keys_not_on_primary():
                    behind.append(organization.slug)
        platform_behind = rotation.kek_sealed_behind()
        if platform_behind:
            described = ", ".join(
                f"{count} {name.replace('_', ' ')}" for name, count in platform_behind.items()
            )
            raise CommandError(
                f"Old KEK versions kept: {described} still use them. Run rotate-keys without --org first.",
                returncode=EXIT_FAILED,
            )
        if behind:
            raise CommandError(
                "Old KEK versions kept: data keys of "
                f"{', '.join(behind[:10])}{' …' if len(behind) > 10 else ''} still use them. "
                "Run rotate-keys for every organization first.",
                returncode=EXIT_FAILED,
            )
        removed = kek.retire_versions(keep={kek.primary_version})
        if removed:
            self.stdout.write(f"Retired KEK version(s) {', '.join(map(str, removed))}.")
        else:
            self.stdout.write("No old KEK versions to retire.")

    def sweep(self, *, grace_minutes: int, dry_run: bool) -> None:
        if grace_minutes < 0:
            raise CommandError("--grace-minutes cannot be negative.")
        report = maintenance.sweep_orphans(grace=timedelta(minutes=grace_minutes), dry_run=dry_run)
        for name in report.removed:
            self.stdout.write(f"{'would remove' if dry_run else 'removed'} {name}")
        verb = "would be removed" if dry_run else "removed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.checked} stored file(s) checked; {len(report.removed)} orphan(s) {verb}."
            )
        )
