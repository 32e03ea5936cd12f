"""Template helpers of incidents: durations (MTTA/MTTR), and the "open incident / add to incident"
form on the alert pages (so the alert views need not know about incidents)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from trustroom.monitoring.incident_models import ACTIVE_STATUSES, Incident, IncidentAlert
from trustroom.tenancy import policies

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """`2 d 3 h`, `1 h 5 min`, `12 min`, `40 s`; an em dash when there is none."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    mins, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    if mins:
        return f"{mins} min"
    return f"{secs} s"


@register.filter
def minutes_text(value: float | None) -> str:
    if value is None:
        return "—"
    return duration(dt.timedelta(minutes=value))


@register.simple_tag(takes_context=True)
def can_open_incidents(context: Any) -> bool:
    return policies.policy_for(Incident).allows(context.get("principal"), "add")


@register.inclusion_tag("monitoring/incident_alert_form.html", takes_context=True)
def incident_form_for(context: Any, alert: Any) -> dict[str, Any]:
    """On an alert's page: its incident, or a form to open one / add the alert to an active one."""
    link = IncidentAlert.objects.filter(alert=alert).select_related("incident").first()
    allowed = policies.policy_for(Incident).allows(context.get("principal"), "add")
    return {
        "alert": alert,
        "link": link,
        "can_open": allowed and link is None,
        "active": Incident.objects.filter(status__in=ACTIVE_STATUSES).order_by("-number")[:50]
        if allowed
        else [],
        "organization": context.get("organization"),
        "csrf_token": context.get("csrf_token"),
    }
