"""Demo Co's answer bank (a demo module; runs last: INSTALLED_APPS lists answers after the
compliance register, the trust center and the VAPT programme, whose records it links).

Every entry of `bank_data.DEMO_BANK` is made through the services, owned by the organization's first
owner, with a next review date spread over the coming months. Most are public (the trust center's
Security FAQ); the few that describe how Demo Co works inside (staff access to customer data,
production access, monitoring and log retention) are private: they answer questionnaires, not the public.

Evidence (kept here; bank_data only holds the text): each answer is linked to the demo records that back
it — the current ISO/IEC 27001:2022 certificate and statement, the current SOC 2 Type 2 report, the
statements of the other frameworks, the SLA policy version in force for remediation deadlines, and the
Customer Portal (tested within its cadence, safe to host) for the penetration testing answers. Only
current records are linked, so the demo bank starts fresh; it goes stale by itself as they age.

Then a customer questionnaire, answered from the bank (`demo_questionnaire`).

Idempotent: an entry is made only when its key is missing, and its evidence only then, so a second run
changes nothing and records no audit event (and a link someone removed is not put back).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustroom.answers import services
from trustroom.answers.bank_data import DEMO_BANK, DemoAnswer
from trustroom.answers.demo_questionnaire import load_demo_questionnaire
from trustroom.answers.models import AnswerEntry, AnswerVisibility
from trustroom.tenancy.models import Role
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.selectors import members_of

PRIVATE_KEYS = frozenset({"employee-data-access", "environments", "security-monitoring"})

# Evidence per key: ("statement", framework code), ("certification", series), ("sla_policy", None) for
# the version in force, ("application", name).
EVIDENCE: dict[str, tuple[tuple[str, str | None], ...]] = {
    "iso-27001": (("statement", "iso27001-2022"), ("certification", "iso27001")),
    "soc2-report": (("statement", "soc2-type2"), ("certification", "soc2-type2")),
    "cloud-hosting": (("certification", "iso27001"),),
    "access-control-policy": (("statement", "iso27001-2022"),),
    "access-review": (("statement", "soc2-type2"),),
    "encryption-at-rest": (("statement", "hipaa"),),
    "encryption-in-transit": (("statement", "hipaa"),),
    "penetration-testing": (("application", "Customer Portal"),),
    "owasp-top-10": (("application", "Customer Portal"),),
    "vulnerability-remediation-sla": (("sla_policy", None),),
    "pci-dss": (("statement", "pci-dss"),),
    "hipaa": (("statement", "hipaa"), ("certification", "hipaa-self-assessment")),
    "gdpr": (("statement", "gdpr"),),
    "ccpa": (("statement", "ccpa"),),
    "coppa": (("statement", "coppa"),),
    "data-residency": (("statement", "gdpr"),),
    "third-party-sharing": (("statement", "gdpr"),),
}

# Reviews spread over the coming months, so they do not all fall due on the same day.
REVIEW_IN_DAYS = (60, 90, 120, 150, 180)


def _owner(principal: Principal) -> Any:
    first = members_of(principal.organization).filter(role=Role.OWNER).order_by("pk").first()
    return first.user if first is not None else None


def _record(kind: str, ref: str | None, now: dt.datetime) -> Any:
    """The current demo record of that kind, or None when the demo has none (then nothing is linked)."""
    from trustroom.assessments import selectors as assessments
    from trustroom.assessments.models import Application
    from trustroom.compliance.models import Certification, ComplianceStatement

    if kind == "statement":
        return ComplianceStatement.objects.filter(framework__code=ref).first()
    if kind == "certification":
        current = Certification.objects.filter(series=ref, superseded_by__isnull=True)
        return current.order_by("-valid_until").first()
    if kind == "application":
        return Application.objects.filter(name=ref).first()
    return assessments.stored_policy_in_force(now)


def _make(
    principal: Principal, answer: DemoAnswer, *, owner: Any, review_on: dt.date, now: dt.datetime
) -> None:
    entry = services.create_entry(
        actor=principal,
        key=answer.key,
        question=answer.question,
        variants=list(answer.variants),
        short_answer=answer.short_answer,
        detailed_answer=answer.detailed_answer,
        tags=list(answer.tags),
        visibility=AnswerVisibility.PRIVATE if answer.key in PRIVATE_KEYS else AnswerVisibility.PUBLIC,
        owner=owner,
        next_review_on=review_on,
    )
    for kind, ref in EVIDENCE.get(answer.key, ()):
        record = _record(kind, ref, now)
        if record is not None:
            services.add_evidence(actor=principal, entry=entry, **{kind: record})


def load_demo(principal: Principal) -> None:
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    existing = set(AnswerEntry.objects.values_list("key", flat=True))
    owner = _owner(principal)
    for index, answer in enumerate(DEMO_BANK):
        if answer.key in existing:
            continue
        review_on = today + dt.timedelta(days=REVIEW_IN_DAYS[index % len(REVIEW_IN_DAYS)])
        _make(principal, answer, owner=owner, review_on=review_on, now=now)
    load_demo_questionnaire(principal, today=today)
