"""Access review campaigns: schedule, opening, reviewer assignment, decisions, closing, the job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.access import factories as f
from tests.factories import member, principal_for
from trustroom.access import review_state
from trustroom.access.models import (
    AccessGrant,
    AccessReviewCampaign,
    AccessReviewItem,
    ReviewerAssignment,
    RevocationTask,
)
from trustroom.access.services import reviews
from trustroom.access.services.revocations import complete_revocation_task
from trustroom.audit.models import AuditEvent
from trustroom.notifications.models import Notification
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    reviewer = member(org_a, "viewer", email="reviewer@alpha.test")
    billing = f.system(org_a, "Billing", owner=reviewer)
    crm = f.system(org_a, "CRM")  # no owner: the person opening the campaign reviews it
    prod = f.environment(org_a, billing, "production")
    staging = f.environment(org_a, billing, "staging")
    crm_prod = f.environment(org_a, crm, "production")
    grants = {
        "ann": f.grant(org_a, prod, "ann@alpha.test", "admin"),
        "bob": f.grant(org_a, prod, "bob@alpha.test", "read"),
        "cat": f.grant(org_a, staging, "cat@alpha.test", "write"),
        "dan": f.grant(org_a, crm_prod, "dan@alpha.test", "read"),
    }
    # Not active, so not reviewed: revoked, and expired.
    f.grant(org_a, prod, "gone@alpha.test", revoked_at=timezone.now() - dt.timedelta(days=1))
    f.grant(org_a, prod, "old@alpha.test", expires_at=timezone.now() - dt.timedelta(hours=1))
    return {
        "org": org_a,
        "owner": principal_for(owner_a, org_a),
        "reviewer_user": reviewer,
        "reviewer": principal_for(reviewer, org_a),
        "billing": billing,
        "crm": crm,
        "grants": grants,
    }


def _open(world: dict[str, Any]) -> AccessReviewCampaign:
    with org_scope(world["org"]):
        return reviews.open_campaign(
            actor=world["owner"], name="Q1 review", due_at=timezone.now() + dt.timedelta(days=14)
        )


def _item(campaign: AccessReviewCampaign, email: str) -> AccessReviewItem:
    return AccessReviewItem.objects.get(campaign=campaign, person_email=email)


def test_open_snapshots_active_grants_and_assigns_system_owner(world: dict[str, Any]) -> None:
    campaign = _open(world)
    with org_scope(world["org"]):
        items = list(campaign.items.order_by("person_email"))
        assert [i.person_email for i in items] == [
            "ann@alpha.test",
            "bob@alpha.test",
            "cat@alpha.test",
            "dan@alpha.test",
        ]
        ann = items[0]
        assert (ann.system_name, ann.environment_label, ann.privilege) == ("Billing", "Production", "admin")
        assignments = {
            a.system.name: a.reviewer.email for a in ReviewerAssignment.objects.filter(campaign=campaign)
        }
        assert assignments == {"Billing": "reviewer@alpha.test", "CRM": "owner@alpha.test"}
        assert AuditEvent.objects.filter(action="access.review_opened").count() == 1
        # The reviewer is told once about their system.
        assert Notification.objects.filter(recipient=world["reviewer_user"]).count() == 1
        progress = review_state.campaign_progress(campaign)
    assert (progress.total, progress.decided, progress.percent, progress.overdue) == (4, 0, 0, False)


def test_open_refuses_bad_input_and_non_managers(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        with pytest.raises(ValidationError) as error:
            reviews.open_campaign(
                actor=world["owner"], name=" ", due_at=timezone.now() - dt.timedelta(days=1)
            )
        assert set(error.value.message_dict) == {"name", "due_at"}
        with pytest.raises(PermissionDenied):
            reviews.open_campaign(
                actor=world["reviewer"], name="x", due_at=timezone.now() + dt.timedelta(days=1)
            )
        assert not AccessReviewCampaign.objects.exists()


def test_only_the_assigned_reviewer_or_a_manager_decides(world: dict[str, Any], org_a: Any) -> None:
    campaign = _open(world)
    other = principal_for(member(org_a, "editor", email="editor@alpha.test"), org_a)
    auditor = principal_for(member(org_a, "auditor", email="auditor@alpha.test"), org_a)
    with org_scope(world["org"]):
        ann = _item(campaign, "ann@alpha.test")
        dan = _item(campaign, "dan@alpha.test")
        with pytest.raises(PermissionDenied, match="Billing"):
            reviews.decide_item(actor=other, item=ann, decision="keep")
        with pytest.raises(PermissionDenied):
            reviews.decide_item(actor=auditor, item=ann, decision="keep")
        # The reviewer of Billing is not the reviewer of CRM.
        with pytest.raises(PermissionDenied, match="CRM"):
            reviews.decide_item(actor=world["reviewer"], item=dan, decision="keep")
        reviews.decide_item(actor=world["reviewer"], item=ann, decision="keep")
        reviews.decide_item(actor=world["owner"], item=dan, decision="keep")
        ann.refresh_from_db()
        assert ann.decision == "keep"
        assert ann.decided_by == world["reviewer_user"]


def test_revoke_needs_a_comment_and_opens_a_review_revocation_task(world: dict[str, Any]) -> None:
    campaign = _open(world)
    with org_scope(world["org"]):
        bob = _item(campaign, "bob@alpha.test")
        with pytest.raises(ValidationError) as error:
            reviews.decide_item(actor=world["reviewer"], item=bob, decision="revoke", comment="  ")
        assert "comment" in error.value.message_dict
        assert not RevocationTask.objects.exists()
        reviews.decide_item(actor=world["reviewer"], item=bob, decision="revoke", comment="Left the team")
        task = RevocationTask.objects.get()
        assert (task.grant_id, task.reason, task.completed_at) == (world["grants"]["bob"].pk, "review", None)
        assert review_state.campaign_progress(campaign).revocations_outstanding == 1
        # Changing the decision back withdraws the open task.
        reviews.decide_item(actor=world["reviewer"], item=bob, decision="keep")
        assert not RevocationTask.objects.exists()
        assert AuditEvent.objects.filter(action="access.revocation_task_withdrawn").count() == 1
        reviews.decide_item(actor=world["reviewer"], item=bob, decision="revoke", comment="Left the team")
        task = RevocationTask.objects.get()
        complete_revocation_task(actor=world["owner"], task=task)
        assert review_state.campaign_progress(campaign).revocations_outstanding == 0
        # Once confirmed, the access is gone: the decision cannot go back to keep.
        with pytest.raises(ValidationError, match="already taken away"):
            reviews.decide_item(actor=world["reviewer"], item=bob, decision="keep")
        assert AccessGrant.objects.get(pk=world["grants"]["bob"].pk).revoked_at is not None


def test_change_sets_the_privilege_with_audit_and_is_undone_by_keep(world: dict[str, Any]) -> None:
    campaign = _open(world)
    grant_pk = world["grants"]["ann"].pk
    with org_scope(world["org"]):
        ann = _item(campaign, "ann@alpha.test")
        with pytest.raises(ValidationError) as error:
            reviews.decide_item(actor=world["reviewer"], item=ann, decision="change", comment="Too much")
        assert "new_privilege" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            reviews.decide_item(
                actor=world["reviewer"], item=ann, decision="change", comment="x", new_privilege="admin"
            )
        assert "new_privilege" in error.value.message_dict
        reviews.decide_item(
            actor=world["reviewer"],
            item=ann,
            decision="change",
            comment="Needs read only",
            new_privilege="read",
        )
        assert AccessGrant.objects.get(pk=grant_pk).privilege == "read"
        event = AuditEvent.objects.get(action="access.grant_privilege_changed")
        assert event.changes["privilege"] == {"before": "admin", "after": "read"}
        reviews.decide_item(actor=world["reviewer"], item=ann, decision="keep")
        assert AccessGrant.objects.get(pk=grant_pk).privilege == "admin"
        assert _item(campaign, "ann@alpha.test").privilege == "admin"  # the snapshot stays as reviewed


def test_close_only_when_every_item_is_decided(world: dict[str, Any]) -> None:
    campaign = _open(world)
    with org_scope(world["org"]):
        reviews.decide_item(actor=world["owner"], item=_item(campaign, "ann@alpha.test"), decision="keep")
        with pytest.raises(ValidationError, match="3 of 4 items are not decided"):
            reviews.close_campaign(actor=world["owner"], campaign=campaign)
        for email in ("bob@alpha.test", "cat@alpha.test", "dan@alpha.test"):
            reviews.decide_item(actor=world["owner"], item=_item(campaign, email), decision="keep")
        with pytest.raises(PermissionDenied):
            reviews.close_campaign(actor=world["reviewer"], campaign=campaign)
        campaign = reviews.close_campaign(actor=world["owner"], campaign=campaign)
        progress = review_state.campaign_progress(campaign)
        assert (progress.percent, progress.closed, progress.by_decision["keep"]) == (100, True, 4)
        with pytest.raises(ValidationError, match="closed"):
            reviews.decide_item(
                actor=world["owner"], item=_item(campaign, "ann@alpha.test"), decision="revoke", comment="x"
            )


def test_assign_reviewer_checks_membership_and_notifies(
    world: dict[str, Any], org_a: Any, org_b: Any
) -> None:
    campaign = _open(world)
    new = member(org_a, "editor", email="new@alpha.test")
    stranger = member(org_b, "owner", email="stranger@bravo.test")
    auditor = member(org_a, "auditor", email="aud@alpha.test")
    with org_scope(world["org"]):
        for who in (stranger, auditor):
            with pytest.raises(ValidationError) as error:
                reviews.assign_reviewer(
                    actor=world["owner"], campaign=campaign, system=world["crm"], reviewer=who
                )
            assert "reviewer" in error.value.message_dict
        with pytest.raises(PermissionDenied):
            reviews.assign_reviewer(
                actor=world["reviewer"], campaign=campaign, system=world["crm"], reviewer=new
            )
        reviews.assign_reviewer(actor=world["owner"], campaign=campaign, system=world["crm"], reviewer=new)
        assert ReviewerAssignment.objects.get(campaign=campaign, system=world["crm"]).reviewer == new
        assert Notification.objects.filter(recipient=new).count() == 1
        reviews.decide_item(
            actor=principal_for(new, org_a), item=_item(campaign, "dan@alpha.test"), decision="keep"
        )


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ("", "Give an RFC 5545"),
        ("INTERVAL=3", "FREQ"),
        ("FREQ=FORTNIGHTLY", "Not a valid RFC 5545 rule"),
        ("FREQ=MONTHLY;INTERVAL=x", "Not a valid RFC 5545 rule"),
        ("FREQ=HOURLY", "at most daily"),
        ("FREQ=MONTHLY;UNTIL=20200101T000000Z", "no occurrence"),
    ],
)
def test_schedule_rule_errors_name_the_problem(world: dict[str, Any], rule: str, fragment: str) -> None:
    with org_scope(world["org"]), pytest.raises(ValidationError) as error:
        reviews.update_review_schedule(actor=world["owner"], rule=rule, starts_at=NOW)
    assert fragment in " ".join(error.value.message_dict["rule"])


def test_schedule_defaults_to_quarterly_and_is_audited(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        with pytest.raises(ValidationError) as error:
            reviews.update_review_schedule(actor=world["owner"], starts_at=NOW.replace(tzinfo=None))
        assert "starts_at" in error.value.message_dict
        with pytest.raises(PermissionDenied):
            reviews.update_review_schedule(actor=world["reviewer"], starts_at=NOW)
        schedule = reviews.update_review_schedule(actor=world["owner"], starts_at=NOW)
        assert (schedule.rule, schedule.days_to_complete, schedule.enabled) == (
            "FREQ=MONTHLY;INTERVAL=3",
            14,
            True,
        )
        assert reviews.next_occurrence(schedule, NOW) == dt.datetime(2026, 6, 2, 9, 0, tzinfo=dt.UTC)
        reviews.update_review_schedule(
            actor=world["owner"], rule="RRULE:FREQ=WEEKLY", starts_at=NOW, days_to_complete=3
        )
        assert AuditEvent.objects.filter(action="access.review_schedule_updated").count() == 2


def test_job_opens_latest_occurrence_once_and_notifies_overdue_once(world: dict[str, Any]) -> None:
    org = world["org"]
    now = timezone.now()
    starts = now - dt.timedelta(days=200)
    with org_scope(org):
        reviews.update_review_schedule(actor=world["owner"], starts_at=starts, days_to_complete=120)
    run = reviews.open_due_campaigns(organization=org, now=now)
    assert (run.opened, run.overdue_notified) == (1, 0)
    with org_scope(org):
        campaign = AccessReviewCampaign.objects.get()
        # The latest quarterly occurrence at or before now (two quarters after the start), not the first.
        assert campaign.occurrence is not None
        assert now - dt.timedelta(days=93) < campaign.occurrence <= now
        assert campaign.occurrence.day == starts.day
        assert campaign.due_at == campaign.occurrence + dt.timedelta(days=120)
        assert campaign.items.count() == 4
    again = reviews.open_due_campaigns(organization=org, now=now + dt.timedelta(hours=1))
    assert again.opened == 0
    # Past its due date: overdue, told once to reviewers and managers.
    later = campaign.due_at + dt.timedelta(days=1)
    first = reviews.open_due_campaigns(organization=org, now=later)
    second = reviews.open_due_campaigns(organization=org, now=later)
    assert first.overdue_notified == 2  # the Billing reviewer and the owner (also CRM's reviewer)
    assert second.overdue_notified == 0
    with org_scope(org):
        assert review_state.campaign_progress(campaign, later).overdue
        # By then the next quarter's campaign was opened too, once.
        assert AccessReviewCampaign.objects.count() == 2


def test_job_does_nothing_without_an_enabled_schedule(world: dict[str, Any]) -> None:
    assert reviews.open_due_campaigns(organization=world["org"], now=NOW).opened == 0
    with org_scope(world["org"]):
        reviews.update_review_schedule(
            actor=world["owner"], starts_at=NOW - dt.timedelta(days=1), enabled=False
        )
    assert reviews.open_due_campaigns(organization=world["org"], now=NOW).opened == 0


def test_command_opens_due_reviews(world: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from trustroom.access.tasks import open_due_reviews

    with org_scope(world["org"]):
        reviews.update_review_schedule(actor=world["owner"], starts_at=timezone.now() - dt.timedelta(days=1))
    out = StringIO()
    call_command("access", "open-reviews", "--org", "alpha-co", stdout=out)
    assert "1 campaign(s) opened" in out.getvalue()
    assert open_due_reviews()["opened"] == 0  # the task: same job, already done
    with pytest.raises(CommandError, match="time zone"):
        call_command("access", "open-reviews", "--at", "2026-03-02T09:00:00")
