"""The finding-edit page (prefilled form, field errors, re-triage notice, 403/404), its link on the
finding's page, and the trust center publication shown on the application's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.assessments.clients import logged_in
from tests.assessments.helpers import CVSS31_CRITICAL, application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Finding
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.attestations import published_attestations
from trustroom.trustcenter.services import set_safe_to_host_published

pytestmark = pytest.mark.django_db
BASE = "/o/alpha-co/assessments/"
DETECTED = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def html(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        portal = application(actor, "GSP portal")
        intranet = application(actor, "Intranet", criticality="low")
        vendor = services.create_vendor(actor=actor, name="Sumasoft")
        engagements = {
            app.name: services.create_engagement(
                actor=actor,
                vendor=vendor,
                application=app,
                name=f"{app.name} VAPT",
                window_start=DETECTED,
                window_end=DETECTED + dt.timedelta(days=5),
            )
            for app in (portal, intranet)
        }
        finding = services.create_finding(
            actor=actor,
            application=portal,
            title="Reflected XSS in search",
            severity="medium",
            detected_at=DETECTED,
            cwe_id=79,
            asset="https://portal.example/search",
        )
    return {"actor": actor, "portal": portal, "finding": finding, "engagements": engagements}


def edit_url(finding: Finding) -> str:
    return f"{BASE}findings/{finding.pk}/edit/"


def stored(org: Any, pk: int) -> Finding:
    with org_scope(org):
        return Finding.objects.get(pk=pk)


def form_data(**changes: Any) -> dict[str, Any]:
    return {
        "engagement": "",
        "title": "Reflected XSS in search",
        "description": "",
        "severity": "medium",
        "cvss_vector": "",
        "cwe_id": "79",
        "asset": "https://portal.example/search",
        "evidence": "",
    } | changes


def test_the_form_is_prefilled_and_offers_only_this_applications_engagements(
    owner_a: Any, world: Any
) -> None:
    response = logged_in(owner_a).get(edit_url(world["finding"]))
    assert response.status_code == 200
    page = html(response)
    assert 'value="Reflected XSS in search"' in page and 'value="79"' in page
    assert '<option value="medium" selected>' in page
    assert 'value="https://portal.example/search"' in page
    assert "GSP portal VAPT" in page and "Intranet VAPT" not in page
    assert 'name="application"' not in page and 'name="assignee"' not in page
    assert '<label for="id_title"' in page and 'aria-label="Assessments"' in page  # label, subnav


def test_a_severity_change_saves_re_triages_and_says_so(owner_a: Any, world: Any, org_a: Any) -> None:
    finding = world["finding"]
    engagement = world["engagements"]["GSP portal"]
    response = logged_in(owner_a).post(
        edit_url(finding),
        form_data(severity="high", cvss_vector=CVSS31_CRITICAL, engagement=str(engagement.pk)),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{BASE}findings/{finding.pk}/"
    after = stored(org_a, finding.pk)
    assert (after.severity, after.engagement_id, str(after.cvss_score)) == ("high", engagement.pk, "9.8")
    assert after.due_at == DETECTED + dt.timedelta(hours=48)
    assert "Re-triaged: it is now due 2026-01-07 08:00 UTC" in html(response)


def test_errors_show_on_their_fields_and_nothing_is_saved(owner_a: Any, world: Any, org_a: Any) -> None:
    finding = world["finding"]
    response = logged_in(owner_a).post(
        edit_url(finding), form_data(title="Changed", severity="critical", cvss_vector="CVSS:3.1/AV:Q")
    )
    assert response.status_code == 400
    page = html(response)
    assert 'role="alert"' in page
    assert 'id="id_cvss_vector_error"' in page  # the service's error, on its field
    assert 'value="Changed"' in page  # what was typed is kept
    after = stored(org_a, finding.pk)
    assert (after.title, after.severity, after.due_at) == (finding.title, "medium", finding.due_at)
    with org_scope(org_a):
        assert not AuditEvent.objects.filter(action="finding.update").exists()


def test_an_engagement_of_another_application_is_a_field_error(owner_a: Any, world: Any, org_a: Any) -> None:
    other = world["engagements"]["Intranet"]
    response = logged_in(owner_a).post(edit_url(world["finding"]), form_data(engagement=str(other.pk)))
    assert response.status_code == 400 and 'id="id_engagement_error"' in html(response)
    assert stored(org_a, world["finding"].pk).engagement_id is None


def test_the_finding_page_links_to_the_edit_for_those_who_may_change_it(
    owner_a: Any, world: Any, org_a: Any
) -> None:
    detail = f"{BASE}findings/{world['finding'].pk}/"
    assert edit_url(world["finding"]) in html(logged_in(member(org_a, "editor")).get(detail))
    viewer_page = logged_in(member(org_a, "viewer")).get(detail)
    assert viewer_page.status_code == 200 and edit_url(world["finding"]) not in html(viewer_page)


def test_a_viewer_is_refused_and_another_organizations_finding_is_missing(
    world: Any, org_a: Any, org_b: Any, owner_b: Any
) -> None:
    viewer = logged_in(member(org_a, "viewer"))
    assert viewer.get(edit_url(world["finding"])).status_code == 403
    assert viewer.post(edit_url(world["finding"]), form_data(title="Viewer's")).status_code == 403
    assert stored(org_a, world["finding"].pk).title == "Reflected XSS in search"
    outsider = logged_in(owner_b)
    missing = f"/o/bravo-co/assessments/findings/{world['finding'].pk}/edit/"
    assert outsider.get(missing).status_code == 404
    assert outsider.post(missing, form_data(title="Outsider's")).status_code == 404
    assert stored(org_a, world["finding"].pk).title == "Reflected XSS in search"


# --- the application page: is its attestation published in the trust center? --------------------------


def test_the_application_page_says_whether_the_attestation_is_published(
    owner_a: Any, world: Any, org_a: Any
) -> None:
    url = f"{BASE}applications/{world['portal'].pk}/"
    link = "/o/alpha-co/trust-center/safe-to-host/"
    owner = logged_in(owner_a)
    page = html(owner.get(url))
    assert "Not published: the trust center does not name this application." in page
    assert link in page
    with org_scope(org_a):
        set_safe_to_host_published(actor=world["actor"], application=world["portal"], published=True)
    page = html(owner.get(url))
    # Published, yet never tested to completion: the trust center shows nothing about it.
    assert "Published, but the trust center shows nothing about it while it is not safe to host." in page
    editor_page = html(logged_in(member(org_a, "editor")).get(url))
    assert "Published, but" in editor_page and link not in editor_page  # managers only


def test_a_published_safe_application_says_it_is_shown(owner_a: Any, org_a: Any) -> None:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        app = application(actor, "Payments")
        completed_engagement(actor, app, end=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
        set_safe_to_host_published(actor=actor, application=app, published=True)
        [attestation] = published_attestations()
    page = html(logged_in(owner_a).get(f"{BASE}applications/{app.pk}/"))
    shown = f"Published and shown: the trust center shows its safe to host attestation, valid until {attestation.valid_until:%Y-%m-%d}"
    assert shown in page
    with org_scope(org_a):  # a critical finding: the trust center withdraws it, and the page says so
        services.create_finding(actor=actor, application=app, title="RCE", severity="critical")
    page = html(logged_in(owner_a).get(f"{BASE}applications/{app.pk}/"))
    assert "Published, but the trust center shows nothing about it" in page and "valid until" not in page
