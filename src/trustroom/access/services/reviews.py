"""Access reviews: the schedule, campaigns, reviewer assignments, item decisions and closing.

A campaign snapshots every grant active when it opens into items; each system's items are decided by
one reviewer (the system's owner by default), or by an owner or admin. A revoke decision opens a
revocation task (reason "review"); a change decision sets the grant's new privilege at once. Decisions
may change until the campaign closes, and a campaign closes only when every item is decided.

`open_due_campaigns` is the scheduled job: it opens the campaign of the schedule's latest occurrence
once (a unique occurrence per organization) and tells reviewers and the security team, once each, about
assignments and overdue campaigns. Completion and overdue are computed when read (`review_state.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from trustroom import recurrence
from trustroom.access import review_state
from trustroom.access.models import (
    AccessGrant,
    AccessReviewCampaign,
    AccessReviewItem,
    AccessReviewSchedule,
    PrivilegeLevel,
    ReviewDecision,
    ReviewerAssignment,
    RevocationReason,
    RevocationTask,
    System,
)
from trustroom.access.services.revocations import open_revocation_task
from trustroom.access.state import active_grants_q
from trustroom.audit.services import record_event
from trustroom.notifications.services import notify
from trustroom.tenancy import policies
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.policies import MANAGERS
from trustroom.tenancy.principal import Principal, system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import members_of, membership_in

DEFAULT_RULE = "FREQ=MONTHLY;INTERVAL=3"  # quarterly
DEFAULT_DAYS_TO_COMPLETE = 14
MAX_DAYS_TO_COMPLETE = 365
# A review campaign at most once a day: finer rules are a typo, not a review programme.
CADENCE = recurrence.Cadence(
    subject="review schedule",
    example="FREQ=MONTHLY;INTERVAL=3",
    finest="DAILY",
    at_most="Reviews can recur",
    start="the start is its own field.",
)
COMMENT_REQUIRED = frozenset({ReviewDecision.REVOKE, ReviewDecision.CHANGE})


# --- Schedule --------------------------------------------------------------------------------------


def normalized_rule(rule: object, starts_at: dt.datetime) -> str:
    """The rule as stored: its parts without an ``RRULE:`` prefix (accepted here, as an RFC 5545
    content line is often pasted whole); ValidationError on `rule` naming the problem otherwise."""
    text = rule.strip() if isinstance(rule, str) else rule
    if isinstance(text, str) and text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :].strip()
    message = recurrence.rule_error(text, CADENCE, starts_at=starts_at)
    if message:
        raise ValidationError({"rule": message})
    assert isinstance(text, str)  # noqa: S101 - rule_error() refuses anything else
    return text


def current_schedule() -> AccessReviewSchedule | None:
    """The organization's saved schedule (in the active scope), or None when none was saved."""
    return AccessReviewSchedule.objects.first()


def latest_occurrence(schedule: AccessReviewSchedule, now: dt.datetime) -> dt.datetime | None:
    """The last occurrence of the schedule at or before `now` (None before the first one)."""
    occurrence = recurrence.parse(schedule.rule, schedule.starts_at).before(now, inc=True)
    return occurrence.astimezone(dt.UTC) if occurrence is not None else None


def next_occurrence(schedule: AccessReviewSchedule, now: dt.datetime) -> dt.datetime | None:
    occurrence = recurrence.parse(schedule.rule, schedule.starts_at).after(now)
    return occurrence.astimezone(dt.UTC) if occurrence is not None else None


def _schedule_snapshot(schedule: AccessReviewSchedule | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    return {
        "rule": schedule.rule,
        "starts_at": schedule.starts_at,
        "days_to_complete": schedule.days_to_complete,
        "enabled": schedule.enabled,
    }


@transaction.atomic
def update_review_schedule(
    *,
    actor: Principal,
    rule: str = DEFAULT_RULE,
    starts_at: dt.datetime,
    days_to_complete: int = DEFAULT_DAYS_TO_COMPLETE,
    enabled: bool = True,
) -> AccessReviewSchedule:
    """Save the organization's one schedule (created on first save)."""
    existing = AccessReviewSchedule.objects.select_for_update().first()
    policies.check(actor, "change" if existing is not None else "add", existing or AccessReviewSchedule)
    errors: dict[str, str] = {}
    if starts_at is None or timezone.is_naive(starts_at):
        errors["starts_at"] = "Give the start as a date and time with a time zone."
    if not isinstance(days_to_complete, int) or not 1 <= days_to_complete <= MAX_DAYS_TO_COMPLETE:
        errors["days_to_complete"] = f"Give a whole number of days from 1 to {MAX_DAYS_TO_COMPLETE}."
    if errors:
        raise ValidationError(errors)
    starts_at = starts_at.astimezone(dt.UTC)
    text = normalized_rule(rule, starts_at)
    before = _schedule_snapshot(existing)
    schedule = existing or AccessReviewSchedule()
    schedule.rule = text
    schedule.starts_at = starts_at
    schedule.days_to_complete = days_to_complete
    schedule.enabled = enabled
    schedule.save()
    record_event(
        actor=actor,
        action="access.review_schedule_updated",
        target=schedule,
        changes={"before": before, "after": _schedule_snapshot(schedule)},
    )
    return schedule


# --- Campaigns -------------------------------------------------------------------------------------


def campaign_path(organization: Organization, campaign: AccessReviewCampaign) -> str:
    try:
        return reverse("access:review-detail", kwargs={"org_slug": organization.slug, "pk": campaign.pk})
    except NoReverseMatch:
        return f"/o/{organization.slug}/access/reviews/{campaign.pk}/"


def _may_review(user: Any, organization: Organization) -> bool:
    membership = membership_in(user, organization)
    return membership is not None and membership.role != Role.AUDITOR


def _fallback_reviewer(actor: Principal) -> Any:
    """Who reviews a system without an owner: the person opening the campaign, else the first owner."""
    if actor.is_member and _may_review(actor.user, actor.organization):
        return actor.user
    managers = members_of(actor.organization).filter(role__in=[Role.OWNER, Role.ADMIN])
    first = managers.order_by("role", "created_at").first()
    return first.user if first is not None else None


def _notify_assignment(actor: Principal, assignment: ReviewerAssignment) -> None:
    campaign = assignment.campaign
    count = AccessReviewItem.objects.filter(
        campaign=campaign, grant__environment__system=assignment.system
    ).count()
    notify(
        actor=actor,
        recipients=[assignment.reviewer],
        key=f"access-review:{campaign.pk}:system:{assignment.system_id}:reviewer",
        subject=f"Access review: you review {assignment.system.name} ({campaign.name})",
        body=(
            f"You are the reviewer of {assignment.system.name} in the access review {campaign.name}: "
            f"{count} grant{'s' if count != 1 else ''} to keep, revoke or change by "
            f"{campaign.due_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC."
        ),
        url=campaign_path(actor.organization, campaign),
    )


@transaction.atomic
def open_campaign(
    *,
    actor: Principal,
    name: str,
    due_at: dt.datetime,
    occurrence: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> AccessReviewCampaign:
    """Open a campaign: every grant active now becomes an item; each system gets its reviewer."""
    policies.check(actor, "add", AccessReviewCampaign)
    now = now or timezone.now()
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the campaign a name."
    elif len(name) > 200:
        errors["name"] = "The name is too long (at most 200 characters)."
    if due_at is None or timezone.is_naive(due_at):
        errors["due_at"] = "Give the due date as a date and time with a time zone."
    elif due_at <= now and occurrence is None:
        errors["due_at"] = "The due date must be in the future."
    if occurrence is not None and timezone.is_naive(occurrence):
        errors["occurrence"] = "Give the occurrence with a time zone."
    if errors:
        raise ValidationError(errors)
    if occurrence is not None and AccessReviewCampaign.objects.filter(occurrence=occurrence).exists():
        raise ValidationError({"occurrence": "A campaign for this schedule occurrence was already opened."})
    campaign = AccessReviewCampaign.objects.create(
        name=name,
        opened_at=now,
        due_at=due_at.astimezone(dt.UTC),
        occurrence=occurrence.astimezone(dt.UTC) if occurrence is not None else None,
        created_by=actor.user if actor.is_member else None,
    )
    grants = list(
        AccessGrant.objects.filter(active_grants_q(now)).select_related("environment__system__owner")
    )
    AccessReviewItem.objects.bulk_create(
        [
            AccessReviewItem(
                organization=actor.organization,
                campaign=campaign,
                grant=grant,
                person_email=grant.person_email,
                system_name=grant.environment.system.name,
                environment_label=grant.environment.label,
                privilege=grant.privilege,
            )
            for grant in grants
        ]
    )
    systems: dict[int, System] = {}
    for grant in grants:
        systems.setdefault(grant.environment.system_id, grant.environment.system)
    fallback = None
    assignments = []
    for system in sorted(systems.values(), key=lambda s: s.name):
        reviewer = system.owner if system.owner and _may_review(system.owner, actor.organization) else None
        if reviewer is None:
            fallback = fallback or _fallback_reviewer(actor)
            reviewer = fallback
        if reviewer is not None:
            assignments.append(
                ReviewerAssignment.objects.create(campaign=campaign, system=system, reviewer=reviewer)
            )
    record_event(
        actor=actor,
        action="access.review_opened",
        target=campaign,
        changes={
            "name": name,
            "due_at": campaign.due_at,
            "occurrence": campaign.occurrence,
            "items": len(grants),
            "reviewers": {a.system.name: a.reviewer.email for a in assignments},
        },
    )
    for assignment in assignments:
        _notify_assignment(actor, assignment)
    return campaign


def _open_campaign_or_raise_closed(campaign: AccessReviewCampaign) -> AccessReviewCampaign:
    locked = AccessReviewCampaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.closed_at is not None:
        raise ValidationError(
            f"The campaign was closed on {locked.closed_at.astimezone(dt.UTC):%Y-%m-%d}; "
            "it can no longer change."
        )
    return locked


@transaction.atomic
def assign_reviewer(
    *, actor: Principal, campaign: AccessReviewCampaign, system: System, reviewer: Any
) -> ReviewerAssignment:
    """Make `reviewer` (a member who is not an auditor) the reviewer of `system` in the campaign."""
    policies.check(actor, "change", campaign)
    campaign = _open_campaign_or_raise_closed(campaign)
    if not AccessReviewItem.objects.filter(campaign=campaign, grant__environment__system=system).exists():
        raise ValidationError({"system": f"The campaign has no grant of {system.name} to review."})
    if reviewer is None or not _may_review(reviewer, actor.organization):
        raise ValidationError(
            {"reviewer": "The reviewer must be a member of the organization who is not an auditor."}
        )
    assignment = (
        ReviewerAssignment.objects.filter(campaign=campaign, system=system).select_related("reviewer").first()
    )
    before = assignment.reviewer.email if assignment is not None else None
    if assignment is None:
        assignment = ReviewerAssignment.objects.create(campaign=campaign, system=system, reviewer=reviewer)
    elif assignment.reviewer_id != reviewer.pk:
        assignment.reviewer = reviewer
        assignment.save(update_fields=["reviewer"])
    else:
        return assignment
    record_event(
        actor=actor,
        action="access.reviewer_assigned",
        target=campaign,
        changes={"system": system.name, "before": before, "after": reviewer.email},
    )
    _notify_assignment(actor, assignment)
    return assignment


def reviewer_of(item: AccessReviewItem) -> Any:
    assignment = (
        ReviewerAssignment.objects.filter(
            campaign_id=item.campaign_id, system_id=item.grant.environment.system_id
        )
        .select_related("reviewer")
        .first()
    )
    return assignment.reviewer if assignment is not None else None


def may_decide(principal: Principal, item: AccessReviewItem, reviewer: Any = None) -> bool:
    """The system's assigned reviewer, or an owner or admin; never an auditor (the item's policy)."""
    if not policies.policy_for(AccessReviewItem).allows(principal, "change", item):
        return False
    if principal.role in MANAGERS:
        return True
    reviewer = reviewer if reviewer is not None else reviewer_of(item)
    return principal.is_member and reviewer is not None and reviewer.pk == principal.user.pk


def _review_task(item: AccessReviewItem) -> RevocationTask | None:
    """The revocation task this item's revoke decision opened (reason review, since the campaign opened)."""
    return (
        RevocationTask.objects.filter(
            grant_id=item.grant_id, reason=RevocationReason.REVIEW, created_at__gte=item.campaign.opened_at
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _set_privilege(actor: Principal, grant: AccessGrant, privilege: str, *, item: AccessReviewItem) -> None:
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.privilege == privilege:
        return
    before = grant.privilege
    grant.privilege = privilege
    grant.save(update_fields=["privilege"])
    record_event(
        actor=actor,
        action="access.grant_privilege_changed",
        target=grant,
        changes={
            "person": grant.person_email,
            "privilege": {"before": before, "after": privilege},
            "review_item": item.pk,
            "campaign": item.campaign_id,
        },
    )


@transaction.atomic
def decide_item(
    *,
    actor: Principal,
    item: AccessReviewItem,
    decision: str,
    comment: str = "",
    new_privilege: str | None = None,
) -> AccessReviewItem:
    """Keep, revoke or change one reviewed grant; may be called again to change the decision until the
    campaign closes (a revoke whose removal was already confirmed can no longer change)."""
    policies.check(actor, "change", item)
    item = (
        AccessReviewItem.objects.select_for_update()
        .select_related("campaign", "grant__environment__system")
        .get(pk=item.pk)
    )
    _open_campaign_or_raise_closed(item.campaign)
    if not may_decide(actor, item):
        raise PermissionDenied(
            f"Only the reviewer of {item.grant.environment.system.name} in this campaign, "
            "or an owner or admin, may decide this item."
        )
    comment = (comment or "").strip()
    new_privilege = (new_privilege or "").strip()
    errors: dict[str, str] = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = f"Decision must be one of: {', '.join(ReviewDecision.values)}."
    elif decision in COMMENT_REQUIRED and not comment:
        errors["comment"] = f"Say why (a comment is required to {decision} access)."
    if decision == ReviewDecision.CHANGE:
        if not new_privilege:
            errors["new_privilege"] = "Choose the new privilege."
        elif new_privilege not in PrivilegeLevel.values:
            errors["new_privilege"] = f"Privilege must be one of: {', '.join(PrivilegeLevel.values)}."
        elif new_privilege == item.privilege:
            errors["new_privilege"] = "The new privilege is the one the grant has; choose keep instead."
    elif new_privilege and "decision" not in errors:
        errors["new_privilege"] = "A new privilege is given only with the decision change."
    if len(comment) > 5000:
        errors["comment"] = "The comment is too long (at most 5000 characters)."
    grant = item.grant
    if not errors and decision == ReviewDecision.CHANGE and grant.revoked_at is not None:
        errors["decision"] = "This grant was revoked since the review opened; keep or revoke it."
    previous_task = _review_task(item) if item.decision == ReviewDecision.REVOKE else None
    confirmed = previous_task is not None and previous_task.completed_at is not None
    if not errors and confirmed and decision != ReviewDecision.REVOKE:
        errors["decision"] = (
            "The access was already taken away (its revocation was confirmed); the decision stays revoke."
        )
    if errors:
        raise ValidationError(errors)

    before = {"decision": item.decision, "new_privilege": item.new_privilege, "comment": item.comment}
    # Undo what the previous decision did, where the new one differs.
    if item.decision == ReviewDecision.CHANGE and decision != ReviewDecision.CHANGE:
        _set_privilege(actor, grant, item.privilege, item=item)
    if previous_task is not None and previous_task.completed_at is None and decision != ReviewDecision.REVOKE:
        record_event(
            actor=actor,
            action="access.revocation_task_withdrawn",
            target=previous_task,
            changes={"grant": grant.pk, "person": grant.person_email, "review_item": item.pk},
        )
        previous_task.delete()

    item.decision = decision
    item.new_privilege = new_privilege if decision == ReviewDecision.CHANGE else ""
    item.comment = comment
    item.decided_at = timezone.now()
    item.decided_by = actor.user if actor.is_member else None
    item.save(update_fields=["decision", "new_privilege", "comment", "decided_at", "decided_by"])
    if decision == ReviewDecision.CHANGE:
        _set_privilege(actor, grant, new_privilege, item=item)
    record_event(
        actor=actor,
        action="access.review_item_decided",
        target=item,
        changes={
            "campaign": item.campaign_id,
            "person": item.person_email,
            "system": item.system_name,
            "environment": item.environment_label,
            "before": before,
            "after": {"decision": decision, "new_privilege": item.new_privilege, "comment": comment},
        },
    )
    if decision == ReviewDecision.REVOKE and grant.revoked_at is None:
        open_revocation_task(
            # A reviewer who is a viewer may not open tasks themselves: the platform opens it for them.
            actor=actor
            if policies.policy_for(RevocationTask).allows(actor, "add")
            else system_principal(actor.organization),
            grant=grant,
            reason=RevocationReason.REVIEW,
            note=f"Access review {item.campaign.name}: {comment}",
        )
    return item


@transaction.atomic
def close_campaign(*, actor: Principal, campaign: AccessReviewCampaign) -> AccessReviewCampaign:
    """Close the campaign once every item is decided; its decisions are final from then on."""
    policies.check(actor, "change", campaign)
    campaign = _open_campaign_or_raise_closed(campaign)
    total = AccessReviewItem.objects.filter(campaign=campaign).count()
    undecided = AccessReviewItem.objects.filter(campaign=campaign, decision="").count()
    if undecided:
        raise ValidationError(
            f"{undecided} of {total} item{'s are' if undecided != 1 else ' is'} not decided yet; "
            "decide every item before closing the campaign."
        )
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["closed_at"])
    progress = review_state.campaign_progress(campaign)
    record_event(
        actor=actor,
        action="access.review_closed",
        target=campaign,
        changes={"items": total, "by_decision": progress.by_decision},
    )
    return campaign


# --- The scheduled job -----------------------------------------------------------------------------


@dataclass
class ReviewJobRun:
    organizations: int = 0
    opened: int = 0
    overdue_notified: int = 0


def _notify_overdue(actor: Principal, campaigns: Iterable[AccessReviewCampaign], now: dt.datetime) -> int:
    sent = 0
    managers = [m.user for m in members_of(actor.organization).filter(role__in=[Role.OWNER, Role.ADMIN])]
    for campaign in campaigns:
        progress = review_state.campaign_progress(campaign, now)
        reviewers = [a.reviewer for a in campaign.assignments.select_related("reviewer")]
        sent += len(
            notify(
                actor=actor,
                recipients=[*reviewers, *managers],
                key=f"access-review:{campaign.pk}:overdue",
                subject=f"Access review overdue: {campaign.name}",
                body=(
                    f"The access review {campaign.name} was due on "
                    f"{campaign.due_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC and is {progress.percent} % "
                    f"complete ({progress.undecided} item{'s' if progress.undecided != 1 else ''} to decide)."
                ),
                url=campaign_path(actor.organization, campaign),
            )
        )
    return sent


def open_due_campaigns(*, organization: Organization, now: dt.datetime | None = None) -> ReviewJobRun:
    """For one organization: open the campaign of the schedule's latest occurrence if it was not opened
    yet, and tell about overdue campaigns. Safe to run twice."""
    now = now or timezone.now()
    run = ReviewJobRun(organizations=1)
    with org_scope(organization):
        actor = system_principal(organization)
        schedule = current_schedule()
        if schedule is not None and schedule.enabled:
            occurrence = latest_occurrence(schedule, now)
            if (
                occurrence is not None
                and not AccessReviewCampaign.objects.filter(occurrence=occurrence).exists()
            ):
                due_at = occurrence + dt.timedelta(days=schedule.days_to_complete)
                try:
                    with transaction.atomic():
                        open_campaign(
                            actor=actor,
                            name=f"Access review {occurrence:%Y-%m-%d}",
                            due_at=due_at,
                            occurrence=occurrence,
                            now=now,
                        )
                    run.opened += 1
                except IntegrityError:  # another worker opened it a moment ago
                    pass
        overdue = AccessReviewCampaign.objects.filter(closed_at__isnull=True, due_at__lt=now)
        with transaction.atomic():
            run.overdue_notified = _notify_overdue(actor, overdue, now)
    return run


def run_review_jobs(
    *, organization: Organization | None = None, now: dt.datetime | None = None
) -> ReviewJobRun:
    """Every organization (or one): what `open_due_campaigns` does, summed."""
    total = ReviewJobRun()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        run = open_due_campaigns(organization=org, now=now)
        total.organizations += 1
        total.opened += run.opened
        total.overdue_notified += run.overdue_notified
    return total
