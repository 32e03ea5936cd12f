"""The public trust center pages: what a visitor sees, and what they never see."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import principal_for
from tests.trustcenter.public_data import (
    build_world,
    custom_framework,
    make_certification,
    make_statement,
    today_utc,
)
from trustroom.compliance.models import Visibility
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.services import update_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def alpha(org_a: Any, owner_a: Any) -> dict[str, Any]:
    with org_scope(org_a):
        return build_world(org=org_a, actor=principal_for(owner_a, org_a), label="alpha")


@pytest.fixture
def bravo(org_b: Any, owner_b: Any) -> dict[str, Any]:
    with org_scope(org_b):
        return build_world(org=org_b, actor=principal_for(owner_b, org_b), label="bravo")


def page(client: Client, name: str, slug: str = "alpha-co") -> str:
    response = client.get(reverse(f"trust:{name}", kwargs={"org_slug": slug}))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def article(html: str, title: str) -> str:
    """The <article> of one item, by its heading text."""
    for match in re.finditer(r"<article\b.*?</article>", html, flags=re.S):
        if title in match.group(0):
            return match.group(0)
    raise AssertionError(f"no article for {title!r}")


def test_overview_shows_the_organization_summary_and_sections(client: Client, alpha: Any) -> None:
    html = page(client, "overview")
    assert "Alpha Co trust center" in html
    assert "alpha intro text" in html
    # The private statement and certification do not count; the expired certification is not valid.
    assert re.search(r"<strong>2</strong> of 2 frameworks compliant", html)
    assert re.search(r"<strong>2</strong> of 3 certifications currently valid", html)
    assert "Security FAQ" in html
    assert "Vulnerability disclosure" in html
    assert "security.txt" not in html  # there is no security.txt route to point to (yet)


def test_compliance_tab_shows_each_published_statement(client: Client, alpha: Any) -> None:
    html = page(client, "compliance")
    public = article(html, "alpha public framework")
    assert "Compliant" in public
    assert "alpha public framework summary" in public
    assert "<li>alpha public framework measure one</li>" in public
    assert "Last reviewed" in public
    gated = article(html, "alpha gated framework")
    assert "Compliant" in gated and "Last reviewed" in gated
    assert "alpha gated framework measure" not in html  # the details are for those given access
    assert f'href="{reverse("trust:request-access", kwargs={"org_slug": "alpha-co"})}"' in gated


def test_not_applicable_statement_shows_its_reason(client: Client, org_a: Any, owner_a: Any) -> None:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        update_settings(actor=actor, published=True)
        pci = custom_framework(actor, name="PCI DSS")
        make_statement(
            actor,
            framework=pci,
            status="not_applicable",
            summary="Payment Card Industry Data Security Standard",
            measures=[],
            not_applicable_reason="Card data is handled by a PCI DSS compliant payment processor.",
        )
    html = article(page(client, "compliance"), "PCI DSS")
    assert "Not applicable" in html
    assert "Card data is handled by a PCI DSS compliant payment processor." in html


def test_certifications_tab_shows_freshness(client: Client, alpha: Any) -> None:
    html = page(client, "certifications")
    cert = article(html, "alpha public cert")
    until = today_utc() + dt.timedelta(days=400)
    assert f"until {until.day} {until:%B %Y}" in cert
    assert "alpha public cert issuer" in cert
    assert "alpha public cert number" in cert
    assert 'class="badge ok">Valid<' in cert


def test_expired_certificate_shows_expired_and_never_valid(client: Client, alpha: Any) -> None:
    expired_on = today_utc() - dt.timedelta(days=1)
    for name in ("certifications", "overview"):
        html = page(client, name)
        if name == "certifications":
            item = article(html, "alpha expired cert")
        else:
            item = re.search(r"<tr>\s*<th scope=\"row\">alpha expired cert</th>.*?</tr>", html, re.S).group(0)
        assert "Expired" in item
        assert f"Expired on {expired_on.day} {expired_on:%B %Y}" in item
        assert "Valid" not in item and "valid until" not in item.lower()


def test_renewal_in_progress_is_shown(client: Client, org_a: Any, owner_a: Any) -> None:
    from trustroom.compliance.services import start_renewal

    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        update_settings(actor=actor, published=True)
        cert = make_certification(
            actor, title="ISO renewing", valid_until=today_utc() + dt.timedelta(days=20)
        )
        start_renewal(actor=actor, certification=cert)
    item = article(page(client, "certifications"), "ISO renewing")
    assert "Renewal in progress" in item


def test_private_items_never_appear(client: Client, alpha: Any) -> None:
    for name in ("overview", "compliance", "certifications"):
        html = page(client, name)
        assert "alpha hidden" not in html, name


def test_gated_item_shows_existence_freshness_and_request_access(client: Client, alpha: Any) -> None:
    html = page(client, "certifications")
    gated = article(html, "alpha gated cert")
    until = today_utc() + dt.timedelta(days=400)
    assert f"until {until.day} {until:%B %Y}" in gated
    request_access = reverse("trust:request-access", kwargs={"org_slug": "alpha-co"})
    assert f'href="{request_access}"' in gated
    assert "Request access" in gated
    # No document is linked from the public pages: gated ones need a grant, and the public item's
    # certificate offers no request button either.
    assert "/download/" not in html
    assert "Request access" not in article(html, "alpha public cert")


def test_no_data_of_another_organization(client: Client, alpha: Any, bravo: Any) -> None:
    for name in ("overview", "compliance", "certifications"):
        html = page(client, name, slug="alpha-co")
        assert "bravo" not in html.lower(), name
        html = page(client, name, slug="bravo-co")
        assert "alpha" not in html.lower(), name
        assert "bravo public cert" in html or name == "compliance"


def test_unknown_slug_is_404(client: Client, alpha: Any) -> None:
    for name in ("overview", "compliance", "certifications"):
        response = client.get(reverse(f"trust:{name}", kwargs={"org_slug": "no-such-org"}))
        assert response.status_code == 404
        assert b"Not found" in response.content


def test_unpublished_trust_center_is_404_like_an_unknown_one(
    client: Client, org_a: Any, owner_a: Any
) -> None:
    with org_scope(org_a):
        make_certification(
            principal_for(owner_a, org_a),
            title="Not yet public",
            valid_until=today_utc() + dt.timedelta(days=30),
        )
    response = client.get(reverse("trust:overview", kwargs={"org_slug": "alpha-co"}))
    assert response.status_code == 404
    assert b"Not yet public" not in response.content
    with org_scope(org_a):
        update_settings(actor=principal_for(owner_a, org_a), published=True)
    assert "Not yet public" in page(client, "overview")
    with org_scope(org_a):
        update_settings(actor=principal_for(owner_a, org_a), published=False)
    assert client.get(reverse("trust:overview", kwargs={"org_slug": "alpha-co"})).status_code == 404


def test_html_basics_one_h1_and_tabs_with_aria_current(client: Client, alpha: Any) -> None:
    for name in ("overview", "compliance", "certifications"):
        html = page(client, name)
        assert len(re.findall(r"<h1\b", html)) == 1, name
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
        assert current == [reverse(f"trust:{name}", kwargs={"org_slug": "alpha-co"})], name
        for other in ("overview", "compliance", "certifications"):
            assert f'href="{reverse(f"trust:{other}", kwargs={"org_slug": "alpha-co"})}"' in html
        assert '<html lang="en">' in html


def test_pages_hold_nothing_of_the_visitor(client: Client, alpha: Any, owner_a: Any) -> None:
    """The page is the same for everyone: no CSRF token, no account menu, no session."""
    anonymous = page(client, "overview")
    client.force_login(owner_a)
    signed_in = client.get(reverse("trust:overview", kwargs={"org_slug": "alpha-co"}))
    assert signed_in.status_code == 200
    assert signed_in.content.decode() == anonymous
    assert "owner@alpha.test" not in anonymous
    assert "csrfmiddlewaretoken" not in anonymous
    assert signed_in["Cache-Control"] == "private, no-cache"


def test_write_methods_are_refused(client: Client, alpha: Any) -> None:
    url = reverse("trust:overview", kwargs={"org_slug": "alpha-co"})
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url)
        assert response.status_code == 405, method
        assert "GET" in response["Allow"]


def test_attestation_report_shows_its_audit_period(client: Client, org_a: Any, owner_a: Any) -> None:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        update_settings(actor=actor, published=True)
        make_certification(
            actor,
            title="SOC 2 Type 2 report",
            kind="attestation_report",
            valid_until=today_utc() + dt.timedelta(days=200),
            audit_period_start=dt.date(2025, 7, 16),
            audit_period_end=dt.date(2026, 7, 15),
            visibility=Visibility.GATED,
        )
    item = article(page(client, "certifications"), "SOC 2 Type 2 report")
    assert "<dt>Audit period</dt><dd>16 July 2025 to 15 July 2026</dd>" in item
    assert "Attestation report" in item
