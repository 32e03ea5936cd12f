"""The controls pages and API narrowed for an auditor to their assigned audit periods (`tenancy.narrowing`):
in-scope controls, evidence, checks and runs are read; out-of-scope ones answer 404 like another
organization's; no assignment reads nothing; owners and editors are unaffected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.controls.audit_factories import auditor, link, make_period, pdf_evidence, soc2_control
from tests.controls.factories import make_residency_check
from tests.factories import member
from tests.identity.factories import api_token, bearer, grant_support, staff_user
from tests.tenancy.factories import signed_in
from trustroom.controls import services
from trustroom.controls.models import CheckRun
from trustroom.tenancy.models import Role

pytestmark = pytest.mark.django_db

API = "/api/v1/orgs/alpha-co/"
PAGES = "/o/alpha-co/controls/"


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(actor: Any) -> dict[str, Any]:
    """A SOC 2 control in the auditor's period, an unmapped control outside it; evidence in and out of the
    window; a check on each control; a run of the in-scope check inside the window and one before it."""
    control = soc2_control(actor)
    iso_only = services.create_control(actor=actor, key="ISO-1", name="ISO only")
    current = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    check_in = make_residency_check(actor, name="In-scope residency", controls=[control])
    check_out = make_residency_check(actor, name="Out-of-scope residency", controls=[iso_only])
    old_run = services.run_check(actor=actor, check=check_in)
    long_ago = timezone.now() - dt.timedelta(days=100)
    CheckRun.objects.filter(pk=old_run.pk).update(started_at=long_ago, finished_at=long_ago)
    return {
        "control": control,
        "iso_only": iso_only,
        "in_window": link(actor, control, "https://alpha.example/in-window", days_ago=2),
        "before_window": link(actor, control, "https://alpha.example/before", days_ago=100),
        "other_control": link(actor, iso_only, "https://alpha.example/iso", days_ago=2),
        "old_file": pdf_evidence(actor, control, "Old access review", days_ago=100),
        "check_in": check_in,
        "check_out": check_out,
        "run_in": services.run_check(actor=actor, check=check_in),
        "old_run": old_run,
        "run_out": services.run_check(actor=actor, check=check_out),
        "auditor": auditor(actor, "auditor@alpha.test", current),
        "idle_auditor": auditor(actor, "idle@alpha.test"),
    }


def listed(client: Client, path: str) -> set[int]:
    response = client.get(API + path)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_an_assigned_auditor_reads_only_their_periods_rows_over_the_api(world: dict[str, Any]) -> None:
    client = logged_in(world["auditor"])
    assert listed(client, "controls/") == {world["control"].pk}
    evidence = listed(client, "evidence/")
    assert world["in_window"].pk in evidence
    assert not evidence & {world[k].pk for k in ("before_window", "other_control", "old_file")}
    assert listed(client, "checks/") == {world["check_in"].pk}
    assert listed(client, "check-runs/") == {world["run_in"].pk}
    assert listed(client, f"check-runs/?check={world['check_out'].pk}") == set()

    assert client.get(f"{API}controls/{world['control'].pk}/").status_code == 200
    assert client.get(f"{API}evidence/{world['in_window'].pk}/").status_code == 200
    assert client.get(f"{API}checks/{world['check_in'].pk}/").status_code == 200
    assert client.get(f"{API}check-runs/{world['run_in'].pk}/").status_code == 200
    for path in (
        f"controls/{world['iso_only'].pk}/",
        f"evidence/{world['before_window'].pk}/",
        f"evidence/{world['other_control'].pk}/",
        f"evidence/{world['old_file'].pk}/",
        f"checks/{world['check_out'].pk}/",
        f"check-runs/{world['old_run'].pk}/",
        f"check-runs/{world['run_out'].pk}/",
    ):
        assert client.get(API + path).status_code == 404, path


def test_an_assigned_auditor_reads_only_their_periods_rows_on_the_pages(world: dict[str, Any]) -> None:
    client = logged_in(world["auditor"])
    listing = client.get(PAGES).content.decode()
    assert "AC-1" in listing and "ISO-1" not in listing

    detail = client.get(f"{PAGES}{world['control'].pk}/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "https://alpha.example/in-window" in page and "https://alpha.example/before" not in page
    # An evidence file outside the window is not linked for download.
    assert f"/vault/{world['old_file'].document_id}/" not in page and "Old access review" not in page
    assert client.get(f"{PAGES}{world['iso_only'].pk}/").status_code == 404

    checks = client.get(f"{PAGES}checks/").content.decode()
    assert "In-scope residency" in checks and "Out-of-scope residency" not in checks and "ISO-1" not in checks
    assert client.get(f"{PAGES}checks/{world['check_in'].pk}/").status_code == 200
    assert client.get(f"{PAGES}checks/{world['check_out'].pk}/").status_code == 404


def test_an_auditor_without_an_assignment_reads_nothing(world: dict[str, Any]) -> None:
    client = logged_in(world["idle_auditor"])
    for path in ("controls/", "evidence/", "checks/", "check-runs/"):
        assert listed(client, path) == set(), path
    assert client.get(f"{API}controls/{world['control'].pk}/").status_code == 404
    assert client.get(f"{API}check-runs/{world['run_in'].pk}/").status_code == 404
    assert "AC-1" not in client.get(PAGES).content.decode()
    assert client.get(f"{PAGES}{world['control'].pk}/").status_code == 404
    assert client.get(f"{PAGES}checks/{world['check_in'].pk}/").status_code == 404


def test_an_audit_token_is_not_period_scoped_and_reads_what_a_read_token_reads(
    org_a: Any, owner_a: Any, world: dict[str, Any]
) -> None:
    # Tokens are made by owners and admins: an `audit` token is their read of the organization with its
    # audit log, not an external auditor's seat, so it reads no less than a `read` token.
    _audit, audit_token = api_token(org_a, owner_a, scope="audit")
    _read, read_token = api_token(org_a, owner_a, scope="read")
    everything = {world["control"].pk, world["iso_only"].pk}
    assert listed(bearer(audit_token), "controls/") == listed(bearer(read_token), "controls/") == everything
    assert bearer(audit_token).get(f"{API}evidence/{world['before_window'].pk}/").status_code == 200
    # The assigned auditor, signed in, still reads only their period.
    assert listed(logged_in(world["auditor"]), "controls/") == {world["control"].pk}


def test_read_only_support_acts_with_the_auditor_role_but_keeps_its_full_read(
    org_a: Any, owner_a: Any, world: dict[str, Any]
) -> None:
    # Support staff under a read grant are not period-scoped: the grant is the owner's decision to let
    # them read the organization (to help it), not an audit assignment.
    reader, admin = staff_user(), staff_user(email="admin-support@platform.test")
    grant_support(org_a, owner_a, reader, scope="read")
    grant_support(org_a, owner_a, admin, scope="admin")
    assert listed(signed_in(reader), "controls/") == {world["control"].pk, world["iso_only"].pk}
    assert signed_in(reader).get(f"{PAGES}{world['iso_only'].pk}/").status_code == 200
    assert listed(signed_in(admin), "controls/") == {world["control"].pk, world["iso_only"].pk}


def test_owners_and_editors_read_everything(actor: Any, owner_a: Any, world: dict[str, Any]) -> None:
    editor = member(actor.organization, Role.EDITOR, email="editor@alpha.test")
    for user in (owner_a, editor):
        client = logged_in(user)
        assert listed(client, "controls/") == {world["control"].pk, world["iso_only"].pk}
        evidence = listed(client, "evidence/")
        assert {world[k].pk for k in ("in_window", "before_window", "other_control", "old_file")} <= evidence
        assert listed(client, "checks/") == {world["check_in"].pk, world["check_out"].pk}
        assert {world[k].pk for k in ("run_in", "old_run", "run_out")} <= listed(client, "check-runs/")
        assert client.get(f"{PAGES}{world['iso_only'].pk}/").status_code == 200
        page = client.get(f"{PAGES}{world['control'].pk}/").content.decode()
        assert f"/vault/{world['old_file'].document_id}/" in page and "https://alpha.example/before" in page
        assert client.get(f"{PAGES}checks/{world['check_out'].pk}/").status_code == 200
