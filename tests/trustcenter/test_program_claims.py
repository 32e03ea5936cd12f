"""Security program claims on the public trust center: derived from the access review, DR drill and
access rule records when read, shown only when published, stale by themselves when a cadence is missed,
and never served from a cache that outlived a change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.access import factories as access
from tests.factories import member, principal_for
from tests.resilience.factories import make_drill, make_plan
from tests.trustcenter.public_data import publish
from trustroom.access.services import reviews, rules
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.program_claims import (
    access_review_claim,
    describe_rule,
    dr_claims,
    production_access_claims,
)
from trustroom.trustcenter.services import update_settings

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
OVERVIEW = "/trust/alpha-co/"


@pytest.fixture(autouse=True)
def _clock_and_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def actor(org_a: Any, owner_a: Any, committed: Any) -> Any:
    principal = principal_for(owner_a, org_a)
    with org_scope(org_a), committed():
        publish(principal)
        update_settings(
            actor=principal, claim_access_reviews=True, claim_dr_testing=True, claim_production_access=True
        )
    return principal


def page(client: Client) -> str:
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    return response.content.decode()


def test_cadences_are_described_in_words() -> None:
    assert describe_rule("FREQ=MONTHLY;INTERVAL=3") == "quarterly"
    assert describe_rule("FREQ=MONTHLY;INTERVAL=2") == "every 2 months"
    assert describe_rule("FREQ=YEARLY") == "yearly"
    assert describe_rule("FREQ=MONTHLY;BYMONTHDAY=1") == "FREQ=MONTHLY;BYMONTHDAY=1"


# --- disaster recovery ----------------------------------------------------------------------------------


def test_a_recent_passed_drill_is_a_current_claim_and_goes_stale_when_the_next_is_missed(
    actor: Any, org_a: Any, client: Client, committed: Any
) -> None:
    with org_scope(org_a), committed():
        plan = make_plan(actor)
        make_drill(actor, plan, started_at=NOW - dt.timedelta(days=20), now=NOW)
    body = page(client)
    assert "Disaster recovery: Core API" in body and "Current" in body
    assert "last drill on 21 May 2026, recovery targets met" in body
    assert "drilled every 2 months" in body
    # Two months after the drill (21 July), with nothing recorded, the same claim is out of date.
    with time_machine.travel(NOW + dt.timedelta(days=45), tick=False):
        with org_scope(org_a):
            (claim,) = dr_claims(org_a)
        assert not claim.fresh
        assert "due on 21 July 2026 has not been recorded" in claim.stale_reason
        assert "Out of date" in page(client)


def test_a_failed_last_drill_is_not_a_current_claim(actor: Any, org_a: Any) -> None:
    with org_scope(org_a):
        plan = make_plan(actor)
        make_drill(
            actor,
            plan,
            started_at=NOW - dt.timedelta(days=5),
            outcome="failed",
            issues="Replica lag",
            now=NOW,
        )
        (claim,) = dr_claims(org_a)
    assert not claim.fresh and claim.stale_reason == "The last failover drill failed."


def test_a_plan_without_drills_claims_nothing(actor: Any, org_a: Any) -> None:
    with org_scope(org_a):
        make_plan(actor)
        assert dr_claims(org_a) == []


def test_claims_show_only_when_published(actor: Any, org_a: Any, client: Client, committed: Any) -> None:
    with org_scope(org_a), committed():
        make_drill(actor, make_plan(actor), started_at=NOW - dt.timedelta(days=20), now=NOW)
        update_settings(actor=actor, claim_dr_testing=False)
    assert "Disaster recovery: Core API" not in page(client)


def test_a_new_drill_clears_the_cached_page(actor: Any, org_a: Any, client: Client, committed: Any) -> None:
    with org_scope(org_a), committed():
        plan = make_plan(actor)
        make_drill(actor, plan, started_at=NOW - dt.timedelta(days=70), now=NOW)
    assert "Out of date" in page(client)  # cached now
    with org_scope(org_a), committed():
        make_drill(actor, plan, started_at=NOW - dt.timedelta(days=1), now=NOW)
    body = page(client)
    assert "last drill on 9 June 2026" in body and "Out of date" not in body


# --- access reviews -------------------------------------------------------------------------------------


def closed_campaign(actor: Any, org: Any, *, opened: dt.datetime, closed: dt.datetime) -> Any:
    with org_scope(org):
        with time_machine.travel(opened, tick=False):
            campaign = reviews.open_campaign(
                actor=actor, name="Review", due_at=opened + dt.timedelta(days=14)
            )
        with time_machine.travel(closed, tick=False):
            return reviews.close_campaign(actor=actor, campaign=campaign)


def test_a_review_completed_this_quarter_is_current_until_the_next_one_is_missed(
    actor: Any, org_a: Any, client: Client
) -> None:
    with org_scope(org_a):
        reviews.update_review_schedule(
            actor=actor, rule="FREQ=MONTHLY;INTERVAL=3", starts_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )
    closed_campaign(
        actor,
        org_a,
        opened=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        closed=dt.datetime(2026, 4, 9, tzinfo=dt.UTC),
    )
    with org_scope(org_a):
        claim = access_review_claim()
    assert claim is not None and claim.fresh
    assert (
        claim.detail
        == "Access to systems is reviewed quarterly; the last review was completed on 9 April 2026."
    )
    assert claim.next_due == dt.date(2026, 7, 15)  # the July review, 14 days to complete
    assert "Access reviews" in page(client)
    with time_machine.travel(dt.datetime(2026, 7, 16, 9, 0, tzinfo=dt.UTC), tick=False), org_scope(org_a):
        late = access_review_claim()
    assert late is not None and not late.fresh
    assert late.stale_reason == "The review due by 15 July 2026 has not been completed."


def test_without_a_completed_review_there_is_no_access_review_claim(actor: Any, org_a: Any) -> None:
    with org_scope(org_a):
        reviews.open_campaign(actor=actor, name="Open", due_at=NOW + dt.timedelta(days=14))
        assert access_review_claim() is None


# --- production access ----------------------------------------------------------------------------------


def test_a_rule_kept_is_a_current_claim_and_a_grant_outside_the_group_makes_it_stale(
    actor: Any, org_a: Any, client: Client, committed: Any
) -> None:
    devops = access.group(org_a, "DevOps", ["dana@alpha.test", "dev@alpha.test"])
    production = access.environment(org_a, access.system(org_a, "Core API"), "production")
    access.grant(org_a, production, "dana@alpha.test", "admin")
    with org_scope(org_a), committed():
        rules.create_rule(
            actor=actor,
            name="Production access",
            environment_kind="production",
            allowed_group=devops,
            max_people=5,
        )
        (claim,) = production_access_claims()
    assert claim.fresh
    assert (
        claim.detail
        == "Access to production environments is limited to members of DevOps and at most 5 people."
    )
    assert "Production access" in page(client)
    access.grant(org_a, production, "outsider@alpha.test", "read")
    with org_scope(org_a):
        (claim,) = production_access_claims()
    assert not claim.fresh and "1 grant(s) held outside the allowed group" in claim.stale_reason


def test_another_organizations_records_never_make_a_claim(
    actor: Any, org_a: Any, org_b: Any, owner_b: Any
) -> None:
    other = principal_for(owner_b, org_b)
    with org_scope(org_b):
        make_drill(other, make_plan(other), started_at=NOW - dt.timedelta(days=3), now=NOW)
    with org_scope(org_a):
        assert dr_claims(org_a) == []
        assert access_review_claim() is None


def test_a_member_who_is_not_an_owner_cannot_publish_claims(org_a: Any, actor: Any) -> None:
    from django.core.exceptions import PermissionDenied

    viewer = principal_for(member(org_a, "viewer", email="viewer@alpha.test"), org_a)
    with org_scope(org_a), pytest.raises(PermissionDenied):
        update_settings(actor=viewer, claim_dr_testing=False)
