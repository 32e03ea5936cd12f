"""Access review completion: a campaign was closed within the window, and no open campaign is overdue.

Reads the access app's campaigns and `trustroom.access.review_state.is_campaign_overdue`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustroom.access.models import AccessReviewCampaign
from trustroom.access.review_state import is_campaign_overdue
from trustroom.controls.checks import (
    CheckKind,
    CheckResult,
    Resource,
    RunContext,
    parameters_object,
    register,
    result_of,
    whole_days,
)
from trustroom.tenancy.models import Organization

DEFAULT_WINDOW_DAYS = 100  # quarterly reviews, with some slack


def clean(parameters: Any) -> dict[str, Any]:
    values = parameters_object(parameters, {"within_days"}, "access review completion")
    return {"within_days": whole_days(values, "within_days", DEFAULT_WINDOW_DAYS)}


def run(organization: Organization, parameters: dict[str, Any], context: RunContext) -> CheckResult:
    since = context.now - dt.timedelta(days=parameters["within_days"])
    resources = []
    campaigns = AccessReviewCampaign.objects.filter(opened_at__lte=context.now).order_by("-opened_at", "-pk")
    latest_closed = campaigns.filter(closed_at__isnull=False, closed_at__lte=context.now).first()
    if latest_closed is not None:
        recent = latest_closed.closed_at is not None and latest_closed.closed_at >= since
        resources.append(
            Resource(
                type="access_review",
                id=str(latest_closed.pk),
                name=latest_closed.name,
                region="",
                passed=recent,
                reason=f"closed {latest_closed.closed_at:%Y-%m-%d}"
                + ("" if recent else f", more than {parameters['within_days']} days ago"),
            )
        )
    for campaign in campaigns.filter(closed_at__isnull=True):
        overdue = is_campaign_overdue(campaign, context.now)
        resources.append(
            Resource(
                type="access_review",
                id=str(campaign.pk),
                name=campaign.name,
                region="",
                passed=not overdue,
                reason=f"open, {'overdue since' if overdue else 'due'} {campaign.due_at:%Y-%m-%d}",
            )
        )
    if latest_closed is None:
        resources.insert(
            0,
            Resource(
                type="access_review",
                id="",
                name="Completed review",
                region="",
                passed=False,
                reason="none closed yet",
            ),
        )
    return result_of(resources, empty="No access review is recorded.")


KIND = register(
    CheckKind(
        key="access_review_completion",
        label="Access review completion",
        clean=clean,
        run=run,
        description="An access review was completed within the window and none is overdue.",
    )
)
