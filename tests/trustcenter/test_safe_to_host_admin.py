"""The organization's side of "safe to host": the trust-center admin tab and the API that publish an
application's attestation (opt-in), and show why one is not safe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.assessments.helpers import application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services as assessments
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.models import SafeToHostPublication

pytestmark = pytest.mark.django_db
PAGE = "/o/alpha-co/trust-center/safe-to-host/"
API = "/api/v1/orgs/alpha-co/trust-center/safe-to-host/"


@pytest.fixture
def apps(org_a: Any, owner_a: Any) -> dict[str, Any]:
    actor = principal_for(owner_a, org_a)
    now = dt.datetime.now(dt.UTC)
    with org_scope(org_a):
        safe = application(actor, name="Payments API")
        completed_engagement(actor, safe, end=now - dt.timedelta(days=20))
        unsafe = application(actor, name="Mobile backend")
        completed_engagement(actor, unsafe, end=now - dt.timedelta(days=20))
        assessments.create_finding(actor=actor, application=unsafe, title="RCE", severity="critical")
    return {"safe": safe, "unsafe": unsafe}


def published_names(org: Any) -> list[str]:
    with org_scope(org):
        return sorted(SafeToHostPublication.objects.values_list("application__name", flat=True))


def test_the_tab_lists_applications_with_why_not_and_publishes(
    org_a: Any, owner_a: Any, apps: dict[str, Any]
) -> None:
    admin = Client()
    admin.force_login(owner_a)
    page = admin.get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'aria-current="page">Safe to host</a>' in body
    assert "Unresolved findings: 1 critical (open, reopened or awaiting retest)." in body
    assert body.count("Not published") == 2
    response = admin.post(PAGE, {"application": apps["safe"].pk, "published": "on"})
    assert response.status_code == 302
    assert published_names(org_a) == ["Payments API"]
    assert "Shown" in admin.get(PAGE).content.decode()
    admin.post(PAGE, {"application": apps["unsafe"].pk, "published": "on"})
    assert "Published, not shown while it is not safe" in admin.get(PAGE).content.decode()
    admin.post(PAGE, {"application": apps["safe"].pk})  # unticked: withdraw
    assert published_names(org_a) == ["Mobile backend"]


def test_the_tab_refuses_another_organizations_application_and_viewers(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, apps: dict[str, Any]
) -> None:
    with org_scope(org_b):
        foreign = application(principal_for(owner_b, org_b), name="Bravo app")
    admin = Client()
    admin.force_login(owner_a)
    refused = admin.post(PAGE, {"application": foreign.pk, "published": "on"})
    assert refused.status_code == 400
    assert "Choose one of your applications." in refused.content.decode()
    assert published_names(org_a) == [] and published_names(org_b) == []
    viewer = Client()
    viewer.force_login(member(org_a, "viewer"))
    listing = viewer.get(PAGE)
    assert listing.status_code == 200 and "Publish<span" not in listing.content.decode()
    assert viewer.post(PAGE, {"application": apps["safe"].pk, "published": "on"}).status_code == 403
    assert published_names(org_a) == []


def test_the_api_lists_and_publishes(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, apps: dict[str, Any]
) -> None:
    client = APIClient()
    client.force_authenticate(owner_a)
    listed = client.get(API).json()["results"]
    by_name = {item["application"]: item for item in listed}
    assert by_name["Payments API"]["safe_to_host"] is True and by_name["Payments API"]["shown"] is False
    assert by_name["Payments API"]["attestation"]["vendor"] == "Sumasoft"
    assert by_name["Mobile backend"]["attestation"] is None
    assert by_name["Mobile backend"]["reasons"] == [
        "Unresolved findings: 1 critical (open, reopened or awaiting retest)."
    ]
    put = client.put(f"{API}{apps['safe'].pk}/", {"published": True}, format="json")
    assert put.status_code == 200 and put.json()["shown"] is True
    assert published_names(org_a) == ["Payments API"]
    assert client.put(f"{API}{apps['safe'].pk}/", {}, format="json").status_code == 400
    assert (
        client.put(f"{API}{apps['safe'].pk}/", {"published": True, "x": 1}, format="json").status_code == 400
    )
    with org_scope(org_b):
        foreign = application(principal_for(owner_b, org_b), name="Bravo app")
    assert client.put(f"{API}{foreign.pk}/", {"published": True}, format="json").status_code == 404
    viewer = APIClient()
    viewer.force_authenticate(member(org_a, "viewer"))
    assert viewer.get(API).status_code == 200
    assert viewer.put(f"{API}{apps['safe'].pk}/", {"published": False}, format="json").status_code == 403
    off = client.put(f"{API}{apps['safe'].pk}/", {"published": False}, format="json")
    assert off.status_code == 200 and off.json()["published"] is False
    assert published_names(org_a) == []


def test_the_tab_has_an_empty_state(org_a: Any, owner_a: Any) -> None:
    admin = Client()
    admin.force_login(owner_a)
    body = admin.get(PAGE).content.decode()
    assert 'role="status">No applications are recorded yet.' in body


def test_is_published_answers_for_the_organizations_own_pages(org_a: Any, apps: dict[str, Any]) -> None:
    from trustroom.trustcenter.attestations import is_published

    client = APIClient()
    with org_scope(org_a):
        assert not is_published(apps["safe"])
    client.force_authenticate(member(org_a, "admin"))
    assert client.put(f"{API}{apps['safe'].pk}/", {"published": True}, format="json").status_code == 200
    with org_scope(org_a):
        assert is_published(apps["safe"]) and not is_published(apps["unsafe"])
