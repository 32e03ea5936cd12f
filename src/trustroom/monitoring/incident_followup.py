"""Writes around an incident's work: its details and commander, the post-incident review, notes on the
timeline, and follow-up actions. Same rules as `incident_services`: keyword-only, `actor` first,
atomic, policy-checked, audit-logged, each with its timeline entry.

A note may say it happened in the past (written up afterwards), never in the future, and not more than
`NOTE_BEFORE_DETECTION` before the incident was detected (what led up to it, not unrelated history).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.monitoring.incident_models import (
    EventKind,
    Incident,
    IncidentAction,
    IncidentEvent,
    IncidentStatus,
)
from trustroom.monitoring.incident_services import (
    MAX_TEXT,
    MAX_TITLE,
    audit,
    clean_severity,
    clean_text,
    clean_time,
    lock,
    log,
    member_user,
    user_of,
)
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import members_of

NOTE_BEFORE_DETECTION = dt.timedelta(days=7)
MAX_NOTE = 5_000
REVIEW_FIELDS = ("impact", "root_cause", "lessons")
MAX_DUE = dt.timedelta(days=3 * 366)


def _editable(incident: Incident) -> None:
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError({"status": "The incident is closed: reopen it to change it."})


@transaction.atomic
def update_details(
    *,
    actor: Principal,
    incident: Incident,
    title: str | None = None,
    summary: str | None = None,
    severity: str | None = None,
) -> Incident:
    """Title, summary, severity (only the ones given)."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    _editable(incident)
    changed: dict[str, object] = {}
    if title is not None:
        changed["title"] = clean_text(title, "title", MAX_TITLE, required=True)
    if summary is not None:
        changed["summary"] = clean_text(summary, "summary", MAX_TEXT)
    if severity is not None:
        changed["severity"] = clean_severity(severity)
    changed = {k: v for k, v in changed.items() if getattr(incident, k) != v}
    if not changed:
        return incident
    for key, value in changed.items():
        setattr(incident, key, value)
    incident.save(update_fields=[*changed, "updated_at"])
    text = "Changed: " + ", ".join(changed)
    if "severity" in changed:
        text += f" (severity now {incident.get_severity_display()})"
    log(actor=actor, incident=incident, kind=EventKind.DETAILS_CHANGED, text=text + ".")
    audit(actor=actor, action="details_changed", incident=incident, fields=sorted(changed))
    return incident


@transaction.atomic
def set_commander(*, actor: Principal, incident: Incident, commander: Any) -> Incident:
    """Who leads the response (a member), or nobody."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    _editable(incident)
    commander = member_user(commander)
    if getattr(commander, "pk", None) == incident.commander_id:
        return incident
    incident.commander = commander
    incident.save(update_fields=["commander", "updated_at"])
    name = getattr(commander, "email", "nobody")
    log(actor=actor, incident=incident, kind=EventKind.COMMANDER_CHANGED, text=f"Commander: {name}.")
    audit(actor=actor, action="commander_changed", incident=incident, commander=name)
    return incident


@transaction.atomic
def update_review(
    *,
    actor: Principal,
    incident: Incident,
    impact: str | None = None,
    root_cause: str | None = None,
    lessons: str | None = None,
) -> Incident:
    """The post-incident review: impact, root cause, lessons learned (only the ones given)."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    _editable(incident)
    given = {"impact": impact, "root_cause": root_cause, "lessons": lessons}
    changed = {
        key: clean_text(value, key, MAX_TEXT)
        for key, value in given.items()
        if value is not None and clean_text(value, key, MAX_TEXT) != getattr(incident, key)
    }
    if not changed:
        return incident
    for key, value in changed.items():
        setattr(incident, key, value)
    incident.save(update_fields=[*changed, "updated_at"])
    labels = {"impact": "impact", "root_cause": "root cause", "lessons": "lessons"}
    text = "Review updated: " + ", ".join(labels[k] for k in changed) + "."
    log(actor=actor, incident=incident, kind=EventKind.REVIEW_UPDATED, text=text)
    audit(actor=actor, action="review_updated", incident=incident, fields=sorted(changed))
    return incident


@transaction.atomic
def add_note(
    *, actor: Principal, incident: Incident, text: str, happened_at: dt.datetime | None = None
) -> IncidentEvent:
    """A hand-written timeline entry; `happened_at` (default now) may be in the past."""
    policies.check(actor, "change", incident)
    incident = lock(incident)
    text = clean_text(text, "text", MAX_NOTE, required=True)
    now = timezone.now()
    when = clean_time(happened_at, "happened_at", now=now) or now
    if when < incident.detected_at - NOTE_BEFORE_DETECTION:
        raise ValidationError(
            {"happened_at": "More than 7 days before the incident was detected: is this the right incident?"}
        )
    event = log(actor=actor, incident=incident, kind=EventKind.NOTE, text=text, at=min(when, now))
    audit(actor=actor, action="note_added", incident=incident, happened_at=event.happened_at.isoformat())
    return event


def _owner(owner_email: str) -> tuple[Any, str]:
    """A member with that e-mail address, or the address alone (someone outside the organization)."""
    email = clean_text(owner_email, "owner_email", 254).lower()
    if not email:
        return None, ""
    if "@" not in email:
        raise ValidationError({"owner_email": "Enter an e-mail address."})
    membership = members_of(require_org()).filter(user__email__iexact=email).select_related("user").first()
    return (membership.user, "") if membership is not None else (None, email)


@transaction.atomic
def add_action(
    *,
    actor: Principal,
    incident: Incident,
    title: str,
    owner_email: str = "",
    due_at: dt.datetime | None = None,
) -> IncidentAction:
    """A follow-up action; overdue is computed when read from `due_at`."""
    policies.check(actor, "add", IncidentAction)
    policies.check(actor, "change", incident)
    incident = lock(incident)
    _editable(incident)
    title = clean_text(title, "title", MAX_TITLE, required=True)
    now = timezone.now()
    if due_at is not None:
        if timezone.is_naive(due_at):
            raise ValidationError({"due_at": "Give a time with its time zone (UTC)."})
        if due_at > now + MAX_DUE:
            raise ValidationError({"due_at": "Due more than three years from now: choose an earlier date."})
    owner, email = _owner(owner_email)
    action = IncidentAction.objects.create(
        incident=incident, title=title, owner=owner, owner_email=email, due_at=due_at, created_at=now
    )
    who = action.owner_label or "nobody"
    log(
        actor=actor,
        incident=incident,
        kind=EventKind.ACTION_ADDED,
        text=f"Action added: {title} (owner {who}).",
    )
    audit(actor=actor, action="action_added", incident=incident, action_id=action.pk, title=title)
    return action


@transaction.atomic
def complete_action(*, actor: Principal, action: IncidentAction) -> IncidentAction:
    policies.check(actor, "change", action)
    action = IncidentAction.objects.select_for_update().select_related("incident").get(pk=action.pk)
    if action.done_at is not None:
        raise ValidationError({"done_at": "This action is done already."})
    action.done_at = timezone.now()
    action.done_by = user_of(actor)
    action.save(update_fields=["done_at", "done_by"])
    log(
        actor=actor,
        incident=action.incident,
        kind=EventKind.ACTION_DONE,
        text=f"Action done: {action.title}.",
    )
    audit(actor=actor, action="action_done", incident=action.incident, action_id=action.pk)
    return action


@transaction.atomic
def reopen_action(*, actor: Principal, action: IncidentAction) -> IncidentAction:
    policies.check(actor, "change", action)
    action = IncidentAction.objects.select_for_update().select_related("incident").get(pk=action.pk)
    if action.done_at is None:
        raise ValidationError({"done_at": "This action is not done."})
    _editable(action.incident)
    action.done_at = None
    action.done_by = None
    action.save(update_fields=["done_at", "done_by"])
    log(
        actor=actor,
        incident=action.incident,
        kind=EventKind.ACTION_REOPENED,
        text=f"Action reopened: {action.title}.",
    )
    audit(actor=actor, action="action_reopened", incident=action.incident, action_id=action.pk)
    return action
