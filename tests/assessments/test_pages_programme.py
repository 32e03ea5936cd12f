"""The VAPT programme's pages: vendors, applications, engagements and the SLA policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.assessments.clients import body, logged_in, refresh
from tests.assessments.helpers import application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Application, Engagement, EngagementStatus, SlaPolicy, Vendor
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.vault.samples import sample_pdf
from trustroom.vault.services import store_document

BASE = "/o/alpha-co/assessments/"


@pytest.fixture
def owner(owner_a: Any) -> Client:
    return logged_in(owner_a)


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    """An application tested 20 days ago (safe), and one never tested."""
    actor = principal_for(owner_a, org_a)
    now = dt.datetime.now(dt.UTC)
    with org_scope(org_a):
        tested = application(actor, "Payments API")
        completed_engagement(actor, tested, end=now - dt.timedelta(days=20), vendor_name="Sumasoft")
        application(actor, "Intranet", criticality="low")
    return {"actor": actor}


def in_org(org: Any, fn: Any) -> Any:
    with org_scope(org):
        return fn()


# --- empty states -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "empty_text"),
    [
        ("vendors/", "No vendors yet."),
        ("applications/", "No applications yet."),
        ("engagements/", "No engagements yet."),
        ("sla-policy/", "No versions yet."),
    ],
)
def test_each_list_has_an_empty_state(org_a: Any, owner: Client, path: str, empty_text: str) -> None:
    response = owner.get(BASE + path)
    assert response.status_code == 200
    html = body(response)
    assert empty_text in html
    assert 'role="status"' in html
    assert 'aria-current="page"' in html  # the subnav marks the page


# --- vendors ----------------------------------------------------------------------------------------------


def test_vendor_create_edit_and_list_with_engagement_count(org_a: Any, owner: Client, world: Any) -> None:
    refused = owner.post(BASE + "vendors/new/", {"name": "sumasoft"})
    assert refused.status_code == 400
    assert "A vendor with this name already exists." in body(refused)  # the service's error, on the field

    created = owner.post(
        BASE + "vendors/new/",
        {"name": "Cyber Labs", "accreditation": "CERT-In empanelment 2024-117", "contacts": "ana@labs.test"},
    )
    assert created.status_code == 302
    vendor = in_org(org_a, lambda: Vendor.objects.get(name="Cyber Labs"))
    edited = owner.post(f"{BASE}vendors/{vendor.pk}/edit/", {"name": "Cyber Labs Ltd", "accreditation": ""})
    assert edited.status_code == 302
    listing = body(owner.get(BASE + "vendors/"))
    assert "Cyber Labs Ltd" in listing and "CERT-In empanelled vendor #50" in listing
    rows = {line.split("</th>")[0].rsplit(">", 1)[-1]: line for line in listing.split("<tr>")[2:]}
    assert "<td>1</td>" in rows["Sumasoft"] and "<td>0</td>" in rows["Cyber Labs Ltd"]
    assert 'value="Cyber Labs Ltd"' in body(owner.get(f"{BASE}vendors/{vendor.pk}/edit/"))


# --- applications -----------------------------------------------------------------------------------------


def test_application_list_shows_schedule_overdue_and_safe_to_host(
    org_a: Any, owner: Client, world: Any
) -> None:
    html = body(owner.get(BASE + "applications/"))
    payments, intranet = html.split("Payments API</a>")[1], html.split("Intranet</a>")[1].split("</tr>")[0]
    assert "Twice a year" in payments.split("</tr>")[0]
    assert "Safe to host: yes" in payments.split("</tr>")[0]
    assert "Overdue" not in payments.split("</tr>")[0]
    assert "never" in intranet and "Overdue" in intranet and "Safe to host: no" in intranet
    assert "No completed VAPT engagement" in intranet


def test_application_list_costs_no_query_per_application(org_a: Any, owner_a: Any, owner: Client) -> None:
    """The schedule and safe to host of every row are read in bulk, not per application."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner.get(BASE + "applications/").status_code == 200
        return len(captured)

    now = dt.datetime.now(dt.UTC)
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        completed_engagement(actor, application(actor, name="App 0"), end=now)
    one = queries()
    with org_scope(org_a):
        for number in range(1, 6):
            app = application(actor, name=f"App {number}")
            completed_engagement(actor, app, end=now)
            services.create_finding(actor=actor, application=app, title="XSS", severity="high")
    assert queries() == one


def test_application_detail_explains_why_not_safe_and_lists_open_findings(
    org_a: Any, owner: Client, world: Any
) -> None:
    app = in_org(org_a, lambda: Application.objects.get(name="Payments API"))
    assert "Safe to host: yes" in body(owner.get(f"{BASE}applications/{app.pk}/"))
    in_org(
        org_a,
        lambda: services.create_finding(
            actor=world["actor"], application=app, title="IDOR on invoices", severity="high"
        ),
    )
    html = body(owner.get(f"{BASE}applications/{app.pk}/"))
    assert "Safe to host: no" in html
    assert "Unresolved findings: 1 high" in html
    assert "IDOR on invoices" in html and "Within SLA" in html
    assert "High: <strong>1</strong>" in html
    assert "VAPT ending" in html  # its engagements


def test_application_create_defaults_cadence_and_edit_changes_it(org_a: Any, owner: Client) -> None:
    created = owner.post(BASE + "applications/new/", {"name": "GSP portal", "criticality": "critical"})
    assert created.status_code == 302
    app = in_org(org_a, lambda: Application.objects.get(name="GSP portal"))
    assert app.test_cadence == "twice_a_year"
    assert created["Location"] == f"{BASE}applications/{app.pk}/"
    bad = owner.post(f"{BASE}applications/{app.pk}/edit/", {"name": "", "criticality": "critical"})
    assert bad.status_code == 400
    owner.post(
        f"{BASE}applications/{app.pk}/edit/",
        {"name": "GSP portal", "criticality": "critical", "test_cadence": "quarterly"},
    )
    refresh(app)
    assert app.test_cadence == "quarterly"
    assert "No engagements for this application yet." in body(owner.get(f"{BASE}applications/{app.pk}/"))


# --- engagements ------------------------------------------------------------------------------------------


def test_engagement_create_with_scope_and_report_then_complete(
    org_a: Any, owner_a: Any, owner: Client
) -> None:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        app = application(actor, "GSP portal")
        vendor = services.create_vendor(actor=actor, name="Sumasoft")
        report = store_document(
            actor=actor, title="Q1 VAPT report", content=sample_pdf(title="r", lines=["x"]), filename="r.pdf"
        )
    form = body(owner.get(BASE + "engagements/new/"))
    assert 'type="datetime-local"' in form and 'type="checkbox"' in form and "Q1 VAPT report" in form
    bad = owner.post(
        BASE + "engagements/new/",
        {
            "vendor": vendor.pk,
            "application": app.pk,
            "name": "Q1",
            "window_start": "2026-03-10T09:00",
            "window_end": "2026-03-01T09:00",
        },
    )
    assert bad.status_code == 400 and "The window ends before it starts." in body(bad)
    created = owner.post(
        BASE + "engagements/new/",
        {
            "vendor": vendor.pk,
            "application": app.pk,
            "name": "Q1 VAPT",
            "window_start": "2026-03-01T09:00",
            "window_end": "2026-03-10T18:00",
            "scope_areas": ["authentication_session", "injection_sql"],
            "report_documents": [report.pk],
        },
    )
    assert created.status_code == 302
    engagement = in_org(org_a, lambda: Engagement.objects.get(name="Q1 VAPT"))
    assert engagement.window_start == dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert engagement.scope_areas == ["authentication_session", "injection_sql"]
    detail = body(owner.get(f"{BASE}engagements/{engagement.pk}/"))
    assert "SQL injection" in detail and "Q1 VAPT report" in detail and "Mark completed" in detail
    assert "No findings recorded for this engagement." in detail
    assert "Q1 VAPT" in body(owner.get(BASE + "engagements/"))

    edited = owner.post(
        f"{BASE}engagements/{engagement.pk}/edit/",
        {
            "name": "Q1 VAPT",
            "window_start": "2026-03-01T09:00",
            "window_end": "2026-03-12T18:00",
            "status": "in_progress",
            "scope_areas": ["owasp_top_10"],
        },
    )
    assert edited.status_code == 302
    refresh(engagement)
    assert engagement.status == EngagementStatus.IN_PROGRESS and engagement.scope_areas == ["owasp_top_10"]

    too_early = owner.post(f"{BASE}engagements/{engagement.pk}/complete/", {"window_end": "2026-02-01T00:00"})
    assert too_early.status_code == 400 and "The window ends before it starts." in body(too_early)
    done = owner.post(f"{BASE}engagements/{engagement.pk}/complete/", {"window_end": "2026-03-11T17:00"})
    assert done.status_code == 302
    refresh(engagement)
    assert engagement.status == EngagementStatus.COMPLETED
    assert engagement.window_end == dt.datetime(2026, 3, 11, 17, 0, tzinfo=dt.UTC)
    assert "Mark completed" not in body(owner.get(f"{BASE}engagements/{engagement.pk}/"))
    again = owner.post(f"{BASE}engagements/{engagement.pk}/complete/", {})
    assert again.status_code == 400 and "already completed" in body(again)


# --- SLA policy -------------------------------------------------------------------------------------------


def test_sla_policy_page_publishes_a_version_and_refuses_bad_hours(org_a: Any, owner: Client) -> None:
    page = body(owner.get(BASE + "sla-policy/"))
    assert "4 hours" in page and "48 hours (2 days)" in page and "336 hours (14 days)" in page
    assert "Before the application's next VAPT" in page and "No deadline" in page
    assert "existing findings" in page.lower() or "keep the deadlines" in page
    hours = {
        "critical_due_hours": 4,
        "critical_target_hours": 2,
        "high_due_hours": 24,
        "high_target_hours": 12,
        "medium_due_hours": 168,
        "medium_target_hours": 200,
    }
    refused = owner.post(BASE + "sla-policy/", hours)
    assert refused.status_code == 400
    assert "The target must be between one hour and the deadline." in body(refused)
    assert in_org(org_a, lambda: SlaPolicy.objects.count()) == 0
    published = owner.post(BASE + "sla-policy/", hours | {"medium_target_hours": 72})
    assert published.status_code == 302
    page = body(owner.get(BASE + "sla-policy/"))
    # The defaults become version 1 (from the start) and the published hours version 2.
    assert "In force: version 2" in page and "24 hours" in page and "168 hours (7 days)" in page
    assert "Superseded" in page
    assert in_org(org_a, lambda: AuditEvent.objects.filter(action="sla_policy.create").count()) == 1


def test_sla_policy_form_only_for_managers(org_a: Any) -> None:
    editor = logged_in(member(org_a, "editor", email="ed@alpha.test"))
    page = body(editor.get(BASE + "sla-policy/"))
    assert "In force" in page and "Publish a new version" not in page
    assert editor.post(BASE + "sla-policy/", {"high_due_hours": 1}).status_code == 403


# --- who may write ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_readers_see_pages_without_write_controls_and_get_403(org_a: Any, world: Any, role: str) -> None:
    client = logged_in(member(org_a, role, email=f"{role}@alpha.test"))
    with org_scope(org_a):
        app = Application.objects.get(name="Payments API")
        engagement = Engagement.objects.get(application=app)
        vendor = Vendor.objects.get()
    for path in (
        "vendors/",
        "applications/",
        f"applications/{app.pk}/",
        "engagements/",
        f"engagements/{engagement.pk}/",
    ):
        html = body(client.get(BASE + path))
        assert "Add a" not in html and "Edit" not in html and "Mark completed" not in html, path
    for path, data in [
        ("vendors/new/", {"name": "X"}),
        (f"vendors/{vendor.pk}/edit/", {"name": "X"}),
        ("applications/new/", {"name": "X", "criticality": "low"}),
        (f"applications/{app.pk}/edit/", {"name": "X", "criticality": "low"}),
        ("engagements/new/", {}),
        (f"engagements/{engagement.pk}/edit/", {}),
        (f"engagements/{engagement.pk}/complete/", {}),
    ]:
        assert client.get(BASE + path).status_code in (403, 302), path
        assert client.post(BASE + path, data).status_code == 403, path
    with org_scope(org_a):
        assert not Vendor.objects.filter(name="X").exists()
        assert not Application.objects.filter(name="X").exists()
