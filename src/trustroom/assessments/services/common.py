"""Shared by the VAPT services: constants, text and time checks, trust center invalidation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.tenancy.scope import require_org

RETEST_WINDOW = timedelta(days=30)
MAX_RISK_ACCEPTANCE = timedelta(days=365)
# The first version every organization gets; `effective_from` precedes any plausible detection.
DEFAULT_POLICY_EFFECTIVE_FROM = datetime(2000, 1, 1, tzinfo=UTC)


def _required_text(errors: dict[str, str], field: str, value: str, *, max_length: int, label: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = f"Give the {label}."
    elif len(value) > max_length:
        errors[field] = f"Keep the {label} to {max_length} characters or fewer."
    return value


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise ValidationError({field: "Give a date and time with a time zone."})
    return value.astimezone(UTC)


def _invalidate_trust_center() -> None:
    """The trust center shows "safe to host" from these records: drop its cached pages after commit."""
    from trustroom.trustcenter.cache import invalidate_trust_center

    organization_id = require_org().pk
    transaction.on_commit(lambda: invalidate_trust_center(organization_id), robust=True)
