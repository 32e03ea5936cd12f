"""What an access review campaign says at a moment: completion, overdue, revocations outstanding.

Computed when read from the items, decisions and revocation tasks; never stored.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from trustroom.access.models import (
    AccessReviewCampaign,
    AccessReviewItem,
    ReviewDecision,
    RevocationReason,
    RevocationTask,
)
from trustroom.access.state import is_overdue


@dataclass(frozen=True)
class CampaignProgress:
    total: int
    decided: int
    by_decision: dict[str, int] = field(default_factory=dict)
    overdue: bool = False
    closed: bool = False
    revocations_outstanding: int = 0

    @property
    def undecided(self) -> int:
        return self.total - self.decided

    @property
    def percent(self) -> int:
        """Decided out of total, rounded down (an empty campaign is complete)."""
        return 100 if self.total == 0 else self.decided * 100 // self.total


def is_campaign_overdue(campaign: AccessReviewCampaign, now: dt.datetime | None = None) -> bool:
    """Past its due date and not closed."""
    return is_overdue(campaign.due_at, campaign.closed_at, now)


def review_tasks(campaign: AccessReviewCampaign) -> dict[int, RevocationTask]:
    """Grant id -> the latest revocation task opened by this campaign's revoke decisions."""
    revoked = AccessReviewItem.objects.filter(campaign=campaign, decision=ReviewDecision.REVOKE).values(
        "grant_id"
    )
    tasks = RevocationTask.objects.filter(
        grant_id__in=revoked, reason=RevocationReason.REVIEW, created_at__gte=campaign.opened_at
    ).order_by("created_at", "id")
    return {task.grant_id: task for task in tasks}


def campaign_progress(campaign: AccessReviewCampaign, now: dt.datetime | None = None) -> CampaignProgress:
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    for row in AccessReviewItem.objects.filter(campaign=campaign).values("decision").annotate(n=Count("id")):
        counts[row["decision"]] += row["n"]
    total = sum(counts.values())
    decided = total - counts.get("", 0)
    outstanding = sum(1 for task in review_tasks(campaign).values() if task.completed_at is None)
    return CampaignProgress(
        total=total,
        decided=decided,
        by_decision={value: counts.get(value, 0) for value in ReviewDecision.values},
        overdue=is_campaign_overdue(campaign, now),
        closed=campaign.closed_at is not None,
        revocations_outstanding=outstanding,
    )
