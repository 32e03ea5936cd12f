"""`trustroom evidence verify PACKAGE [--org SLUG]` and `trustroom evidence export --org SLUG --period NAME
--output FILE` and `trustroom evidence sweep [--running-after MINUTES] [--queued-after MINUTES]`.

verify exits 0 when the package is intact (and, with --org, its recorded audit chain head is in this
installation's chain, which verifies up to it), 1 when any problem was found, 2 for an unknown
organization or an unreadable file. export exits 0 with the package written, 1 when the export failed.
sweep settles packages left running or queued (as the periodic job does) and exits 0.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trustroom.audit.verify import verify_chain_to
from trustroom.controls import evidence_package
from trustroom.controls.audit_models import AuditPeriod, EvidencePackage, PackageStatus
from trustroom.controls.evidence_sweep import QUEUED_AFTER, RUNNING_AFTER, sweep_stale_packages
from trustroom.controls.package_verify import PackageReport, verify_package
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug

EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class Command(BaseCommand):
    help = (
        "Evidence packages: `evidence export` builds one for an audit period, `evidence verify` checks one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        verify = subcommands.add_parser(
            "verify", help="Check a package against its manifest; exit 0 if intact, 1 if not."
        )
        verify.add_argument("package", metavar="PACKAGE", help="The ZIP file.")
        verify.add_argument(
            "--org",
            metavar="SLUG",
            help="Also check the recorded audit chain head against this organization's audit log here.",
        )
        export = subcommands.add_parser("export", help="Build an audit period's evidence package now.")
        export.add_argument("--org", metavar="SLUG", required=True, help="The organization.")
        export.add_argument("--period", metavar="NAME", required=True, help="The audit period's name.")
        export.add_argument("--output", metavar="FILE", required=True, help="Where to write the ZIP.")
        export.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")
        sweep = subcommands.add_parser("sweep", help="Settle packages left running or queued.")
        sweep.add_argument(
            "--running-after",
            metavar="MINUTES",
            type=int,
            default=int(RUNNING_AFTER.total_seconds() // 60),
            help="Fail a running package without progress for this long (default: %(default)s).",
        )
        sweep.add_argument(
            "--queued-after",
            metavar="MINUTES",
            type=int,
            default=int(QUEUED_AFTER.total_seconds() // 60),
            help="Queue again (once) a package waiting this long (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(options["package"], options.get("org"))
        elif options["subcommand"] == "sweep":
            self.sweep(options)
        else:
            self.export(options)

    def sweep(self, options: dict[str, Any]) -> None:
        if options["running_after"] < 1 or options["queued_after"] < 1:
            raise CommandError(
                "--running-after and --queued-after must be at least 1 minute.", returncode=EXIT_USAGE
            )
        result = sweep_stale_packages(
            running_after=timedelta(minutes=options["running_after"]),
            queued_after=timedelta(minutes=options["queued_after"]),
        )
        self.stdout.write(
            f"Stale evidence packages: failed {len(result.failed)}, queued again {len(result.requeued)}"
        )

    def _organization(self, slug: str) -> Organization:
        organization = organization_by_slug(slug)
        if organization is None:
            raise CommandError(f"No organization has the slug {slug!r}.", returncode=EXIT_USAGE)
        return organization

    def verify(self, package: str, org_slug: str | None) -> None:
        path = Path(package)
        if not path.is_file():
            raise CommandError(f"No such file: {package}", returncode=EXIT_USAGE)
        organization = self._organization(org_slug) if org_slug else None
        report = verify_package(str(path))
        if report.ok and organization is not None:
            self._check_chain(report, organization)
        if report.manifest:
            period = report.manifest.get("period") or {}
            org = report.manifest.get("organization") or {}
            self.stdout.write(
                f"Package of {org.get('slug', '?')}, period {period.get('name', '?')}, "
                f"generated {report.manifest.get('generated_at', '?')}"
            )
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"PROBLEM {problem}"))
        if not report.ok:
            raise CommandError(
                f"The package is not intact: {len(report.problems)} problem(s).", returncode=EXIT_PROBLEMS
            )
        self.stdout.write(self.style.SUCCESS(f"OK: {report.files_checked} file(s) match the manifest."))

    def _check_chain(self, report: PackageReport, organization: Organization) -> None:
        manifest = report.manifest or {}
        head = manifest.get("audit_chain_head") or {}
        recorded_org = (manifest.get("organization") or {}).get("slug")
        if recorded_org != organization.slug:
            report.add("chain head", "", f"the package is of {recorded_org!r}, not {organization.slug!r}")
            return
        with org_scope(organization):
            chain = verify_chain_to(seq=int(head["seq"]), expected_hash=str(head["hash"]))
        if chain.ok:
            self.stdout.write(f"Audit chain head #{head['seq']} found; the chain verifies up to it.")
        else:
            report.add("chain head", "", f"#{head['seq']} does not check out: {chain.reason}")

    def export(self, options: dict[str, Any]) -> None:
        organization = self._organization(options["org"])
        output = Path(options["output"])
        with org_scope(organization):
            period = AuditPeriod.objects.filter(name=options["period"]).first()
            if period is None:
                raise CommandError(
                    f"{organization.slug} has no audit period named {options['period']!r}.",
                    returncode=EXIT_USAGE,
                )
            package = evidence_package.request_package(
                actor=system_principal(organization), period=period, enqueue=False
            )
        bar: tqdm[Any] | None = None
        if not options["no_progress"]:
            bar = tqdm(total=1, unit=" items", desc="Exporting", file=sys.stderr, leave=False)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        status = evidence_package.run_package_job(
            organization=organization, package_id=package.pk, on_progress=progress
        )
        if bar is not None:
            bar.close()
        with org_scope(organization):
            package = EvidencePackage.objects.select_related("period").get(pk=package.pk)
            if status != PackageStatus.DONE:
                raise CommandError(f"The export failed: {package.error}", returncode=EXIT_PROBLEMS)
            output.write_bytes(evidence_package.package_bytes(package))
        self.stdout.write(
            f"Wrote {output} ({package.size_bytes} bytes, {package.files} files, "
            f"audit chain head #{package.chain_head_seq})."
        )
