"""`trustroom findings import`: output, auto-detection, a progress bar on stderr, exit codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from tests.assessments.helpers import T0, application, completed_engagement
from tests.assessments.importers.samples import SAMPLES
from tests.factories import principal_for
from trustroom.assessments.models import Finding, FindingImport
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
NESSUS = next(s for s in SAMPLES if s.path == "nessus/nessus_with_cvssv3.nessus")


# The command enters the organization's scope itself: the tests stay outside it.
@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


@pytest.fixture
def app(actor: Any, org_a: Any) -> Any:
    with org_scope(org_a):
        return application(actor, name="GSP portal")


def count(org: Any, **filters: Any) -> int:
    with org_scope(org):
        return Finding.objects.filter(**filters).count()


def cli(*args: str) -> None:
    call_command("findings", "import", "--no-progress", *args)


def test_imports_with_detected_format_and_prints_counts(
    app: Any, org_a: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cli("--org", org_a.slug, "--application", "GSP portal", str(NESSUS.file))
    out = capsys.readouterr().out
    assert "(nessus)" in out
    assert f"created {NESSUS.count}, updated 0, unchanged 0, closed 0, reopened 0" in out
    assert count(org_a, application=app) == NESSUS.count
    with org_scope(org_a):
        job = FindingImport.objects.get()
    assert job.created_by is None and job.original_filename == NESSUS.file.name

    cli("--org", org_a.slug, "--application", "GSP portal", "--format", "nessus", str(NESSUS.file))
    assert f"created 0, updated 0, unchanged {NESSUS.count}, closed 0" in capsys.readouterr().out


def test_progress_bar_goes_to_stderr(app: Any, org_a: Any, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("findings", "import", "--org", org_a.slug, "--application", "GSP portal", str(NESSUS.file))
    captured = capsys.readouterr()
    assert "Parsing" in captured.err
    assert re.search(rf"Saving: .*/{NESSUS.count} \[.* results/s", captured.err)  # the write phase
    assert "Parsing" not in captured.out and "Saving" not in captured.out


def test_close_missing_and_engagement(
    actor: Any, app: Any, org_a: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with org_scope(org_a):
        engagement = completed_engagement(actor, app, end=T0)
    cli(
        "--org",
        org_a.slug,
        "--application",
        "GSP portal",
        "--engagement",
        str(engagement.pk),
        str(NESSUS.file),
    )
    assert count(org_a, engagement=engagement) == NESSUS.count
    empty = tmp_path / "empty.nessus"
    empty.write_bytes(
        b'<?xml version="1.0"?><NessusClientData_v2><Report name="x"></Report></NessusClientData_v2>'
    )
    cli("--org", org_a.slug, "--application", "GSP portal", "--close-missing", str(empty))
    assert f"closed {NESSUS.count}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nope", "--application", "GSP portal"], "No organization has the slug 'nope'"),
        (["--org", "alpha-co", "--application", "Nope"], "No application named 'Nope' in alpha-co"),
        (
            ["--org", "alpha-co", "--application", "GSP portal", "--format", "csv"],
            "format: Unknown format 'csv'",
        ),
        (["--org", "alpha-co", "--application", "GSP portal", "--format", "sarif"], "file: SARIF"),
        (["--org", "alpha-co", "--application", "GSP portal", "--engagement", "999"], "No engagement 999"),
    ],
)
def test_errors_are_clear(app: Any, org_a: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        cli(*args, str(NESSUS.file))
    assert count(org_a) == 0


def test_malformed_file_names_where(app: Any, org_a: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sarif"
    broken.write_bytes(b'{"version": "2.1.0", "runs": [{"results": [{"ruleId": ')
    with pytest.raises(CommandError, match=r"nothing was imported: file: SARIF: invalid JSON near byte \d+"):
        cli("--org", "alpha-co", "--application", "GSP portal", str(broken))
    with pytest.raises(CommandError, match="No such file"):
        cli("--org", "alpha-co", "--application", "GSP portal", str(tmp_path / "missing.sarif"))
    assert count(org_a) == 0


def test_another_organizations_application_is_not_found(
    app: Any, org_b: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="No application named 'GSP portal' in bravo-co"):
        cli("--org", org_b.slug, "--application", "GSP portal", str(NESSUS.file))
    assert count(org_b) == 0


def test_exit_status_is_non_zero(app: Any, capsys: pytest.CaptureFixture[str]) -> None:
    utility = ManagementUtility(
        ["trustroom", "findings", "import", "--org", "nope", "--application", "x", str(NESSUS.file)]
    )
    with pytest.raises(SystemExit) as exit_info:
        utility.execute()
    assert exit_info.value.code == 1
    assert "No organization has the slug 'nope'" in capsys.readouterr().err
