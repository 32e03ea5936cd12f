"""Demo Co's resilience program (a demo module). Idempotent: each record is made only when missing.

The Core API's DR plan (multi-zone, two-node database cluster) with a failover drill every two months
over the last year — one failed and one passed with issues, each with an action item — and a tabletop
exercise of a primary cloud region outage with participants by function and two action items, one of
them overdue. Dates are placed relative to the day the demo is first loaded.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from trustroom.resilience import services
from trustroom.resilience.models import ActionItem, BcpExercise, DrPlan, FailoverDrill
from trustroom.tenancy.models import Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.selectors import members_of

SERVICE = "Core API"
EXERCISE_TITLE = "Primary cloud region outage"
# (months before the latest drill, minutes to restore, minutes of data lost, outcome, issues, action item)
DRILLS: tuple[tuple[int, int, int, str, str, str], ...] = (
    (10, 48, 2, "passed", "", ""),
    (8, 95, 4, "failed",
     "The standby node was not promoted automatically: the failover script timed out waiting for replication "
     "to catch up, and the switch was finished by hand.",
     "Make the failover script promote the standby when replication lag stays under the RPO"),
    (6, 41, 1, "passed", "", ""),
    (4, 55, 7, "passed_with_issues",
     "Recovery within the RTO, but about seven minutes of writes were lost: the replication lag alarm fired "
     "late.",
     "Alert on replication lag above two minutes"),
    (2, 38, 1, "passed", "", ""),
    (0, 35, 0, "passed", "", ""),
)  # fmt: skip


def load_demo(principal: Principal) -> None:
    now = timezone.now().astimezone(dt.UTC).replace(second=0, microsecond=0)
    admin = members_of(principal.organization).filter(role=Role.OWNER).select_related("user").first()
    owner = admin.user if admin is not None else None

    plan = DrPlan.objects.filter(service=SERVICE).first()
    if plan is None:
        plan = services.create_plan(
            actor=principal,
            service=SERVICE,
            description="The public API and the dashboard's back end: every customer-facing request.",
            rto_minutes=60,
            rpo_minutes=5,
            topology="Multi-zone: copies of every service in two availability zones of one region; a "
            "two-node PostgreSQL cluster across both zones with streaming replication. The failover "
            "drill switches the secondary to primary and back.",
            drill_rule="FREQ=MONTHLY;INTERVAL=2",
            owner=owner,
        )
    if not FailoverDrill.objects.filter(plan=plan).exists():
        latest = (now - dt.timedelta(days=54)).replace(hour=4, minute=30)  # the next one is due within 7 days
        for months, rto, rpo, outcome, issues, action in DRILLS:
            started = latest - relativedelta(months=months)
            drill = services.record_drill(
                actor=principal,
                plan=plan,
                scheduled_for=started.replace(hour=4, minute=0),
                started_at=started,
                ended_at=started + dt.timedelta(minutes=rto),
                measured_rto_minutes=rto,
                measured_rpo_minutes=rpo,
                outcome=outcome,
                issues=issues,
                now=now,
            )
            if action:
                item = services.create_action_item(
                    actor=principal,
                    title=action,
                    drill=drill,
                    owner=owner,
                    due_on=(started + dt.timedelta(days=30)).date(),
                )
                services.update_action_item(
                    actor=principal, item=item, status="done", now=started + dt.timedelta(days=21)
                )

    exercise = BcpExercise.objects.filter(title=EXERCISE_TITLE).first()
    if exercise is None:
        exercise = services.create_exercise(
            actor=principal,
            title=EXERCISE_TITLE,
            scenario="The cloud region that hosts production becomes unreachable for six hours on a weekday "
            "morning. Services must come back in the second region and customers be kept informed.",
            held_at=(now - dt.timedelta(days=40)).replace(hour=9, minute=30),
            facilitator=owner,
            participants=[
                {"function": "Engineering", "name": "Priya Nair"},
                {"function": "IT", "name": "Arjun Mehta"},
                {"function": "Support", "name": "Meera Iyer"},
                {"function": "HR", "name": "Kavita Rao"},
                {"function": "Legal", "name": "Rahul Desai"},
                {"function": "Communications", "name": "Sana Kapoor"},
            ],
            summary="The runbook brought the API back in the second region within the RTO on paper; customer "
            "communication and who decides to fail over were the weak points.",
            open_points=[
                "Name who decides to fail over to the second region, and a deputy",
                "Prepare status page and e-mail templates for a region outage",
            ],
        )
    if not ActionItem.objects.filter(exercise=exercise).exists():
        overdue, upcoming = services.action_items_from_open_points(
            actor=principal, exercise=exercise, owner=owner
        )
        services.update_action_item(
            actor=principal, item=overdue, due_on=(now - dt.timedelta(days=5)).date(), status="in_progress"
        )
        services.update_action_item(
            actor=principal, item=upcoming, due_on=(now + dt.timedelta(days=20)).date()
        )
