"""The auditor workspace over HTTP: pages and API, scoped per auditor; export answered 202 and polled;
the download is an attachment."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import Client

from tests.controls.audit_factories import SOC2, auditor, link, make_period, pdf_evidence, soc2_control
from tests.factories import member
from trustroom.controls.audit_models import EvidencePackage
from trustroom.controls.package_verify import verify_package
from trustroom.tenancy.models import Role
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(actor: Any) -> dict[str, Any]:
    control = soc2_control(actor)
    current = make_period(actor, "SOC 2 Type II 2026", start_days=-30, end_days=30)
    earlier = make_period(actor, "SOC 2 Type II 2025", start_days=-200, end_days=-60)
    pdf_evidence(actor, control, "Quarterly access review")
    link(actor, control, "https://alpha.example/in-window", days_ago=2)
    link(actor, control, "https://alpha.example/old", days_ago=100)
    return {
        "current": current,
        "earlier": earlier,
        "auditor": auditor(actor, "auditor@alpha.test", current),
        "idle_auditor": auditor(actor, "idle@alpha.test"),
    }


API = "/api/v1/orgs/alpha-co/"
PAGES = "/o/alpha-co/controls/audit/"


def test_the_auditor_landing_page_lists_their_periods_only(world: dict[str, Any]) -> None:
    page = logged_in(world["auditor"]).get(PAGES)
    assert page.status_code == 200
    assert "SOC 2 Type II 2026" in page.content.decode() and "SOC 2 Type II 2025" not in page.content.decode()
    idle = logged_in(world["idle_auditor"]).get(PAGES)
    assert idle.status_code == 200 and "not assigned to any audit period" in idle.content.decode()


def test_period_detail_shows_the_window_only_and_other_periods_are_404(world: dict[str, Any]) -> None:
    client = logged_in(world["auditor"])
    page = client.get(f"{PAGES}{world['current'].pk}/").content.decode()
    assert "https://alpha.example/in-window" in page and "https://alpha.example/old" not in page
    assert client.get(f"{PAGES}{world['earlier'].pk}/").status_code == 404
    assert logged_in(world["idle_auditor"]).get(f"{PAGES}{world['current'].pk}/").status_code == 404


def test_editors_and_viewers_are_refused_the_workspace(actor: Any, world: dict[str, Any]) -> None:
    for role in (Role.EDITOR, Role.VIEWER):
        user = member(actor.organization, role, email=f"{role}@alpha.test")
        client = logged_in(user)
        assert client.get(PAGES).status_code == 403
        assert client.get(API + "audit-periods/").status_code == 403


def test_managers_create_periods_and_assign_auditors_over_the_api(
    owner_a: Any, world: dict[str, Any]
) -> None:
    client = logged_in(owner_a)
    bad = client.post(
        API + "audit-periods/",
        {
            "name": "",
            "framework_codes": [SOC2],
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2025-01-01T00:00:00Z",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and {"name"} <= set(bad.json())
    created = client.post(
        API + "audit-periods/",
        {"name": "ISO 2026", "framework_codes": ["iso27001-2022"],
         "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    period = created.json()["id"]
    assigned = client.post(
        API + f"audit-periods/{period}/assign/",
        {"user": world["idle_auditor"].pk},
        content_type="application/json",
    )
    assert assigned.status_code == 201 and assigned.json()["auditors"][0]["email"] == "idle@alpha.test"
    listed = logged_in(world["idle_auditor"]).get(API + "audit-periods/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["name"] for row in rows] == ["ISO 2026"] and rows[0]["auditors"] == []
    closed = client.patch(
        API + f"audit-periods/{period}/", {"status": "closed"}, content_type="application/json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused = logged_in(world["auditor"]).post(
        API + "audit-periods/",
        {"name": "Mine", "framework_codes": [SOC2], "starts_at": "2026-01-01T00:00:00Z",
         "ends_at": "2027-01-01T00:00:00Z"},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403


def test_export_is_answered_202_and_polled_until_done(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(world["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            API + "evidence-packages/", {"period": world["current"].pk}, content_type="application/json"
        )
    assert started.status_code == 202, started.content
    assert started.json()["status"] == "queued"
    polled = client.get(API + f"evidence-packages/{started.json()['id']}/").json()
    assert polled["status"] == "done" and polled["percent"] == 100 and polled["files"] >= 3
    download = client.get(API + f"evidence-packages/{polled['id']}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="evidence-soc-2-type-ii-2026-')
    assert download["X-Content-Type-Options"] == "nosniff"
    assert verify_package(io.BytesIO(download.content)).ok
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    other = client.post(
        API + "evidence-packages/", {"period": world["earlier"].pk}, content_type="application/json"
    )
    assert other.status_code == 400 and "period" in other.json()
    idle = logged_in(world["idle_auditor"])
    assert idle.get(API + f"evidence-packages/{polled['id']}/").status_code == 404
    assert idle.get(API + f"evidence-packages/{polled['id']}/download/").status_code == 404


def test_the_page_export_shows_progress_and_the_download(org_a: Any, world: dict[str, Any]) -> None:
    client = logged_in(world["auditor"])
    started = client.post(f"{PAGES}{world['current'].pk}/export/")  # the job waits for the commit
    assert started.status_code == 302
    with org_scope(org_a):
        package = EvidencePackage.objects.get()
    queued = client.get(f"{PAGES}packages/{package.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in queued and "Waiting for a worker" in queued
    from trustroom.controls.evidence_package import run_package_job

    run_package_job(organization=org_a, package_id=package.pk)
    page = client.get(started["Location"]).content.decode()
    assert "hx-trigger" not in page and "Download the evidence package" in page
    download = client.get(f"{PAGES}packages/{package.pk}/download/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert logged_in(world["idle_auditor"]).get(f"{PAGES}packages/{package.pk}/download/").status_code == 404


def test_managers_add_a_period_and_assign_from_the_pages(owner_a: Any, world: dict[str, Any]) -> None:
    client = logged_in(owner_a)
    refused = client.post(f"{PAGES}new/", {"name": "X", "framework_codes": [SOC2], "starts_at": "2026-02-01T00:00",
                                           "ends_at": "2026-01-01T00:00"})  # fmt: skip
    assert refused.status_code == 400 and "must end after it starts" in refused.content.decode()
    added = client.post(f"{PAGES}new/", {"name": "X", "framework_codes": [SOC2], "starts_at": "2026-01-01T00:00",
                                         "ends_at": "2026-02-01T00:00"})  # fmt: skip
    assert added.status_code == 302
    membership = world["idle_auditor"].memberships.get()
    assigned = client.post(added["Location"] + "auditors/", {"membership": membership.pk})
    assert assigned.status_code == 302
    assert "X" in logged_in(world["idle_auditor"]).get(PAGES).content.decode()


def test_the_auditor_dashboard_lists_their_periods(world: dict[str, Any]) -> None:
    page = logged_in(world["auditor"]).get("/o/alpha-co/").content.decode()
    assert "Your audit periods" in page and "SOC 2 Type II 2026" in page and "SOC 2 Type II 2025" not in page
    idle = logged_in(world["idle_auditor"]).get("/o/alpha-co/").content.decode()
    assert "not assigned to any audit period" in idle
