"""`trustroom controls run --org SLUG [--check NAME]`: a line per check, then a total."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.controls.factories import inventory, make_residency_check
from trustroom.controls import services

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("controls", "run", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_runs_every_check_and_prints_each_result(org_a: Any, actor: Any) -> None:
    passing = make_residency_check(actor, name="Mumbai only")
    services.import_snapshot(
        actor=actor, check=passing, raw=inventory(("AWS::S3::Bucket", "b", "ap-south-1"))
    )
    make_residency_check(actor, name="No snapshot yet")
    out, _ = run("--org", "alpha-co", "--no-progress")
    assert out.splitlines() == [
        "Mumbai only: PASS - All 1 resources lie in ap-south-1.",
        "No snapshot yet: ERROR - No inventory snapshot imported yet: upload one.",
        "2 check(s) run, 1 passed, 1 did not pass.",
    ]
    out, _ = run("--org", "alpha-co", "--check", "Mumbai only")
    assert out.splitlines()[0] == "Mumbai only: PASS - All 1 resources lie in ap-south-1."


def test_unknown_org_or_check(org_a: Any) -> None:
    with pytest.raises(CommandError, match="No organization"):
        run("--org", "nope")
    with pytest.raises(CommandError, match="no check named"):
        run("--org", "alpha-co", "--check", "nope")
