"""Per-claim posture policy through the Posture tab and the API: owners and admins set it, every other
role is refused, bad input is a 400 naming the field, and the change shows on the public page at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import member, principal_for
from tests.trustcenter.public_data import unverified_certification
from trustroom.controls.posture import HIDE, SHOW_AS_STALE
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.models import ClaimPolicy

pytestmark = pytest.mark.django_db

TAB = "/o/alpha-co/trust-center/posture/"
SET = "/o/alpha-co/trust-center/posture/claim-policy/"
API = "/api/v1/orgs/alpha-co/trust-center/claim-policies/"
PUBLIC = "/trust/alpha-co/certifications/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def claim(org_a: Any, owner_a: Any) -> str:
    with org_scope(org_a):
        return unverified_certification(principal_for(owner_a, org_a))


def api_as(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def overrides(org: Any) -> dict[str, str]:
    with org_scope(org):
        return dict(ClaimPolicy.objects.values_list("claim_key", "policy"))


# --- Posture tab ---------------------------------------------------------------------------------------


def test_owner_sets_a_claim_policy_on_the_posture_tab(
    client: Client, org_a: Any, owner_a: Any, claim: str
) -> None:
    client.force_login(owner_a)
    page = client.get(TAB).content.decode()
    assert 'id="claim-policy-' in page and "Policy for ISO 27001" in page
    assert "In effect: Show it as not currently verified (inherited)" in page
    response = client.post(SET, {"claim_key": claim, "policy": HIDE})
    assert response.status_code == 302 and response["Location"] == TAB
    assert overrides(org_a) == {claim: HIDE}
    page = client.get(TAB).content.decode()
    assert "In effect: Hide it" in page and "Hidden: control AC-1 has no evidence in effect" in page
    assert "ISO 27001" not in Client().get(PUBLIC).content.decode()
    assert client.post(SET, {"claim_key": claim, "policy": "inherit"}).status_code == 302
    assert overrides(org_a) == {}
    assert "ISO 27001" in Client().get(PUBLIC).content.decode()


def test_bad_input_on_the_tab_is_a_400_that_says_what(
    client: Client, org_a: Any, owner_a: Any, claim: str
) -> None:
    client.force_login(owner_a)
    bad = client.post(SET, {"claim_key": claim, "policy": "verified"})
    assert bad.status_code == 400 and "Policy: Select a valid choice." in bad.content.decode()
    bad = client.post(SET, {"claim_key": "certification:999999", "policy": HIDE})
    assert bad.status_code == 400 and "Claim: No such trust center claim." in bad.content.decode()
    assert overrides(org_a) == {}
    assert client.get(SET).status_code == 405


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_other_roles_see_the_policy_but_cannot_set_it(
    client: Client, org_a: Any, claim: str, role: str
) -> None:
    client.force_login(member(org_a, role, email=f"{role}@alpha.test"))
    page = client.get(TAB).content.decode()
    assert "In effect: Show it as not currently verified (inherited)" in page
    assert "Policy for ISO 27001" not in page
    assert client.post(SET, {"claim_key": claim, "policy": HIDE}).status_code == 403
    assert overrides(org_a) == {}


# --- API -----------------------------------------------------------------------------------------------


def test_api_sets_changes_lists_and_clears_a_claim_policy(org_a: Any, owner_a: Any, claim: str) -> None:
    api = api_as(owner_a)
    made = api.post(API, {"claim_key": claim, "policy": HIDE}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["claim_key"] == claim and made.json()["policy"] == HIDE
    again = api.post(API, {"claim_key": claim, "policy": HIDE}, format="json")
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    assert "ISO 27001" not in Client().get(PUBLIC).content.decode()
    bindings = api.get("/api/v1/orgs/alpha-co/trust-center/claim-bindings/").json()
    rows = bindings["results"] if isinstance(bindings, dict) else bindings
    assert [(r["claim_key"], r["claim_policy"]) for r in rows] == [(claim, HIDE)]
    detail = f"{API}{made.json()['id']}/"
    changed = api.patch(detail, {"policy": SHOW_AS_STALE}, format="json")
    assert changed.status_code == 200 and changed.json()["policy"] == SHOW_AS_STALE
    listed = api.get(API).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [(r["claim_key"], r["policy"]) for r in rows] == [(claim, SHOW_AS_STALE)]
    assert api.delete(detail).status_code == 204
    assert overrides(org_a) == {} and api.get(detail).status_code == 404


def test_api_refuses_bad_values_with_the_field(org_a: Any, owner_a: Any, claim: str) -> None:
    api = api_as(owner_a)
    for body, field in [
        ({"claim_key": claim, "policy": "verified"}, "policy"),
        ({"claim_key": claim, "policy": "inherit"}, "policy"),  # DELETE returns a claim to the default
        ({"claim_key": claim}, "policy"),
        ({"claim_key": "certification:999999", "policy": HIDE}, "claim_key"),
        ({"claim_key": claim, "policy": HIDE, "id": 5}, "id"),
    ]:
        bad = api.post(API, body, format="json")
        assert bad.status_code == 400 and field in bad.json(), (body, bad.content)
    made = api.post(API, {"claim_key": claim, "policy": HIDE}, format="json").json()
    bad = api.patch(f"{API}{made['id']}/", {"policy": "nope"}, format="json")
    assert bad.status_code == 400 and "policy" in bad.json()
    assert overrides(org_a) == {claim: HIDE}


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_api_other_roles_read_but_are_refused_writes(org_a: Any, owner_a: Any, claim: str, role: str) -> None:
    made = api_as(owner_a).post(API, {"claim_key": claim, "policy": HIDE}, format="json").json()
    api = api_as(member(org_a, role, email=f"{role}@alpha.test"))
    assert api.get(API).status_code == 200
    assert api.post(API, {"claim_key": claim, "policy": SHOW_AS_STALE}, format="json").status_code == 403
    assert api.patch(f"{API}{made['id']}/", {"policy": SHOW_AS_STALE}, format="json").status_code == 403
    assert api.delete(f"{API}{made['id']}/").status_code == 403
    assert overrides(org_a) == {claim: HIDE}
