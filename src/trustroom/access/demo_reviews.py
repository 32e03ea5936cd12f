"""Demo Co's access reviews and policy rule (a demo module, registered after the inventory's).

A quarterly review schedule from the start of the year; the review of the previous quarter, completed
(every grant kept but one, whose removal was confirmed); the review of the current quarter, completed
too when its two weeks are over, otherwise open with part of it decided; and the rule "AWS production
access only for DevOps, at most 5 people". Written through the services as the owner; the dates of the
completed reviews are then placed back in their quarter (decisions are recorded at the time they are made,
so a demo made today would otherwise show every review completed today). Idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.rrule import rrulestr
from django.utils import timezone

from trustroom.access.models import (
    AccessGrant,
    AccessGroup,
    AccessPolicyRule,
    AccessReviewCampaign,
    AccessReviewItem,
    AccessReviewSchedule,
    EnvironmentKind,
    GrantSource,
    RevocationTask,
    System,
)
from trustroom.access.services import reviews, rules
from trustroom.access.services.revocations import complete_revocation_task
from trustroom.tenancy.principal import Principal

RULE = "FREQ=MONTHLY;INTERVAL=3"
DAYS_TO_COMPLETE = 14


def _schedule(principal: Principal, now: dt.datetime) -> AccessReviewSchedule:
    existing = AccessReviewSchedule.objects.first()
    if existing is not None:
        return existing
    start = dt.datetime(now.year, 1, 1, tzinfo=dt.UTC)
    return reviews.update_review_schedule(
        actor=principal, rule=RULE, starts_at=start, days_to_complete=DAYS_TO_COMPLETE
    )


def _campaign(principal: Principal, occurrence: dt.datetime, *, complete: bool, revoke: str = "") -> None:
    """The review of the quarter starting at `occurrence` (skipped when it exists)."""
    if AccessReviewCampaign.objects.filter(occurrence=occurrence).exists():
        return
    due = occurrence + dt.timedelta(days=DAYS_TO_COMPLETE)
    name = f"Access review Q{(occurrence.month - 1) // 3 + 1} {occurrence.year}"
    campaign = reviews.open_campaign(
        actor=principal, name=name, due_at=due, occurrence=occurrence, now=occurrence
    )
    items = list(AccessReviewItem.objects.filter(campaign=campaign).order_by("id"))
    to_decide = items if complete else items[: len(items) // 2]
    for item in to_decide:
        if revoke and item.person_email.startswith(revoke):
            reviews.decide_item(
                actor=principal, item=item, decision="revoke", comment="Left the on-call rota last month."
            )
        else:
            reviews.decide_item(actor=principal, item=item, decision="keep", comment="Still needed.")
    if not complete:
        return
    reviews.close_campaign(actor=principal, campaign=campaign)
    finished = occurrence + dt.timedelta(days=10)
    AccessReviewItem.objects.filter(campaign=campaign).update(decided_at=finished - dt.timedelta(days=1))
    AccessReviewCampaign.objects.filter(pk=campaign.pk).update(closed_at=finished)
    for task in RevocationTask.objects.filter(completed_at__isnull=True, reason="review"):
        complete_revocation_task(actor=principal, task=task, note="Removed from the IAM group.")
        RevocationTask.objects.filter(pk=task.pk).update(completed_at=finished)


def _rule(principal: Principal) -> None:
    if AccessPolicyRule.objects.exists():
        return
    devops = AccessGroup.objects.filter(name="DevOps").first()
    aws = System.objects.filter(name="AWS production account").first()
    if devops is None or aws is None:
        return
    rules.create_rule(
        actor=principal,
        name="AWS production access",
        environment_kind=EnvironmentKind.PRODUCTION,
        system=aws,
        allowed_group=devops,
        max_people=5,
    )


def _backdate_inventory(start: dt.datetime) -> None:
    """The demo's grants were recorded just now; the reviews below look back a year, so the grants are
    placed at the start of the year, as an organization's standing access would be."""
    AccessGrant.objects.filter(source=GrantSource.MANUAL, granted_at__gt=start).update(granted_at=start)


def load_demo(principal: Principal, now: Any = None) -> None:
    now = now or timezone.now()
    if not AccessReviewSchedule.objects.exists():
        _backdate_inventory(dt.datetime(now.year, 1, 1, tzinfo=dt.UTC))
    schedule = _schedule(principal, now)
    occurrences: Any = rrulestr(schedule.rule, dtstart=schedule.starts_at)
    current = occurrences.before(now, inc=True)
    if current is not None:
        previous = occurrences.before(current)
        if previous is not None:
            _campaign(principal, previous, complete=True, revoke="kabir")
        _campaign(principal, current, complete=now >= current + dt.timedelta(days=DAYS_TO_COMPLETE))
    _rule(principal)
