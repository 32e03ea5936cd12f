"""Whether an answer can still be given as it stands, computed when read (nothing here is stored).

An entry is, in this order:
1. stale       — a record backing it is stale (all reasons are listed):
   - a certification whose state (`compliance.state.certification_state`) is expired or superseded;
   - a compliance statement that is non-compliant, was never reviewed, or whose last review is more
     than STATEMENT_REVIEW_MAX_AGE (a year) old;
   - an application that is not safe to host (`assessments.state.safe_to_host`: never tested, VAPT
     overdue for its cadence, or critical/high findings unresolved);
   - an SLA policy version replaced by a newer version already in force;
2. review due  — its `next_review_on` (a UTC date) is before today;
3. fresh.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from trustroom.answers.models import AnswerEntry, AnswerEvidence
from trustroom.assessments.models import SlaPolicy
from trustroom.assessments.state import safe_to_host
from trustroom.compliance.models import ComplianceStatus
from trustroom.compliance.state import CertificationState, certification_state, utc_today

STATEMENT_REVIEW_MAX_AGE = dt.timedelta(days=365)
STALE_CERTIFICATION_STATES = frozenset({CertificationState.EXPIRED, CertificationState.SUPERSEDED})


class FreshnessState(models.TextChoices):
    FRESH = "fresh", "Fresh"
    REVIEW_DUE = "review_due", "Review due"
    STALE = "stale", "Stale"


@dataclass(frozen=True)
class Freshness:
    state: FreshnessState
    reasons: list[str] = field(default_factory=list)


def evidence_stale_reasons(evidence: AnswerEvidence, *, now: dt.datetime) -> list[str]:
    """Why the record behind this evidence is stale at `now` (empty: it still backs the answer)."""
    cert, statement = evidence.certification, evidence.statement
    application, policy = evidence.application, evidence.sla_policy
    if cert is not None:
        state = certification_state(cert, now)
        if state in STALE_CERTIFICATION_STATES:
            return [f"Certification “{cert.title}” is {state.label.lower()}."]
        return []
    if statement is not None:
        reasons = []
        name = str(statement.framework)
        if statement.status == ComplianceStatus.NON_COMPLIANT:
            reasons.append(f"The {name} compliance statement says non-compliant.")
        if statement.last_reviewed_at is None:
            reasons.append(f"The {name} compliance statement was never reviewed.")
        elif now - statement.last_reviewed_at > STATEMENT_REVIEW_MAX_AGE:
            reasons.append(
                f"The {name} compliance statement was last reviewed "
                f"{statement.last_reviewed_at:%Y-%m-%d}, more than a year ago."
            )
        return reasons
    if application is not None:
        safe, why = safe_to_host(application, now=now)
        return [] if safe else [f"Application “{application.name}” is not safe to host: {r}" for r in why]
    if policy is not None:
        newer = (
            SlaPolicy.objects.filter(effective_from__gt=policy.effective_from, effective_from__lte=now)
            .order_by("-effective_from")
            .first()
        )
        if newer is not None:
            return [f"SLA policy version {policy.version} was replaced by version {newer.version}."]
        return []
    return []


EVIDENCE_RELATED = ("certification", "statement__framework", "application", "sla_policy")


def _freshness(
    entry: AnswerEntry,
    evidence: Iterable[AnswerEvidence],
    *,
    now: dt.datetime,
    known: dict[tuple[str, int], list[str]] | None = None,
) -> Freshness:
    """`known` keeps each record's reasons (by kind and id) across entries: a record backing many
    entries is judged once (an application's or SLA policy's state takes queries of its own)."""
    today = utc_today(now)
    reasons: list[str] = []
    for item in evidence:
        if known is None:
            reasons.extend(evidence_stale_reasons(item, now=now))
            continue
        record = (item.kind, getattr(item, f"{item.kind}_id"))
        if record not in known:
            known[record] = evidence_stale_reasons(item, now=now)
        reasons.extend(known[record])
    if reasons:
        return Freshness(FreshnessState.STALE, reasons)
    if entry.next_review_on is not None and entry.next_review_on < today:
        return Freshness(
            FreshnessState.REVIEW_DUE, [f"The review was due on {entry.next_review_on:%Y-%m-%d}."]
        )
    return Freshness(FreshnessState.FRESH)


def entry_freshness(entry: AnswerEntry, now: dt.datetime | None = None) -> Freshness:
    """The entry's freshness at `now` (default: the current time); reads its evidence."""
    now = now or timezone.now()
    return _freshness(entry, entry.evidence.select_related(*EVIDENCE_RELATED), now=now)


def freshness_by_entry(
    entries: Iterable[AnswerEntry], now: dt.datetime | None = None
) -> dict[int, Freshness]:
    """Freshness of many entries at once (list pages, answering): their evidence is read in one query,
    and each backing record is judged once however many entries it backs."""
    now = now or timezone.now()
    entries = list(entries)
    by_entry: dict[int, list[AnswerEvidence]] = defaultdict(list)
    evidence = AnswerEvidence.objects.filter(entry__in=[e.pk for e in entries]).select_related(
        *EVIDENCE_RELATED
    )
    for item in evidence:
        by_entry[item.entry_id].append(item)
    known: dict[tuple[str, int], list[str]] = {}
    return {
        entry.pk: _freshness(entry, by_entry.get(entry.pk, []), now=now, known=known) for entry in entries
    }
