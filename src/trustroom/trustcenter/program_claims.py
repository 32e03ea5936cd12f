"""Claims about the security program's own processes, derived from their records when read:

- "Access reviewed <cadence>, last completed <date>" (access review campaigns vs the review schedule);
- "Disaster recovery failover tested, last <date>" per DR plan (failover drills vs the drill cadence);
- "Production access limited to <group>, at most N people" (access policy rules and their violations).

A claim shows only when the organization publishes that kind of claim (trust center settings) and there
is something to claim (a completed review, a recorded drill, an enabled rule). It carries its freshness:
when the cadence is missed (or the last drill failed, or a rule is violated) it reads as stale, with why.
Like the attestations, everything is judged as of the END of the current UTC day, so a page cached
today is never fresher than the truth (see `attestations.attestation_horizon`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr

from trustroom.trustcenter.attestations import attestation_horizon

FREQ_WORDS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
NAMED = {
    ("MONTHLY", 3): "quarterly",
    ("MONTHLY", 1): "monthly",
    ("YEARLY", 1): "yearly",
    ("WEEKLY", 1): "weekly",
}


@dataclass(frozen=True)
class ProgramClaim:
    key: str  # "access_reviews", "dr_failover", "production_access"
    title: str
    detail: str
    last_done: date | None
    next_due: date | None
    fresh: bool
    stale_reason: str = ""
    posture: Any = None  # a controls.posture.ClaimPosture when the claim is bound to controls
    record_id: int | None = None  # the DR plan of a DR claim: one claim (and claim key) per plan

    @property
    def claim_key(self) -> str:
        """`program:<key>`, or `program:dr_failover:<plan id>` for one DR plan's claim (see
        `controls.posture`: controls bound to the overall key back every plan's claim)."""
        own = f"program:{self.key}"
        return own if self.record_id is None else f"{own}:{self.record_id}"

    @property
    def current(self) -> bool:
        """Fresh by its records and not marked "not currently verified" by its bound controls."""
        return self.fresh and (self.posture is None or self.posture.verified)


def describe_rule(rule: str) -> str:
    """ "quarterly", "every 2 months", … for a simple RFC 5545 rule; the rule itself otherwise."""
    parts = dict(item.partition("=")[::2] for item in rule.upper().split(";") if "=" in item)
    freq = parts.get("FREQ", "")
    try:
        interval = int(parts.get("INTERVAL", "1") or "1")
    except ValueError:
        return rule
    if (freq, interval) in NAMED and set(parts) <= {"FREQ", "INTERVAL"}:
        return NAMED[(freq, interval)]
    if freq in FREQ_WORDS and set(parts) <= {"FREQ", "INTERVAL"}:
        return f"every {interval} {FREQ_WORDS[freq]}s"
    return rule


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(UTC).date() if moment is not None else None


# --- Access reviews -------------------------------------------------------------------------------------


def access_review_claim(now: datetime | None = None) -> ProgramClaim | None:
    """Fresh while a campaign was completed since the latest review that should be finished by now."""
    from trustroom.access.models import AccessReviewCampaign, AccessReviewSchedule

    horizon = attestation_horizon(now)
    last = (
        AccessReviewCampaign.objects.filter(closed_at__isnull=False, closed_at__lt=horizon)
        .order_by("-closed_at")
        .first()
    )
    if last is None:
        return None  # nothing completed: nothing to claim
    schedule = AccessReviewSchedule.objects.filter(enabled=True).first()
    rule = schedule.rule if schedule is not None else "FREQ=MONTHLY;INTERVAL=3"
    cadence = describe_rule(rule)
    anchor = schedule.starts_at if schedule is not None else last.opened_at
    grace = timedelta(days=schedule.days_to_complete if schedule is not None else 14)
    occurrences: Any = rrulestr(rule, dtstart=anchor.astimezone(UTC))
    # The latest review period whose completion deadline has passed: it must have a completed campaign.
    expected: datetime | None = occurrences.before(horizon - grace, inc=True)
    upcoming: datetime | None = occurrences.after(horizon - grace)
    closed_at: datetime = last.closed_at  # type: ignore[assignment]  # filtered on not null
    fresh = expected is None or closed_at >= expected
    next_due = _day(upcoming + grace) if upcoming is not None else None
    stale_reason = ""
    if expected is not None and not fresh:
        stale_reason = f"The review due by {(expected + grace).date():%-d %B %Y} has not been completed."
    return ProgramClaim(
        key="access_reviews",
        title="Access reviews",
        detail=f"Access to systems is reviewed {cadence}; the last review was completed on "
        f"{closed_at.astimezone(UTC).date():%-d %B %Y}.",
        last_done=_day(closed_at),
        next_due=next_due,
        fresh=fresh,
        stale_reason=stale_reason,
    )


# --- Disaster recovery ----------------------------------------------------------------------------------


def dr_claims(organization: Any, now: datetime | None = None) -> list[ProgramClaim]:
    """One claim per DR plan that has had a drill: fresh while the cadence is kept and it did not fail."""
    from trustroom.resilience.models import DrillOutcome, DrPlan
    from trustroom.resilience.selectors import dr_posture

    horizon = attestation_horizon(now)
    plans = {
        service: (pk, rule) for service, pk, rule in DrPlan.objects.values_list("service", "pk", "drill_rule")
    }
    claims = []
    for row in dr_posture(organization, horizon):
        if row["last_drill_at"] is None:
            continue
        plan_id, rule = plans.get(row["service"], (None, ""))
        cadence = describe_rule(rule)
        last_day: date = row["last_drill_at"].astimezone(UTC).date()
        failed = row["outcome"] == DrillOutcome.FAILED
        targets = "recovery targets met" if row["met_targets"] else "recovery targets not met"
        stale_reason = ""
        if row["overdue"]:
            stale_reason = (
                f"The failover drill due on {_day(row['next_due']):%-d %B %Y} has not been recorded."
            )
        elif failed:
            stale_reason = "The last failover drill failed."
        claims.append(
            ProgramClaim(
                key="dr_failover",
                title=f"Disaster recovery: {row['service']}",
                detail=f"Database failover drilled {cadence} (RTO target {row['rto_minutes']} min, RPO "
                f"{row['rpo_minutes']} min); last drill on {last_day:%-d %B %Y}, {targets}.",
                last_done=last_day,
                next_due=_day(row["next_due"]),
                fresh=not stale_reason,
                stale_reason=stale_reason,
                record_id=plan_id,
            )
        )
    return claims


# --- Everything published -------------------------------------------------------------------------------


def published_program_claims(
    organization: Any, settings: Any, now: datetime | None = None
) -> list[ProgramClaim]:
    """The claims the organization publishes (run inside its scope)."""
    claims: list[ProgramClaim] = []
    if settings is None:
        return claims
    if getattr(settings, "claim_access_reviews", False):
        claim = access_review_claim(now)
        if claim is not None:
            claims.append(claim)
    if getattr(settings, "claim_production_access", False):
        claims.extend(production_access_claims(now))
    if getattr(settings, "claim_dr_testing", False):
        claims.extend(dr_claims(organization, now))
    return claims


def _rule_statement(rule: Any) -> str:
    if rule.environment_kind:
        where = f"{rule.get_environment_kind_display().lower()} environments"
    else:
        where = "every environment"
    if rule.system_id is not None:
        where = f"{where} of {rule.system.name}"
    limits = []
    if rule.allowed_group is not None:
        limits.append(f"members of {rule.allowed_group.name}")
    if rule.max_people is not None:
        limits.append(f"at most {rule.max_people} {'person' if rule.max_people == 1 else 'people'}")
    return f"Access to {where} is limited to {' and '.join(limits)}."


def production_access_claims(now: datetime | None = None) -> list[ProgramClaim]:
    """One claim per enabled access policy rule: fresh while nobody breaks it (evaluated when read).

    Judged now, not at the end of the day: a grant that expires later today still breaks the rule until
    it has expired (the cautious side; every change to grants, groups or rules clears the page cache).
    """
    from trustroom.access.rules_state import evaluate_all

    claims = []
    for evaluation in evaluate_all(now):
        stale_reason = ""
        if evaluation.violated:
            reasons = []
            if evaluation.out_of_group:
                reasons.append(f"{len(evaluation.out_of_group)} grant(s) held outside the allowed group")
            if evaluation.over_max:
                reasons.append(f"{evaluation.people} people hold access, above the limit")
            stale_reason = "Under review: " + "; ".join(reasons) + "."
        claims.append(
            ProgramClaim(
                key="production_access",
                title=evaluation.rule.name,
                detail=_rule_statement(evaluation.rule),
                last_done=None,
                next_due=None,
                fresh=not evaluation.violated,
                stale_reason=stale_reason,
            )
        )
    return claims
