"""SLA notifications (approaching, then breached; each once, to the assignee and the security team) and
the periodic expiry of risk acceptances: the job, the Celery tasks and the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections

from tests.assessments.helpers import T0, application
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Finding, FindingStatus
from trustroom.assessments.sla_notifications import (
    expire_risk_acceptances,
    notification_key,
    send_sla_notifications,
)
from trustroom.assessments.tasks import expire_risk_acceptances as expiry_task
from trustroom.assessments.tasks import send_sla_notifications as sla_task
from trustroom.notifications.models import Notification
from trustroom.tenancy.models import Membership
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """`with committed():` runs the block's on-commit callbacks (the e-mails) as if it had committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def run(committed: Any) -> Any:
    def send(*, now: dt.datetime, organization: Any = None) -> Any:
        with committed():
            return send_sla_notifications(now=now, organization=organization)

    return send


@pytest.fixture
def world(org_a: Any, owner_a: Any, org_b: Any, owner_b: Any) -> dict[str, Any]:
    admin = member(org_a, "admin", email="admin@alpha.test")
    engineer = member(org_a, "editor", email="engineer@alpha.test")
    member(org_a, "editor", email="bystander@alpha.test")
    member(org_a, "viewer", email="viewer@alpha.test")
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        app = application(actor)
        critical = services.create_finding(
            actor=actor,
            application=app,
            title="SQL injection in login",
            severity="critical",
            detected_at=T0,
            assignee=engineer,
        )
    return {"org": org_a, "actor": actor, "app": app, "critical": critical, "admin": admin, "org_b": org_b}


def keys(org: Any) -> list[str]:
    with org_scope(org):
        return sorted(set(Notification.objects.values_list("key", flat=True)))


def recipients(org: Any, key: str) -> list[str]:
    with org_scope(org):
        return sorted(Notification.objects.filter(key=key).values_list("recipient__email", flat=True))


TEAM_AND_ASSIGNEE = ["admin@alpha.test", "engineer@alpha.test", "owner@alpha.test"]


def test_approaching_then_breached_each_once_to_the_assignee_and_the_security_team(
    world: dict[str, Any], run: Any
) -> None:
    org, finding = world["org"], world["critical"]
    # Critical: target 2 h, due 4 h. One hour in it is within its window: nothing.
    assert run(now=T0 + H).notifications_sent == 0
    assert keys(org) == [] and mail.outbox == []

    first = run(now=T0 + 2 * H)
    assert (first.approaching, first.breached, first.notifications_sent) == (1, 0, 3)
    approaching = notification_key(finding, "approaching")
    assert first.keys == [approaching]
    assert recipients(org, approaching) == TEAM_AND_ASSIGNEE
    assert sorted(m.to[0] for m in mail.outbox) == TEAM_AND_ASSIGNEE
    message = mail.outbox[0]
    assert message.subject == "SLA approaching: SQL injection in login (Critical, GSP portal)"
    assert "2026-03-02 13:00 UTC" in message.body
    assert f"/o/{org.slug}/assessments/findings/{finding.pk}/" in message.body

    # Running again (the same quarter hour, or later while still approaching) sends nothing new.
    again = run(now=T0 + 3 * H)
    assert (again.approaching, again.notifications_sent, again.keys) == (1, 0, [])
    assert len(mail.outbox) == 3

    breached = run(now=T0 + 4 * H + dt.timedelta(minutes=1))
    assert (breached.approaching, breached.breached, breached.notifications_sent) == (0, 1, 3)
    assert recipients(org, notification_key(finding, "breached")) == TEAM_AND_ASSIGNEE
    assert mail.outbox[-1].subject.startswith("SLA breached: SQL injection in login")
    assert run(now=T0 + 5 * H).notifications_sent == 0
    assert run(now=T0 + 30 * D).notifications_sent == 0
    assert keys(org) == [notification_key(finding, "approaching"), notification_key(finding, "breached")]
    assert len(mail.outbox) == 6
    with org_scope(org):
        notification = Notification.objects.filter(key=notification_key(finding, "breached")).first()
        assert notification is not None
        assert notification.url == f"/o/{org.slug}/assessments/findings/{finding.pk}/"


def test_a_re_triaged_finding_is_warned_again_against_its_new_deadline(
    world: dict[str, Any], run: Any
) -> None:
    org, actor, finding = world["org"], world["actor"], world["critical"]
    assert run(now=T0 + 5 * H).breached == 1  # critical: due 4 h after detection
    with org_scope(org), time_machine.travel(T0 + 5 * H, tick=False):
        finding = services.update_finding(
            actor=actor,
            finding=finding,
            title=finding.title,
            description=finding.description,
            severity="high",  # due 48 h after detection, target 24 h
            cvss_vector="",
            cwe_id=None,
            asset=finding.asset,
            evidence=finding.evidence,
            engagement=None,
        )
    assert finding.due_at == T0 + 48 * H
    assert run(now=T0 + 6 * H).notifications_sent == 0  # within its new window
    approaching = run(now=T0 + 25 * H)
    assert approaching.keys == [notification_key(finding, "approaching")]
    breached = run(now=T0 + 49 * H)
    assert breached.keys == [notification_key(finding, "breached")]
    assert run(now=T0 + 50 * H).notifications_sent == 0


def test_a_finding_first_seen_after_its_deadline_gets_only_the_breached_notice(
    world: dict[str, Any], run: Any
) -> None:
    org, finding = world["org"], world["critical"]
    assert run(now=T0 + 10 * H).breached == 1
    assert keys(org) == [notification_key(finding, "breached")]
    assert len(mail.outbox) == 3


def test_unassigned_findings_go_to_the_security_team_only(world: dict[str, Any], run: Any) -> None:
    org, actor = world["org"], world["actor"]
    with org_scope(org):
        high = services.create_finding(
            actor=actor, application=world["app"], title="IDOR", severity="high", detected_at=T0
        )
    run(now=T0 + 49 * H)
    assert recipients(org, notification_key(high, "breached")) == ["admin@alpha.test", "owner@alpha.test"]


def test_an_assignee_who_left_the_organization_is_not_notified(world: dict[str, Any], run: Any) -> None:
    org, finding = world["org"], world["critical"]
    Membership.objects.filter(organization=org, user__email="engineer@alpha.test").delete()
    run(now=T0 + 5 * H)
    assert recipients(org, notification_key(finding, "breached")) == ["admin@alpha.test", "owner@alpha.test"]
    assert "engineer@alpha.test" not in [m.to[0] for m in mail.outbox]


def test_resolved_accepted_and_false_positive_findings_are_not_notified(
    world: dict[str, Any], run: Any
) -> None:
    org, actor, app = world["org"], world["actor"], world["app"]
    with org_scope(org):
        made = {
            name: services.create_finding(
                actor=actor, application=app, title=name, severity="critical", detected_at=T0
            )
            for name in ("fixed late", "closed", "accepted", "false positive")
        }
        services.mark_fixed(actor=actor, finding=made["fixed late"], now=T0 + 6 * H)  # after its deadline
        services.mark_fixed(actor=actor, finding=made["closed"], now=T0 + H)
        services.record_retest(actor=actor, finding=made["closed"], passed=True, now=T0 + 2 * H)
        services.accept_risk(
            actor=actor, finding=made["accepted"], reason="Behind the VPN", expires_at=T0 + 30 * D, now=T0
        )
        services.mark_false_positive(actor=actor, finding=made["false positive"], reason="Not reachable")
    result = run(now=T0 + 7 * H)
    assert result.breached == 1  # only the world's open critical finding
    assert keys(org) == [notification_key(world["critical"], "breached")]


def test_an_expired_risk_acceptance_is_notified_as_breached(world: dict[str, Any], run: Any) -> None:
    org, actor = world["org"], world["actor"]
    with org_scope(org):
        accepted = services.create_finding(
            actor=actor, application=world["app"], title="Old TLS", severity="high", detected_at=T0
        )
        services.accept_risk(actor=actor, finding=accepted, reason="Legacy", expires_at=T0 + 5 * D, now=T0)
    run(now=T0 + 4 * D)
    assert notification_key(accepted, "breached") not in keys(org)
    run(now=T0 + 6 * D)
    assert notification_key(accepted, "breached") in keys(org)


def test_other_organizations_never_receive_or_send_anothers_notifications(
    world: dict[str, Any], owner_b: Any, run: Any
) -> None:
    org, org_b = world["org"], world["org_b"]
    actor_b = principal_for(owner_b, org_b)
    with org_scope(org_b):
        finding_b = services.create_finding(
            actor=actor_b, application=application(actor_b), title="XSS", severity="critical", detected_at=T0
        )
    only_a = run(now=T0 + 5 * H, organization=org)
    assert only_a.organizations == 1
    assert keys(org_b) == []
    assert "owner@bravo.test" not in [m.to[0] for m in mail.outbox]

    every = run(now=T0 + 5 * H)
    assert every.organizations >= 2 and every.notifications_sent == 1
    assert keys(org_b) == [notification_key(finding_b, "breached")]
    assert recipients(org_b, notification_key(finding_b, "breached")) == ["owner@bravo.test"]
    assert [m.to[0] for m in mail.outbox].count("owner@bravo.test") == 1
    assert keys(org) == [notification_key(world["critical"], "breached")]


def test_the_periodic_task_and_the_command(world: dict[str, Any], committed: Any) -> None:
    org, finding = world["org"], world["critical"]
    with time_machine.travel(T0 + 2 * H, tick=False), committed():
        assert sla_task.delay().get() == {"approaching": 1, "breached": 0, "notifications_sent": 3}
        assert sla_task.delay().get()["notifications_sent"] == 0
    out = StringIO()
    with committed():
        call_command(
            "assessments",
            "send-sla-notifications",
            "--org",
            org.slug,
            "--at",
            "2026-03-02T14:00:00Z",
            stdout=out,
        )
    assert out.getvalue().strip() == (
        "SLA notifications: 0 approaching, 1 breached; 3 notifications sent across 1 organization(s)."
    )
    assert keys(org) == [notification_key(finding, "approaching"), notification_key(finding, "breached")]
    assert len(mail.outbox) == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--org", "no-such-org"], "No organization has the slug 'no-such-org'."),
        (["--at", "yesterday"], "Give --at as an ISO date and time"),
        (["--at", "2026-03-02T14:00:00"], "Give --at with a time zone"),
    ],
)
def test_the_command_refuses_bad_input(world: dict[str, Any], argv: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("assessments", "send-sla-notifications", *argv)
    assert keys(world["org"]) == []


def test_the_command_exits_non_zero_on_error_and_zero_on_success(
    world: dict[str, Any], capsys: Any, monkeypatch: Any
) -> None:
    # The command line closes every connection when it ends; keep the test's own connection open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["trustroom", "assessments", "expire-risk-acceptances", "--org", "nope"])
    assert exited.value.code == 1
    assert "No organization has the slug 'nope'" in capsys.readouterr().err
    execute_from_command_line(["trustroom", "assessments", "expire-risk-acceptances", "--org", "alpha-co"])
    assert "0 expired and reopened across 1 organization(s)" in capsys.readouterr().out


def test_expired_risk_acceptances_are_reopened_once(world: dict[str, Any], org_b: Any, owner_b: Any) -> None:
    org, actor = world["org"], world["actor"]
    actor_b = principal_for(owner_b, org_b)
    with org_scope(org):
        accepted = services.create_finding(
            actor=actor, application=world["app"], title="Old TLS", severity="medium", detected_at=T0
        )
        services.accept_risk(actor=actor, finding=accepted, reason="Legacy", expires_at=T0 + 5 * D, now=T0)
    with org_scope(org_b):
        other = services.create_finding(
            actor=actor_b, application=application(actor_b), title="Weak", severity="low", detected_at=T0
        )
        services.accept_risk(actor=actor_b, finding=other, reason="Later", expires_at=T0 + 5 * D, now=T0)
    assert expire_risk_acceptances(now=T0 + 4 * D).reopened == 0
    first = expire_risk_acceptances(now=T0 + 6 * D, organization=org)
    assert (first.organizations, first.reopened) == (1, 1)
    with org_scope(org):
        assert Finding.objects.get(pk=accepted.pk).status == FindingStatus.REOPENED
    with org_scope(org_b):
        assert Finding.objects.get(pk=other.pk).status == FindingStatus.RISK_ACCEPTED
    with time_machine.travel(T0 + 6 * D, tick=False):
        assert expiry_task.delay().get() == {"reopened": 1}  # org_b's
        assert expiry_task.delay().get() == {"reopened": 0}
    out = StringIO()
    call_command("assessments", "expire-risk-acceptances", stdout=out)
    assert "0 expired and reopened" in out.getvalue()


def test_the_beat_schedule_runs_both_jobs_often_enough() -> None:
    from django.conf import settings

    from trustroom.celery import app

    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["trustroom.assessments.tasks.send_sla_notifications"] == 15 * 60
    assert schedule["trustroom.assessments.tasks.expire_risk_acceptances"] == 60 * 60
    assert {sla_task.name, expiry_task.name} <= set(app.tasks)


def test_a_run_with_nothing_expired_leaves_the_trust_center_cache_alone(
    world: dict[str, Any], committed: Any
) -> None:
    from trustroom.trustcenter.cache import current_version

    before = current_version(world["org"].pk)
    with committed():
        assert expire_risk_acceptances(now=T0, organization=world["org"]).reopened == 0
    assert current_version(world["org"].pk) == before
