"""Badge helpers of the VAPT pages: a class for the colour and the words, so colour is never the only cue."""

from __future__ import annotations

from typing import Any

from django import template

from trustroom.assessments.models import FindingStatus
from trustroom.assessments.views.page import SLA_BADGE, SLA_LABEL

register = template.Library()

SEVERITY_BADGE = {"critical": "expired", "high": "expired", "medium": "warn", "low": "", "info": ""}


@register.filter
def sla_class(state: str) -> str:
    return SLA_BADGE.get(state, "")


@register.filter
def sla_text(state: str) -> str:
    return SLA_LABEL.get(state, state)


@register.filter
def severity_class(severity: str) -> str:
    return SEVERITY_BADGE.get(severity, "")


@register.filter
def status_text(status: str) -> str:
    """The label of a finding's (effective) status."""
    return str(dict(FindingStatus.choices).get(status, status))


@register.filter
def change_text(value: Any) -> str:
    """An audit change: a [before, after] pair reads "before → after"; anything else as itself."""
    if isinstance(value, list) and len(value) == 2:
        before, after = ("—" if v in (None, "") else v for v in value)
        return f"{before} → {after}"
    return "—" if value in (None, "") else str(value)
