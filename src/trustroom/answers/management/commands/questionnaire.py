"""`trustroom questionnaire answer --org SLUG INPUT --out OUTPUT [--format csv|xlsx|json]`."""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from trustroom.answers.models import ItemStatus
from trustroom.answers.questionnaires.formats import QuestionnaireFormatError
from trustroom.answers.questionnaires.offline import OUTPUT_FORMATS, answer_file, output_format_for
from trustroom.answers.questionnaires.services import MAX_UPLOAD_BYTES
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import organization_by_slug


class Command(BaseCommand):
    # A read-only tool that should start fast: `trustroom check` covers the system checks.
    requires_system_checks: list[str] = []
    help = (
        "Questionnaire tools. `questionnaire answer --org SLUG INPUT --out OUTPUT` answers a CSV, XLSX or "
        "VSAQ JSON questionnaire from the organization's answer bank and writes OUTPUT: CSV (the input's "
        "columns plus answer, answer_key, confidence, status; answer_key is empty where it abstains), "
        "XLSX (answers written into the workbook's answer column) or JSON (VSAQ answers). Nothing is "
        "stored; upload the file in the app to review the answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        answer = subcommands.add_parser("answer", help="Answer a questionnaire file from the answer bank.")
        answer.add_argument("--org", metavar="SLUG", required=True, help="The organization's slug.")
        answer.add_argument("--out", metavar="OUTPUT", required=True, help="Where to write the answers.")
        answer.add_argument(
            "--format",
            choices=OUTPUT_FORMATS,
            help="Output format (default: from OUTPUT's extension).",
        )
        answer.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")
        answer.add_argument("input", metavar="INPUT", help="The questionnaire: .csv, .xlsx or VSAQ .json.")

    def handle(self, *args: Any, **options: Any) -> None:
        path, out = options["input"], options["out"]
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        if os.path.getsize(path) > MAX_UPLOAD_BYTES:
            raise CommandError(f"{path} is larger than the limit of {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        organization = organization_by_slug(options["org"])
        if organization is None:
            raise CommandError(f"No organization has the slug {options['org']!r}.")
        try:
            output_format = output_format_for(out, options.get("format"))
        except QuestionnaireFormatError as exc:
            raise CommandError(str(exc)) from exc
        with open(path, "rb") as handle:
            content = handle.read()
        bar: tqdm[Any] | None = None
        if not options["no_progress"]:
            bar = tqdm(total=0, unit=" questions", desc="Answering", file=sys.stderr, leave=False)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.update(done - bar.n)

        try:
            with org_scope(organization):
                result = answer_file(
                    content, filename=os.path.basename(path), output_format=output_format, progress=progress
                )
        except QuestionnaireFormatError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        finally:
            if bar is not None:
                bar.close()
        _write_atomically(out, result.output)
        total = len(result.proposals)
        self.stdout.write(
            f"Answered {result.answered} of {total} questions from {organization.slug}'s bank "
            f"({result.count(ItemStatus.GENERATED)} generated, {result.count(ItemStatus.NEEDS_REVIEW)} "
            f"need review, {total - result.answered} without an answer) → {out}"
        )


def _write_atomically(path: str, data: bytes) -> None:
    """Write the output whole or not at all (a temporary file beside it, then renamed)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CommandError(f"No such directory for --out: {directory}")
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".trustroom-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
