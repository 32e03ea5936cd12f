"""DR claims per plan: the trust center shows one DR claim per plan, each with its own key
(`program:dr_failover:<plan id>`), so a control bound to plan A marks only plan A; a control bound to the
overall `program:dr_failover` backs every plan's claim, and so does a policy set on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from tests.controls.factories import make_control
from tests.factories import principal_for
from tests.resilience.factories import make_drill, make_plan
from tests.trustcenter.public_data import publish
from trustroom.controls.posture import DR_CLAIM, HIDE, SHOW_AS_STALE
from trustroom.controls.services.posture import bind_claim
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.posture_claims import claim_rows
from trustroom.trustcenter.public_views import trust_center_content
from trustroom.trustcenter.services import set_claim_policy, update_settings

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Iterator[Any]:
    with org_scope(org_a):
        principal = principal_for(owner_a, org_a)
        publish(principal)
        update_settings(actor=principal, claim_dr_testing=True)
        yield principal


@pytest.fixture
def plans(actor: Any) -> dict[str, Any]:
    """Two drilled plans, both current by their drills."""
    made = {}
    for service in ("Billing", "Core API"):
        plan = make_plan(actor, service=service)
        make_drill(actor, plan, started_at=NOW - dt.timedelta(days=20), now=NOW)
        made[service] = plan
    return made


def dr_posture(org: Any) -> dict[str, Any]:
    """What the public page shows of each DR claim: title -> (key, posture or None)."""
    content = trust_center_content(org, now=NOW)
    return {
        c.title.removeprefix("Disaster recovery: "): (c.claim_key, c.posture) for c in content.program_claims
    }


def test_each_plan_has_its_own_claim_key(actor: Any, org_a: Any, plans: dict[str, Any]) -> None:
    shown = dr_posture(org_a)
    assert {name: key for name, (key, _) in shown.items()} == {
        name: f"{DR_CLAIM}:{plan.pk}" for name, plan in plans.items()
    }


def test_a_control_bound_to_one_plan_marks_only_that_plan(
    actor: Any, org_a: Any, plans: dict[str, Any], client: Client
) -> None:
    control = make_control(actor, key="DR-A", name="Core API drill report")
    bind_claim(actor=actor, claim_key=f"{DR_CLAIM}:{plans['Core API'].pk}", control=control)
    shown = dr_posture(org_a)
    assert not shown["Core API"][1].verified and shown["Billing"][1] is None
    page = client.get("/trust/alpha-co/").content.decode()
    assert page.count("Not currently verified: control DR-A has no evidence in effect") == 1
    assert page.count(">Current<") == 1  # Billing; Core API's badge says it is not currently verified


def test_a_control_bound_to_the_overall_claim_marks_every_plan(
    actor: Any, org_a: Any, plans: dict[str, Any]
) -> None:
    bind_claim(actor=actor, claim_key=DR_CLAIM, control=make_control(actor, key="DR-1", name="Drills"))
    plan_control = make_control(actor, key="DR-B", name="Billing drill report")
    bind_claim(actor=actor, claim_key=f"{DR_CLAIM}:{plans['Billing'].pk}", control=plan_control)
    shown = dr_posture(org_a)
    assert [c.key for c in shown["Core API"][1].controls] == ["DR-1"]
    assert [c.key for c in shown["Billing"][1].controls] == ["DR-B", "DR-1"]


def test_a_plan_inherits_the_overall_claims_policy_unless_it_has_its_own(
    actor: Any, org_a: Any, plans: dict[str, Any]
) -> None:
    bind_claim(actor=actor, claim_key=DR_CLAIM, control=make_control(actor, key="DR-1", name="Drills"))
    set_claim_policy(actor=actor, claim_key=DR_CLAIM, policy=HIDE)
    assert dr_posture(org_a) == {}
    set_claim_policy(actor=actor, claim_key=f"{DR_CLAIM}:{plans['Billing'].pk}", policy=SHOW_AS_STALE)
    assert list(dr_posture(org_a)) == ["Billing"]
    rows = {row.claim_key: row for row in claim_rows(org_a, NOW)}
    core = rows[f"{DR_CLAIM}:{plans['Core API'].pk}"]
    assert core.title == "Disaster recovery: Core API" and core.policy == "inherit"
    assert core.effective_policy == HIDE and core.public_posture.startswith("Hidden: control DR-1")


@pytest.fixture
def foreign(org_b: Any, owner_b: Any) -> Any:
    with org_scope(org_b):
        return make_plan(principal_for(owner_b, org_b), service="Bravo API")


def test_only_a_plan_of_the_organization_can_be_bound(
    foreign: Any, actor: Any, plans: dict[str, Any]
) -> None:
    control = make_control(actor, key="DR-1", name="Drills")
    for key in (
        f"{DR_CLAIM}:{foreign.pk}",
        f"{DR_CLAIM}:999999",
        f"{DR_CLAIM}:x",
        "program:access_reviews:1",
    ):
        with pytest.raises(ValidationError):
            bind_claim(actor=actor, claim_key=key, control=control)
