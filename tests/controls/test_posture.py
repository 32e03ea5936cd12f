"""Trust posture: claims bound to controls, shown verified, not currently verified, or hidden."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.controls.factories import make_control
from tests.factories import member, principal_for
from tests.trustcenter.public_data import make_certification, publish
from trustroom.controls import services
from trustroom.controls.posture import HIDE, SHOW_AS_STALE, posture
from trustroom.controls.services.posture import bind_claim, unbind_claim
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.services import update_settings

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
URL = "/trust/alpha-co/certifications/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _certified(actor: Any) -> str:
    publish(actor)
    cert = make_certification(actor, title="ISO 27001", valid_until=dt.date(2031, 1, 1))
    return f"certification:{cert.pk}"


def _link(actor: Any, control: Any, start: dt.datetime, end: dt.datetime) -> None:
    services.add_evidence(
        actor=actor,
        control=control,
        kind="link",
        url="https://x.example/e",
        effective_at=start,
        expires_at=end,
    )


def test_posture_per_state_with_a_fixed_clock(actor: Any) -> None:
    ready = make_control(actor, key="AC-1", name="Reviews")
    stale = make_control(actor, key="DR-1", name="Drills")
    missing = make_control(actor, key="MFA-1", name="MFA")
    _link(actor, ready, NOW - dt.timedelta(days=3), NOW + dt.timedelta(days=30))
    _link(actor, stale, NOW - dt.timedelta(days=90), NOW - dt.timedelta(days=5))
    bind_claim(actor=actor, claim_key="program:access_reviews", control=ready)
    bind_claim(actor=actor, claim_key="program:dr_failover", control=stale)
    bind_claim(actor=actor, claim_key="program:dr_failover", control=ready)
    bind_claim(actor=actor, claim_key="program:production_access", control=missing)

    current = posture(SHOW_AS_STALE, NOW)
    verified = current.claims["program:access_reviews"]
    assert verified.verified and verified.evidence_as_of == dt.date(2027, 1, 7)
    dr = current.claims["program:dr_failover"]
    assert not dr.verified and not dr.hidden
    assert dr.reason == "control DR-1 is stale since 5 January 2027"
    assert current.claims["program:production_access"].reason == "control MFA-1 has no evidence in effect"
    assert current.changes_at == NOW + dt.timedelta(days=30)  # the next expiry of a bound control

    hidden = posture(HIDE, NOW)
    assert hidden.claims["program:dr_failover"].hidden
    assert not hidden.claims["program:access_reviews"].hidden


def test_public_page_shows_verified_and_not_currently_verified(client: Client, actor: Any) -> None:
    key = _certified(actor)
    control = make_control(actor, key="AC-1", name="Reviews")
    _link(actor, control, NOW - dt.timedelta(days=3), NOW + dt.timedelta(days=30))
    bind_claim(actor=actor, claim_key=key, control=control)
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL).content.decode()
    assert "Verified by 1 control, evidence as of 7 January 2027" in page
    assert "Not currently verified" not in page

    cache.clear()
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        page = client.get(URL).content.decode()
    assert "Not currently verified: control AC-1 is stale since 9 February 2027" in page
    assert "Verified by" not in page


def test_hide_policy_takes_the_claim_off_the_public_page(client: Client, actor: Any) -> None:
    key = _certified(actor)
    control = make_control(actor, key="AC-1", name="Reviews")
    bind_claim(actor=actor, claim_key=key, control=control)  # no evidence: missing
    update_settings(actor=actor, claim_posture_policy=HIDE)
    page = client.get(URL).content.decode()
    assert "ISO 27001" not in page
    update_settings(actor=actor, claim_posture_policy=SHOW_AS_STALE)
    page = client.get(URL).content.decode()
    assert "ISO 27001" in page and "control AC-1 has no evidence in effect" in page


def test_cache_cleared_when_evidence_is_added(
    client: Client, actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    key = _certified(actor)
    control = make_control(actor, key="AC-1", name="Reviews")
    bind_claim(actor=actor, claim_key=key, control=control)
    assert "Not currently verified" in client.get(URL).content.decode()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):  # the audit listener clears after commit
        _link(actor, control, start, start + dt.timedelta(days=30))
    assert "Verified by 1 control" in client.get(URL).content.decode()


def test_cached_page_does_not_outlive_an_evidence_expiry_with_no_write(client: Client, actor: Any) -> None:
    key = _certified(actor)
    control = make_control(actor, key="AC-1", name="Reviews")
    expiry = NOW + dt.timedelta(seconds=60)
    _link(actor, control, NOW - dt.timedelta(days=3), expiry)
    bind_claim(actor=actor, claim_key=key, control=control)
    with time_machine.travel(NOW, tick=False):
        assert "Verified by 1 control" in client.get(URL).content.decode()  # cached now
    with time_machine.travel(expiry + dt.timedelta(seconds=1), tick=False):
        page = client.get(URL).content.decode()
    assert "Not currently verified: control AC-1 is stale" in page


def test_managers_bind_editors_do_not(actor: Any, org_a: Any) -> None:
    control = make_control(actor, key="AC-1", name="Reviews")
    editor = principal_for(member(org_a, "editor", email="editor@alpha.test"), org_a)
    with pytest.raises(PermissionDenied):
        bind_claim(actor=editor, claim_key="program:access_reviews", control=control)
    binding = bind_claim(actor=actor, claim_key="program:access_reviews", control=control)
    with pytest.raises(PermissionDenied):
        unbind_claim(actor=editor, binding=binding)
    with pytest.raises(ValidationError):
        bind_claim(actor=actor, claim_key="program:access_reviews", control=control)
    with pytest.raises(ValidationError):
        bind_claim(actor=actor, claim_key="certification:999999", control=control)
    unbind_claim(actor=actor, binding=binding)
    assert posture().claims == {}


def test_api_binds_lists_unbinds_and_refuses_bad_input(org_a: Any, owner_a: Any, actor: Any) -> None:
    from rest_framework.test import APIClient

    control = make_control(actor, key="AC-1", name="Reviews")
    api = APIClient()
    api.force_authenticate(owner_a)
    base = "/api/v1/orgs/alpha-co/trust-center/claim-bindings/"
    bad = api.post(base, {"claim_key": "nonsense", "control": control.pk}, format="json")
    assert bad.status_code == 400 and "claim_key" in bad.json()
    bad = api.post(base, {"claim_key": "program:dr_failover", "control": 999999}, format="json")
    assert bad.status_code == 400 and "control" in bad.json()
    made = api.post(base, {"claim_key": "program:dr_failover", "control": control.pk}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["control_status"] == "missing" and made.json()["claim_verified"] is False
    listed = api.get(base).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["claim_key"] for r in rows] == ["program:dr_failover"]
    assert api.delete(f"{base}{made.json()['id']}/").status_code == 204
    settings = api.patch(
        "/api/v1/orgs/alpha-co/trust-center/settings/", {"claim_posture_policy": "x"}, format="json"
    )
    assert settings.status_code == 400 and "claim_posture_policy" in settings.json()


def test_admin_posture_tab_lists_claims(client: Client, org_a: Any, owner_a: Any, actor: Any) -> None:
    key = _certified(actor)
    control = make_control(actor, key="AC-1", name="Reviews")
    bind_claim(actor=actor, claim_key=key, control=control)
    update_settings(actor=actor, claim_posture_policy=HIDE)
    client.force_login(owner_a)
    page = client.get("/o/alpha-co/trust-center/posture/").content.decode()
    assert "ISO 27001" in page and "Hidden: control AC-1 has no evidence in effect" in page
    detail = client.get(f"/o/alpha-co/controls/{control.pk}/").content.decode()
    assert key in detail


def test_admin_forms_bind_and_choose_the_policy_editors_are_refused(
    client: Client, org_a: Any, owner_a: Any, actor: Any
) -> None:
    from trustroom.controls.models import ClaimBinding
    from trustroom.trustcenter.selectors import trust_center_settings

    key = _certified(actor)
    control = make_control(actor, key="AC-1", name="Reviews")
    url = "/o/alpha-co/trust-center/posture/"
    editor = member(org_a, "editor", email="editor@alpha.test")
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert "Bind a control to a claim" not in page and "Save policy" not in page
    assert client.post(url, {"claim_key": key, "control": control.pk}).status_code == 403
    assert client.post(url, {"claim_posture_policy": HIDE}).status_code == 403
    assert not ClaimBinding.objects.exists()

    client.force_login(owner_a)
    bad = client.post(url, {"claim_key": "certification:999999", "control": control.pk})
    assert bad.status_code == 400 and "No such trust center claim." in bad.content.decode()
    assert client.post(url, {"claim_key": key, "control": control.pk}).status_code == 302
    assert client.post(url, {"claim_posture_policy": HIDE}).status_code == 302
    assert trust_center_settings().claim_posture_policy == HIDE
    binding = ClaimBinding.objects.get()
    assert client.post(f"{url}{binding.pk}/unbind/").status_code == 302
    assert not ClaimBinding.objects.exists()


@pytest.fixture
def foreign_certification(org_b: Any, owner_b: Any) -> Any:
    with org_scope(org_b):
        return make_certification(
            principal_for(owner_b, org_b), title="Bravo ISO", valid_until=dt.date(2031, 1, 1)
        )


def test_a_claim_of_another_organization_cannot_be_bound(foreign_certification: Any, actor: Any) -> None:
    control = make_control(actor, key="AC-1", name="Reviews")
    with pytest.raises(ValidationError):
        bind_claim(actor=actor, claim_key=f"certification:{foreign_certification.pk}", control=control)
