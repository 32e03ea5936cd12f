"""The dashboard page (/o/<slug>/assessments/) and the findings-dashboard API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client
from django.utils import timezone

from tests.assessments.clients import logged_in
from tests.assessments.helpers import application
from tests.factories import member, principal_for
from tests.identity.factories import api_token, bearer
from trustroom.assessments import services
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
D = dt.timedelta(days=1)


@pytest.fixture
def world(org_a: Any, owner_a: Any, org_b: Any, owner_b: Any) -> dict[str, Any]:
    """A: a portal with a breached critical and a fixed high; an API with a new medium. B: one finding."""
    now = timezone.now()
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        portal = application(actor, name="Alpha <Portal>")
        api = application(actor, name="Alpha API", criticality="high")
        services.create_finding(
            actor=actor, application=portal, title="RCE", severity="critical", detected_at=now - 40 * D
        )
        high = services.create_finding(
            actor=actor, application=portal, title="IDOR", severity="high", detected_at=now - 3 * D
        )
        services.mark_fixed(actor=actor, finding=high, now=now - 3 * D + dt.timedelta(hours=5))
        services.create_finding(
            actor=actor, application=api, title="XSS", severity="medium", detected_at=now - D
        )
    with org_scope(org_b):
        actor_b = principal_for(owner_b, org_b)
        other = application(actor_b, name="Bravo secret app")
        services.create_finding(actor=actor_b, application=other, title="Bravo leak", severity="low")
    return {"portal": portal.pk, "api": api.pk, "other": other.pk}


def page_url(org: Any) -> str:
    return f"/o/{org.slug}/assessments/"


def api_url(org: Any) -> str:
    return f"/api/v1/orgs/{org.slug}/findings-dashboard/"


def test_page_shows_totals_charts_and_tables(org_a: Any, owner_a: Any, world: dict[str, Any]) -> None:
    response = logged_in(owner_a).get(page_url(org_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Assessments"' in html  # the sub-navigation
    assert 'aria-current="page">Overview' in html
    assert "<dt>Unresolved</dt><dd>3</dd>" in html
    assert "<dt>Critical</dt><dd>1</dd>" in html
    assert '<dt>SLA breached</dt><dd><span class="badge expired">1</span></dd>' in html
    assert "<dt>Mean time to remediate (90 days)</dt><dd>5 h</dd>" in html
    assert html.count('role="img"') == 3
    for chart in ("chart-age", "chart-adherence", "chart-burndown"):
        start = html.rindex("<svg", 0, html.index(f'id="{chart}"'))
        svg = fromstring(html[start : html.index("</svg>", start) + 6])  # well-formed inside the page
        assert svg.get("id") == chart and svg.get("role") == "img"
    assert "<caption>Unresolved findings by severity and days since detection</caption>" in html
    assert html.count("<table>") == 5
    assert "Alpha &lt;Portal&gt;" in html and "Alpha <Portal>" not in html  # the filter's option, escaped
    assert "Bravo" not in html


def test_application_filter_and_htmx_partial(org_a: Any, owner_a: Any, world: dict[str, Any]) -> None:
    client = logged_in(owner_a)
    response = client.get(page_url(org_a), {"application": world["api"]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<dt>Unresolved</dt><dd>1</dd>" in html and "<dt>Critical</dt><dd>0</dd>" in html
    assert "Now: Alpha API" in html
    partial = client.get(page_url(org_a), {"application": world["portal"]}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and "<dt>Unresolved</dt><dd>2</dd>" in body


def test_filter_refuses_another_organizations_application(
    org_a: Any, owner_a: Any, world: dict[str, Any]
) -> None:
    response = logged_in(owner_a).get(page_url(org_a), {"application": world["other"]})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and "Application: Select a valid choice" in html
    assert "Bravo" not in html
    assert "<dt>Unresolved</dt><dd>3</dd>" in html  # all of A's applications instead


def test_empty_state(org_a: Any, owner_a: Any) -> None:
    response = logged_in(owner_a).get(page_url(org_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="empty-state" role="status"' in html and "No findings recorded yet" in html
    assert "<svg" not in html


def test_page_is_for_members_only(org_a: Any, org_b: Any, owner_b: Any, world: dict[str, Any]) -> None:
    assert logged_in(owner_b).get(page_url(org_a)).status_code == 404
    anonymous = Client().get(page_url(org_a))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert logged_in(owner_b).post(page_url(org_b)).status_code == 405


def test_api_returns_the_same_figures(org_a: Any, owner_a: Any, world: dict[str, Any]) -> None:
    response = logged_in(owner_a).get(api_url(org_a))
    assert response.status_code == 200
    data = response.json()
    assert data["has_findings"] is True and data["application"] is None
    assert data["open_by_age"]["total"] == 3
    assert data["open_by_age"]["buckets"] == ["0-7 days", "8-30 days", "31-90 days", "Over 90 days"]
    rows = {row["severity"]: row["counts"] for row in data["open_by_age"]["rows"]}
    assert (
        rows["critical"] == [0, 0, 1, 0] and rows["high"] == [1, 0, 0, 0] and rows["medium"] == [1, 0, 0, 0]
    )
    assert data["sla_now"] == {
        "within": 1,
        "approaching": 0,
        "breached": 1,
        "met": 1,
        "no_deadline": 0,
        "total": 3,
    }
    high = next(r for r in data["time_to_remediate"]["rows"] if r["severity"] == "high")
    assert (high["remediated"], high["mean_seconds"], high["median_seconds"]) == (1, 5 * 3600, 5 * 3600)
    assert data["time_to_remediate"]["mean_seconds"] == 5 * 3600
    assert [q["name"] for q in data["sla_adherence"]][-1].startswith(str(timezone.now().year))
    assert len(data["burn_down"]["weeks"]) == 12 and data["burn_down"]["weeks"][-1]["unresolved"] == 3
    filtered = logged_in(owner_a).get(api_url(org_a), {"application": world["api"]}).json()
    assert filtered["application"] == world["api"] and filtered["open_by_age"]["total"] == 1


def test_api_read_token_and_refusals(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, world: dict[str, Any]
) -> None:
    _token, secret = api_token(org_a, owner_a, scope="read")
    client = bearer(secret)
    ok = client.get(api_url(org_a))
    assert ok.status_code == 200 and ok.json()["open_by_age"]["total"] == 3
    assert client.post(api_url(org_a), {}).status_code == 405
    elsewhere = client.get(api_url(org_b))  # A's token is no token under B's URL
    assert elsewhere.status_code == 401 and "open_by_age" not in elsewhere.json()
    foreign = client.get(api_url(org_a), {"application": world["other"]})
    assert foreign.status_code == 400 and list(foreign.json()) == ["application"]
    assert "Bravo" not in foreign.content.decode()
    assert Client().get(api_url(org_a)).status_code in (401, 403)
    viewer = member(org_a, role="viewer")
    assert logged_in(viewer).get(api_url(org_a)).status_code == 200
