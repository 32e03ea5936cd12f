"""The "safe to host" attestations the public trust center shows (reads, inside the organization's scope).

An application's attestation shows when the organization published it (`SafeToHostPublication`,
opt-in per application) AND it is safe to host as computed by the VAPT programme
(`assessments.state.safe_to_host`: the last completed engagement within its cadence, no critical or
high finding open, reopened or awaiting retest). Nothing is stored about the outcome, so it is right
whenever it is read.

Time: the public pages are cached for the UTC day (see `trustcenter/cache.py`), so the state is taken
as of the END of the current UTC day. An attestation is withdrawn from the start of the day on which
its next test falls due (or a risk acceptance of a high finding expires), never shown a few hours
late. Writes (a new critical finding, a failed retest) invalidate the cache, so they show at once.
When an application is not safe, the trust center shows nothing about it: no attestation and no line
naming it (the organization's own pages say why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from trustroom.assessments.models import Application
from trustroom.assessments.state import last_completed_engagement, safe_to_host, vapt_schedule
from trustroom.trustcenter.cache import utc_now
from trustroom.trustcenter.models import SafeToHostPublication


@dataclass(frozen=True)
class SafeToHostAttestation:
    application: str
    criticality: str
    cadence: str
    last_tested: date  # the day the last completed engagement ended (UTC)
    vendor: str
    accreditation: str
    valid_until: date  # the last UTC day it is shown
    next_test_due: date
    claim_key: str = ""
    posture: Any = None  # a controls.posture.ClaimPosture when the claim is bound to controls


@dataclass(frozen=True)
class SafeToHostChoice:
    """One application as the organization's own page shows it: published or not, and its state."""

    application: Application
    published: bool
    attestation: SafeToHostAttestation | None
    reasons: list[str] = field(default_factory=list)


def attestation_horizon(now: datetime | None = None) -> datetime:
    """The end of the current UTC day: the moment a page cached today must still be true at."""
    today = (now or utc_now()).astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC)


def _assess(application: Application, now: datetime | None) -> tuple[SafeToHostAttestation | None, list[str]]:
    horizon = attestation_horizon(now)
    safe, reasons = safe_to_host(application, now=horizon)
    engagement = last_completed_engagement(application)
    if not safe or engagement is None:
        return None, reasons
    schedule = vapt_schedule(application, now=horizon)
    due_day = schedule.next_due_at.astimezone(UTC).date()
    attestation = SafeToHostAttestation(
        application=application.name,
        criticality=application.get_criticality_display(),
        cadence=application.get_test_cadence_display(),
        last_tested=engagement.window_end.astimezone(UTC).date(),
        vendor=engagement.vendor.name,
        accreditation=engagement.vendor.accreditation,
        valid_until=due_day - timedelta(days=1),
        next_test_due=due_day,
        claim_key=f"attestation:{application.pk}",
    )
    return attestation, []


def published_attestations(*, now: datetime | None = None) -> list[SafeToHostAttestation]:
    """The attestations the public trust center shows now: published and safe, by application name."""
    publications = SafeToHostPublication.objects.select_related("application").order_by("application__name")
    found = []
    for publication in publications:
        attestation, _ = _assess(publication.application, now)
        if attestation is not None:
            found.append(attestation)
    return found


def is_published(application: Application) -> bool:
    """Whether the organization chose to show this application's attestation (for its own pages)."""
    return SafeToHostPublication.objects.filter(application=application).exists()


def safe_to_host_choices(*, now: datetime | None = None) -> list[SafeToHostChoice]:
    """Every application, whether its attestation is published and what the trust center shows of it."""
    published = set(SafeToHostPublication.objects.values_list("application_id", flat=True))
    choices = []
    for application in Application.objects.order_by("name"):
        attestation, reasons = _assess(application, now)
        choices.append(SafeToHostChoice(application, application.pk in published, attestation, reasons))
    return choices
