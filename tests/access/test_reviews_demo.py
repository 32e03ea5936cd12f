"""Demo Co's access reviews and production access rule: completed reviews in their quarters, a rule that
holds, the trust center's claims current — and loading twice adds nothing."""

from __future__ import annotations

import pytest

from trustroom.access.models import (
    AccessPolicyRule,
    AccessReviewCampaign,
    AccessReviewSchedule,
    RevocationTask,
)
from trustroom.access.review_state import campaign_progress
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope
from trustroom.trustcenter.program_claims import access_review_claim, production_access_claims

pytestmark = pytest.mark.django_db


def test_demo_reviews_are_completed_in_their_quarters_and_load_once() -> None:
    org = load_demo().organization
    with org_scope(org):
        schedule = AccessReviewSchedule.objects.get()
        assert schedule.rule == "FREQ=MONTHLY;INTERVAL=3"
        campaigns = list(AccessReviewCampaign.objects.order_by("opened_at"))
        assert len(campaigns) == 2
        for campaign in campaigns:
            assert campaign.occurrence is not None and campaign.opened_at == campaign.occurrence
            if campaign.closed_at is not None:
                assert campaign.closed_at < campaign.due_at  # completed within its two weeks
        oldest = campaigns[0]
        assert oldest.closed_at is not None and campaign_progress(oldest).percent == 100
        confirmed = RevocationTask.objects.filter(reason="review", completed_at__isnull=False)
        assert (
            confirmed.exists()
            and not RevocationTask.objects.filter(reason="review", completed_at=None).exists()
        )
        assert AccessPolicyRule.objects.count() == 1
        claim = access_review_claim()
        assert claim is not None and claim.fresh
        (rule_claim,) = production_access_claims()
        assert rule_claim.fresh, rule_claim.stale_reason
        before = (AccessReviewCampaign.objects.count(), AccessPolicyRule.objects.count())
    load_demo()
    with org_scope(org):
        assert (AccessReviewCampaign.objects.count(), AccessPolicyRule.objects.count()) == before
