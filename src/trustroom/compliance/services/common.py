"""Checks and helpers the compliance register's writes share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from trustroom.compliance.models import Certification, Framework
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import membership_in


def _invalidate_trust_center() -> None:
    from trustroom.trustcenter.cache import invalidate_trust_center

    organization_id = require_org().pk
    transaction.on_commit(lambda: invalidate_trust_center(organization_id), robust=True)


def _check_member(user: Any, field: str, errors: dict[str, str]) -> None:
    if user is not None and membership_in(user, require_org()) is None:
        errors[field] = "Choose a member of the organization."


def _check_framework(framework: Framework | None, errors: dict[str, str], *, required: bool) -> None:
    if framework is None:
        if required:
            errors["framework"] = "Choose a framework."
        return
    org = require_org()
    if framework.pk is None or framework.organization_id not in (None, org.pk):
        errors["framework"] = "Choose a built-in framework or one of the organization's own."


def _check_aware(value: dt.datetime | None, field: str, errors: dict[str, str]) -> None:
    if value is not None and timezone.is_naive(value):
        errors[field] = "Give the time with a time zone (UTC)."


def _json_value(value: Any) -> Any:
    if isinstance(value, Framework):
        return value.code
    if isinstance(value, Certification):
        return value.pk
    if hasattr(value, "email"):
        return value.email
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
