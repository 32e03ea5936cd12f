"""The public trust center's page cache: invalidated on change, revalidated by ETag, right about time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import principal_for
from tests.trustcenter.public_data import make_certification, publish, today_utc
from trustroom.compliance.models import Certification, Visibility
from trustroom.compliance.services import update_certification
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.cache import invalidate_trust_center
from trustroom.trustcenter.services import update_settings

pytestmark = pytest.mark.django_db

URL = "/trust/alpha-co/certifications/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    principal = principal_for(owner_a, org_a)
    with org_scope(org_a):
        publish(principal)
    return principal


def test_url_is_the_certifications_tab() -> None:
    assert reverse("trust:certifications", kwargs={"org_slug": "alpha-co"}) == URL


def test_second_anonymous_get_is_served_from_the_cache(
    client: Client, org_a: Any, actor: Any, django_assert_num_queries: Any
) -> None:
    with org_scope(org_a):
        make_certification(actor, title="ISO 27001", valid_until=today_utc() + dt.timedelta(days=300))
    first = client.get(URL)
    assert first.status_code == 200
    with django_assert_num_queries(1) as queries:  # the organization by its slug, nothing else
        second = client.get(URL)
    assert "tenancy_organization" in queries.captured_queries[0]["sql"]
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "public, no-cache"


def test_a_change_through_the_compliance_service_shows_on_the_next_get(
    client: Client, org_a: Any, actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with org_scope(org_a):
        cert = make_certification(actor, title="ISO 27001", valid_until=today_utc() + dt.timedelta(days=300))
    assert b"ISO 27001" in client.get(URL).content
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        update_certification(actor=actor, certification=cert, title="ISO/IEC 27001:2022")
    assert b"ISO/IEC 27001:2022" in client.get(URL).content
    with django_capture_on_commit_callbacks(execute=True), org_scope(org_a):
        update_certification(actor=actor, certification=cert, visibility=Visibility.PRIVATE)
    assert b"ISO/IEC 27001:2022" not in client.get(URL).content


def test_a_change_of_the_trust_center_settings_shows_on_the_next_get(
    client: Client, org_a: Any, actor: Any
) -> None:
    assert client.get(URL).status_code == 200
    with org_scope(org_a):
        update_settings(actor=actor, intro="A brand new introduction")
    assert b"A brand new introduction" in client.get(URL).content
    with org_scope(org_a):
        update_settings(actor=actor, published=False)
    assert client.get(URL).status_code == 404


def test_without_invalidation_the_cached_page_is_served(client: Client, org_a: Any, actor: Any) -> None:
    """The counterpart of the test above: the cache is really used, so invalidation is what matters."""
    with org_scope(org_a):
        cert = make_certification(actor, title="ISO 27001", valid_until=today_utc() + dt.timedelta(days=300))
    assert b"ISO 27001" in client.get(URL).content
    with org_scope(org_a):
        Certification.objects.filter(pk=cert.pk).update(title="Renamed quietly")
    assert b"Renamed quietly" not in client.get(URL).content
    invalidate_trust_center(org_a.pk)
    assert b"Renamed quietly" in client.get(URL).content


def test_invalidation_inside_a_transaction_also_drops_pages_rendered_before_commit(
    client: Client, org_a: Any, actor: Any
) -> None:
    with org_scope(org_a):
        cert = make_certification(actor, title="ISO 27001", valid_until=today_utc() + dt.timedelta(days=300))
    client.get(URL)
    with org_scope(org_a):
        Certification.objects.filter(pk=cert.pk).update(visibility=Visibility.PRIVATE)
        invalidate_trust_center(org_a.pk)
    assert b"ISO 27001" not in client.get(URL).content


def test_matching_etag_answers_304_without_a_body(client: Client, org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        make_certification(actor, title="ISO 27001", valid_until=today_utc() + dt.timedelta(days=300))
    first = client.get(URL)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    invalidate_trust_center(org_a.pk)  # same content re-rendered: same ETag, still 304
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_etag_changes_when_the_page_changes(client: Client, org_a: Any, actor: Any) -> None:
    etag = client.get(URL)["ETag"]
    with org_scope(org_a):
        make_certification(actor, title="SOC 2", valid_until=today_utc() + dt.timedelta(days=300))
    invalidate_trust_center(org_a.pk)
    response = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_expiry_boundary_with_a_warm_cache_shows_expired(client: Client, org_a: Any, actor: Any) -> None:
    last_valid_day = dt.date(2031, 3, 31)
    with time_machine.travel(dt.datetime(2031, 3, 31, 23, 59, 30, tzinfo=dt.UTC), tick=False):
        with org_scope(org_a):
            make_certification(
                actor, title="ISO 27001", valid_until=last_valid_day, valid_from=dt.date(2028, 4, 1)
            )
        warm = client.get(URL).content.decode()
        assert "until 31 March 2031" in warm
        assert "Expired" not in warm
        assert client.get(URL).content.decode() == warm  # served from the warm cache
    with time_machine.travel(dt.datetime(2031, 4, 1, 0, 0, 5, tzinfo=dt.UTC), tick=False):
        after = client.get(URL).content.decode()
        overview = client.get("/trust/alpha-co/").content.decode()
    assert "Expired on 31 March 2031" in after
    assert "alid until 31 March 2031" not in after
    assert "Expired on 31 March 2031" in overview


def test_signed_in_visitors_are_neither_served_nor_stored(
    client: Client, org_a: Any, owner_a: Any, actor: Any
) -> None:
    with org_scope(org_a):
        cert = make_certification(actor, title="ISO 27001", valid_until=today_utc() + dt.timedelta(days=300))
    client.force_login(owner_a)
    signed_in = client.get(URL)
    assert signed_in["Cache-Control"] == "private, no-cache"
    with org_scope(org_a):
        Certification.objects.filter(pk=cert.pk).update(title="Renamed quietly")
    # Nothing was stored by the signed-in request: the first anonymous request renders afresh.
    anonymous = Client()
    assert b"Renamed quietly" in anonymous.get(URL).content
    assert b"Renamed quietly" in client.get(URL).content


def test_cache_slots_differ_by_utc_date_and_version(org_a: Any) -> None:
    from trustroom.trustcenter.cache import page_slot

    evening = dt.datetime(2031, 3, 31, 23, 59, tzinfo=dt.UTC)
    morning = dt.datetime(2031, 4, 1, 0, 1, tzinfo=dt.UTC)
    # Still 31 March in New York, already 1 April in UTC: the UTC date decides.
    new_york = dt.datetime(2031, 3, 31, 20, 1, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert page_slot(org_a, "overview", now=evening).key != page_slot(org_a, "overview", now=morning).key
    assert page_slot(org_a, "overview", now=evening).key == page_slot(org_a, "overview", now=evening).key
    assert page_slot(org_a, "overview", now=new_york).key == page_slot(org_a, "overview", now=morning).key
    before = page_slot(org_a, "overview", now=evening).key
    invalidate_trust_center(org_a.pk)
    assert page_slot(org_a, "overview", now=evening).key != before


def test_organization_profile_change_shows_without_invalidation(
    client: Client, org_a: Any, actor: Any
) -> None:
    """The tenancy app does not invalidate the trust center: what it changes is part of the key."""
    from trustroom.tenancy.services import update_organization

    assert b"Alpha Co trust center" in client.get(URL).content
    with org_scope(org_a):
        update_organization(actor=actor, name="Alpha Renamed", website="https://alpha.example")
    page = client.get(URL).content
    assert b"Alpha Renamed trust center" in page
    assert b"https://alpha.example" in page
