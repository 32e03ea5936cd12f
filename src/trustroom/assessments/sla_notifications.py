"""Notifications when a finding's remediation SLA is approaching or breached, and the periodic expiry of
risk acceptances. Both run across organizations (or one) and are idempotent.

Who is told: the finding's assignee (when they are still a member; `notify` skips anyone who is not) and
the organization's security team, taken as its owners and admins — the roles that accept risks and
publish the SLA policy, so the ones who answer for a missed deadline. Editors are told only about the
findings assigned to them.

What is sent: once per finding per state, in the app and by e-mail (`notifications.services.notify`:
one notification per recipient and key, so a second run, a retried task or two workers racing send
nothing new). Keys are `finding:<id>:sla:<approaching|breached>:<deadline as unix seconds>`. Only the state
the finding is in now is notified, so a job that missed the approaching window (or a finding detected
already late) sends only the breached notice. Deadlines are fixed at detection and move only when
a finding is re-triaged to another severity (recomputed from its detection time), so a reopened finding
that already breached is not announced again, while a re-triaged one is judged against its new deadline.

Which findings: open and reopened ones (a risk acceptance past its expiry reads as reopened). A finding
fixed and awaiting retest, closed, risk-accepted or a false positive needs nothing from anyone, so it is
not notified, even when it was fixed late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from trustroom.assessments import services
from trustroom.assessments.models import Finding, FindingStatus
from trustroom.assessments.selectors import findings_in_sla_state
from trustroom.assessments.state import SlaState
from trustroom.notifications.services import notify
from trustroom.tenancy.models import Organization, Role
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope
from trustroom.tenancy.selectors import members_of

NOTIFIED_STATES = (SlaState.BREACHED, SlaState.APPROACHING)
NOTIFIED_STATUSES = (FindingStatus.OPEN, FindingStatus.REOPENED)
SECURITY_TEAM_ROLES = (Role.OWNER, Role.ADMIN)


def notification_key(finding: Finding, state: str) -> str:
    """Once per finding, state and deadline: a re-triage that moves the deadline may warn again."""
    due = int(finding.due_at.timestamp()) if finding.due_at else 0
    return f"finding:{finding.pk}:sla:{state}:{due}"


def finding_path(organization: Organization, finding: Finding) -> str:
    """The finding's page. Its URL name belongs to the findings UI; if that is not installed the path is
    built by hand (the same pattern), so a notification always links somewhere sensible."""
    try:
        return reverse("assessments:finding-detail", kwargs={"org_slug": organization.slug, "pk": finding.pk})
    except NoReverseMatch:
        return f"/o/{organization.slug}/assessments/findings/{finding.pk}/"


def security_team(organization: Organization) -> list[Any]:
    return [m.user for m in members_of(organization).filter(role__in=SECURITY_TEAM_ROLES)]


def _when(value: dt.datetime | None) -> str:
    return f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if value is not None else "—"


def _message(finding: Finding, state: str) -> tuple[str, str]:
    severity = finding.get_severity_display()
    where = finding.application.name
    if state == SlaState.BREACHED:
        subject = f"SLA breached: {finding.title} ({severity}, {where})"
        opening = (
            f"The remediation deadline of this {severity.lower()} finding passed on {_when(finding.due_at)}."
        )
        ask = "Fix it now, or record why it cannot be fixed (accept the risk with an expiry)."
    else:
        subject = f"SLA approaching: {finding.title} ({severity}, {where})"
        opening = f"This {severity.lower()} finding must be fixed by {_when(finding.due_at)}."
        ask = "Fix it before then and mark it fixed so that the vendor can retest it."
    assignee = getattr(finding.assignee, "email", "") or "nobody yet"
    body = f"{opening}\n\nApplication: {where}\nAssigned to: {assignee}\n\n{ask}"
    return subject, body


@dataclass
class SlaNotificationRun:
    organizations: int = 0
    approaching: int = 0  # findings approaching their deadline now (notified or already told)
    breached: int = 0
    notifications_sent: int = 0
    keys: list[str] = field(default_factory=list)  # keys that produced at least one new notification


def send_sla_notifications(
    *, now: dt.datetime | None = None, organization: Organization | None = None
) -> SlaNotificationRun:
    """Notify what is approaching or breached at `now` for one or every organization. Idempotent."""
    now = now or timezone.now()
    run = SlaNotificationRun()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        run.organizations += 1
        with org_scope(org):
            actor = system_principal(org)
            team = security_team(org)
            for state in NOTIFIED_STATES:
                for item in findings_in_sla_state(state, now=now):
                    if item.status not in NOTIFIED_STATUSES:
                        continue
                    finding = item.finding
                    if state == SlaState.BREACHED:
                        run.breached += 1
                    else:
                        run.approaching += 1
                    key = notification_key(finding, state)
                    subject, body = _message(finding, state)
                    sent = notify(
                        actor=actor,
                        recipients=[finding.assignee, *team],
                        key=key,
                        subject=subject,
                        body=body,
                        url=finding_path(org, finding),
                    )
                    if sent:
                        run.keys.append(key)
                    run.notifications_sent += len(sent)
    return run


@dataclass
class RiskExpiryRun:
    organizations: int = 0
    reopened: int = 0


def expire_risk_acceptances(
    *, now: dt.datetime | None = None, organization: Organization | None = None
) -> RiskExpiryRun:
    """Persist expired risk acceptances as reopened, for one or every organization (as the platform).

    The pages already read them as reopened (`effective_status`); this makes the stored status agree.
    Idempotent: a second run finds nothing to reopen."""
    now = now or timezone.now()
    run = RiskExpiryRun()
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        run.organizations += 1
        with org_scope(org):
            # Only when there is something to reopen: the service also drops the organization's cached
            # trust center pages, which an hourly no-op run should not do to every organization.
            expired = Finding.objects.filter(status=FindingStatus.RISK_ACCEPTED, risk_expires_at__lte=now)
            if expired.exists():
                run.reopened += services.expire_risk_acceptances(actor=system_principal(org), now=now)
    return run
