"""`trustroom audit verify [--org SLUG]`: output and exit status."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.audit.helpers import events_of, record_many, set_column
from trustroom.audit.management.commands import audit as audit_command
from trustroom.audit.models import GENESIS_HASH

pytestmark = pytest.mark.django_db
TAMPERING = pytest.mark.django_db(transaction=True, databases=["default", "owner"])


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("audit", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str]:
    stdout = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit", *args, stdout=stdout, stderr=StringIO())
    return failure.value, stdout.getvalue()


def exit_status(*args: str) -> int:
    """The status the shell sees, through the same path as `.venv/bin/trustroom audit ...`."""
    command = audit_command.Command(stdout=StringIO(), stderr=StringIO())
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["trustroom", "audit", *args])
        raise SystemExit(0)  # run_from_argv returns normally on success
    return int(exited.value.code or 0)


@pytest.fixture
def two_logs(org_a: Any, owner_a: Any, org_b: Any, owner_b: Any) -> None:
    record_many(org_a, owner_a, 3)
    record_many(org_b, owner_b, 2)


def test_verify_every_organization(two_logs: None, org_a: Any, org_b: Any) -> None:
    stdout, stderr = run("verify")
    assert stdout.splitlines() == [
        f"OK alpha-co: 3 events, head {events_of(org_a)[-1].hash}",
        f"OK bravo-co: 2 events, head {events_of(org_b)[-1].hash}",
    ]
    assert stderr == ""  # no progress bar for a short log


def test_verify_one_organization(two_logs: None, org_b: Any) -> None:
    stdout, _ = run("verify", "--org", "bravo-co")
    assert stdout.splitlines() == [f"OK bravo-co: 2 events, head {events_of(org_b)[-1].hash}"]


def test_empty_log_verifies_with_the_genesis_head(org_a: Any) -> None:
    stdout, _ = run("verify", "--org", "alpha-co")
    assert stdout.strip() == f"OK alpha-co: 0 events, head {GENESIS_HASH}"


def test_no_organizations_is_not_an_error(db: None) -> None:
    stdout, _ = run("verify")
    assert "No organizations" in stdout


def test_unknown_organization_exits_2(two_logs: None) -> None:
    error, stdout = run_failing("verify", "--org", "nobody-co")
    assert error.returncode == 2
    assert "No organization has the slug 'nobody-co'" in str(error)
    assert stdout == ""


@TAMPERING
def test_broken_chain_names_the_first_broken_event_and_exits_1(
    two_logs: None, org_a: Any, org_b: Any
) -> None:
    set_column(org_a, 2, "action", "forged.action")
    broken_id = events_of(org_a)[1].pk
    error, stdout = run_failing("verify")
    assert error.returncode == 1
    assert "1 of 2 organization(s)" in str(error)
    assert stdout.splitlines() == [
        f"BROKEN alpha-co: first broken event #2 (id {broken_id}): event #2 was altered after it was recorded",
        f"OK bravo-co: 2 events, head {events_of(org_b)[-1].hash}",
    ]


@TAMPERING
def test_cut_off_tail_is_reported_without_an_id(two_logs: None, org_a: Any) -> None:
    from tests.audit.helpers import delete_seqs

    delete_seqs(org_a, 3)
    error, stdout = run_failing("verify", "--org", "alpha-co")
    assert error.returncode == 1
    assert stdout.startswith("BROKEN alpha-co: first broken event #3 (id missing): the log ends at event #2")


@TAMPERING
def test_exit_status_seen_by_the_shell(two_logs: None, org_a: Any) -> None:
    assert exit_status("verify") == 0
    assert exit_status("verify", "--org", "nobody-co") == 2
    set_column(org_a, 1, "changes", '{"n": 42}')
    assert exit_status("verify", "--org", "bravo-co") == 0
    assert exit_status("verify", "--org", "alpha-co") == 1


def test_unknown_subcommand_is_a_usage_error(db: None) -> None:
    error, _ = run_failing("check")
    assert "invalid choice: 'check'" in str(error)
    assert "verify" in str(error)


def test_missing_subcommand_is_a_usage_error(db: None) -> None:
    error, _ = run_failing()
    assert "required: SUBCOMMAND" in str(error)


def test_usage_errors_exit_2_from_the_shell(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status("check") == 2
    assert "invalid choice: 'check'" in capsys.readouterr().err


def test_long_logs_show_a_progress_bar(two_logs: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_command, "PROGRESS_THRESHOLD", 2)
    stdout, stderr = run("verify", "--org", "alpha-co")
    assert stdout.startswith("OK alpha-co: 3 events")
    assert "alpha-co:" in stderr and "/3 [" in stderr  # tqdm: "alpha-co:   0%|   | 0/3 [..."
