"""The IP allowlist on pages: enforcement on every organization page, and the allowlist page itself."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import MembershipFactory, auditor_of_everything, member
from tests.identity.factories import allow
from tests.tenancy.factories import signed_in
from trustroom.audit.models import AuditEvent
from trustroom.identity.models import IpAllowlistEntry
from trustroom.tenancy.mixins import OrgScopedViewMixin
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

DASHBOARD = "/o/alpha-co/"
PAGE = "/o/alpha-co/ip-allowlist/"
OFFICE = "203.0.113.0/24"


def entries(org) -> list[str]:
    with org_scope(org):
        return list(IpAllowlistEntry.objects.values_list("network", flat=True))


def test_no_allowlist_means_unrestricted(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    assert client.get(DASHBOARD, REMOTE_ADDR="198.51.100.20").status_code == 200
    page = client.get(PAGE, REMOTE_ADDR="198.51.100.20")
    assert page.status_code == 200
    assert "No allowlist: members and API tokens can connect from anywhere" in page.content.decode()


@pytest.mark.parametrize(
    "path",
    [DASHBOARD, "/o/alpha-co/members/", "/o/alpha-co/compliance/", "/o/alpha-co/audit/", PAGE],
)
def test_a_member_outside_the_list_gets_403_on_every_page(org_a, owner_a, path: str) -> None:
    allow(org_a, owner_a, OFFICE)
    response = signed_in(owner_a).get(path, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 403
    body = response.content.decode()
    assert "only allows access from the networks on its IP allowlist" in body
    assert "198.51.100.20" in body


def test_a_member_inside_the_list_gets_in(org_a, owner_a) -> None:
    allow(org_a, owner_a, OFFICE)
    allow(org_a, owner_a, "2001:db8::/32")
    client = signed_in(owner_a)
    assert client.get(DASHBOARD, REMOTE_ADDR="203.0.113.77").status_code == 200
    assert client.get(DASHBOARD, REMOTE_ADDR="2001:db8::5").status_code == 200
    assert client.get(DASHBOARD, REMOTE_ADDR="2001:db9::5").status_code == 403


def test_posts_are_refused_too_and_change_nothing(org_a, owner_a) -> None:
    allow(org_a, owner_a, OFFICE)
    response = signed_in(owner_a).post(
        PAGE, {"network": "0.0.0.0/0", "applies_to": "both"}, REMOTE_ADDR="198.51.100.20"
    )
    assert response.status_code == 403
    assert entries(org_a) == [OFFICE]


def test_a_list_for_api_tokens_only_does_not_restrict_pages(org_a, owner_a) -> None:
    allow(org_a, owner_a, OFFICE, applies_to="api_tokens")
    assert signed_in(owner_a).get(DASHBOARD, REMOTE_ADDR="198.51.100.20").status_code == 200


def test_a_stranger_still_gets_404_not_the_allowlist_page(org_a, owner_a, owner_b) -> None:
    allow(org_a, owner_a, OFFICE)
    assert signed_in(owner_b).get(DASHBOARD, REMOTE_ADDR="198.51.100.20").status_code == 404


def test_another_organizations_list_does_not_apply(org_a, owner_a, org_b, owner_b) -> None:
    allow(org_b, owner_b, OFFICE)
    both = member(org_b, "viewer", email="both@alpha.test")
    MembershipFactory(organization=org_a, user=both, role="viewer")
    client = signed_in(both)
    assert client.get(DASHBOARD, REMOTE_ADDR="198.51.100.20").status_code == 200
    assert client.get("/o/bravo-co/", REMOTE_ADDR="198.51.100.20").status_code == 403


@override_settings(TRUSTROOM_TRUSTED_PROXIES=0)
def test_x_forwarded_for_is_ignored_without_trusted_proxies(org_a, owner_a) -> None:
    allow(org_a, owner_a, OFFICE)
    response = signed_in(owner_a).get(
        DASHBOARD, REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert response.status_code == 403
    assert "198.51.100.20" in response.content.decode()


@override_settings(TRUSTROOM_TRUSTED_PROXIES=1)
def test_behind_one_proxy_only_the_entry_it_wrote_counts(org_a, owner_a) -> None:
    allow(org_a, owner_a, OFFICE)
    client = signed_in(owner_a)
    proxy = "10.0.0.2"  # the proxy's own address is REMOTE_ADDR
    # The client put an allowed address first; the proxy appended the real one: refused.
    spoofed = client.get(DASHBOARD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.20")
    assert spoofed.status_code == 403
    assert "198.51.100.20" in spoofed.content.decode()
    real = client.get(DASHBOARD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.5")
    assert real.status_code == 200


# --- The allowlist page ------------------------------------------------------------------------------


def test_owner_adds_a_network_and_it_is_audited(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    response = client.post(
        PAGE,
        {"network": "203.0.113.9/24", "label": "Office", "applies_to": "both"},
        REMOTE_ADDR="203.0.113.50",
    )
    assert response.status_code == 302
    assert entries(org_a) == [OFFICE]
    page = client.get(PAGE, REMOTE_ADDR="203.0.113.50").content.decode()
    assert OFFICE in page and "Office" in page and "203.0.113.50" in page
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="ip_allowlist.updated").count() == 1


def test_bad_network_is_shown_on_the_form(org_a, owner_a) -> None:
    response = signed_in(owner_a).post(PAGE, {"network": "10.0.0.300/8", "applies_to": "both"})
    assert response.status_code == 400
    assert "&#x27;10.0.0.300/8&#x27; is not an IPv4 or IPv6 network" in response.content.decode()
    assert entries(org_a) == []


def test_lockout_is_asked_for_then_confirmed(org_a, owner_a) -> None:
    client = signed_in(owner_a)
    data = {"network": "10.0.0.0/8", "label": "VPN", "applies_to": "members"}
    first = client.post(PAGE, data, REMOTE_ADDR="198.51.100.20")
    assert first.status_code == 400
    body = first.content.decode()
    assert "would lock you out" in body and "198.51.100.20" in body
    assert 'name="confirm_lockout"' in body
    assert entries(org_a) == []
    second = client.post(PAGE, {**data, "confirm_lockout": "on"}, REMOTE_ADDR="198.51.100.20")
    assert second.status_code == 302
    assert entries(org_a) == ["10.0.0.0/8"]
    assert client.get(PAGE, REMOTE_ADDR="198.51.100.20").status_code == 403  # as warned


def test_remove_asks_and_removes(org_a, owner_a) -> None:
    entry = allow(org_a, owner_a, OFFICE)
    allow(org_a, owner_a, "192.0.2.0/24")
    client = signed_in(owner_a)
    url = f"{PAGE}{entry.pk}/remove/"
    assert OFFICE in client.get(url, REMOTE_ADDR="203.0.113.5").content.decode()
    refused = client.post(url, REMOTE_ADDR="203.0.113.5")
    assert refused.status_code == 400 and "would lock you out" in refused.content.decode()
    assert client.post(url, {"confirm_lockout": "on"}, REMOTE_ADDR="203.0.113.5").status_code == 302
    assert entries(org_a) == ["192.0.2.0/24"]


def test_viewers_cannot_see_the_page_auditors_read_it(org_a, owner_a) -> None:
    allow(org_a, owner_a, OFFICE, current_ip="203.0.113.1")
    viewer = member(org_a, "viewer")
    assert signed_in(viewer).get(PAGE, REMOTE_ADDR="203.0.113.1").status_code == 403
    auditor = signed_in(auditor_of_everything(org_a))
    page = auditor.get(PAGE, REMOTE_ADDR="203.0.113.1")
    assert page.status_code == 200 and OFFICE in page.content.decode()
    assert "Add a network" not in page.content.decode()
    assert auditor.post(PAGE, {"network": "0.0.0.0/0", "applies_to": "both"}).status_code == 403


# --- Every organization page goes through the one check ---------------------------------------------


def _org_views(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, object]]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _org_views(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("o/<slug:org_slug>/"):
            found.append((route, getattr(pattern.callback, "view_class", pattern.callback)))
    return found


# Under /o/<slug>/ but for people who are not members yet (the link is the capability).
NOT_MEMBER_PAGES = {"InvitationAcceptView"}


def test_every_organization_page_builds_on_the_checked_base() -> None:
    views = _org_views()
    assert len(views) > 20
    unchecked = [
        route
        for route, view in views
        if not (isinstance(view, type) and issubclass(view, OrgScopedViewMixin))
        and getattr(view, "__name__", "") not in NOT_MEMBER_PAGES
    ]
    assert unchecked == [], f"pages under /o/<slug>/ that skip the IP allowlist check: {unchecked}"
    assert settings.ROOT_URLCONF == "trustroom.urls"
