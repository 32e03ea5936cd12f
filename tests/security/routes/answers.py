"""Cross-tenant entries of the answer bank (/o/<org_slug>/answers/, its API, and the trust center's
Security FAQ at /trust/<org_slug>/faq/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.security.cross_tenant import ORG, PUBLIC_ORG, Route, obj
from trustroom.answers import services
from trustroom.assessments import services as assessments
from trustroom.compliance import services as compliance
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal


def _evidence(world: dict[str, Any]) -> dict[str, Any]:
    return {"pk": world["answer_entry"], "evidence_pk": world["answer_evidence"]}


_FAQ_NOTE = (
    "Public trust center FAQ: A's public, current answers are expected under A's own slug; its private "
    "answers and its public answers withheld as stale (named 'hidden') never show."
)

ROUTES: dict[str, Route] = {
    "answers:bank": Route(ORG),
    "answers:duplicates": Route(ORG),
    "answers:entry-create": Route(ORG),
    "answers:entry-detail": Route(ORG, target=obj("answer_entry")),
    "answers:entry-edit": Route(ORG, target=obj("answer_entry")),
    "answers:entry-delete": Route(ORG, target=obj("answer_entry")),
    "answers:evidence-add": Route(ORG, target=obj("answer_entry")),
    "answers:evidence-remove": Route(ORG, target=_evidence),
    "answer-entry-list": Route(ORG, api=True),
    "answer-entry-detail": Route(ORG, api=True, target=obj("answer_entry")),
    "answer-entry-evidence": Route(ORG, api=True, target=obj("answer_entry")),
    "answer-entry-remove-evidence": Route(ORG, api=True, target=_evidence),
    "answer-entry-duplicates": Route(ORG, api=True),
    "trust:faq": Route(PUBLIC_ORG, note=_FAQ_NOTE),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A private entry backed by a certification and an application, a public current entry (on the
    FAQ), a public entry made stale by an expired certificate (withheld), and a near-duplicate pair."""
    today = dt.datetime.now(dt.UTC).date()
    certification = compliance.create_certification(
        actor=actor,
        kind="certificate",
        title=f"{label} answers ISO certificate",
        series=f"{label.lower()}-answers-iso",
        valid_from=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=700),
    )
    expired = compliance.create_certification(
        actor=actor,
        kind="certificate",
        title=f"{label} hidden expired answers certificate",
        series=f"{label.lower()}-answers-expired",
        valid_from=today - dt.timedelta(days=800),
        valid_until=today - dt.timedelta(days=3),
        visibility="private",
    )
    application = assessments.create_application(
        actor=actor, name=f"{label} answers portal", criticality="high"
    )
    entry = services.create_entry(
        actor=actor,
        key=f"{label.lower()}-encryption-at-rest",
        question=f"Does {label} hidden encrypt customer data at rest?",
        short_answer=f"Yes, {label} hidden uses AES-256.",
        variants=[f"Is {label} hidden data encrypted at rest?"],
        tags=["encryption"],
        visibility="private",
    )
    evidence = services.add_evidence(actor=actor, entry=entry, certification=certification)
    services.add_evidence(actor=actor, entry=entry, application=application)
    services.create_entry(
        actor=actor,
        key=f"{label.lower()}-encryption-again",
        question=f"Does {label} hidden encrypt customer data at rest?",
        short_answer=f"No, {label} hidden does not.",
        tags=["encryption"],
        visibility="private",
    )
    public = services.create_entry(
        actor=actor,
        key=f"{label.lower()}-tls",
        question=f"Does {label} use TLS?",
        short_answer=f"Yes, {label} uses TLS 1.2 or later.",
        detailed_answer=f"{label} disables older protocols.",
        visibility="public",
    )
    services.add_evidence(actor=actor, entry=public, certification=certification)
    stale = services.create_entry(
        actor=actor,
        key=f"{label.lower()}-stale",
        question=f"Is {label} hidden stale answer current?",
        short_answer=f"{label} hidden stale answer.",
        visibility="public",
    )
    services.add_evidence(actor=actor, entry=stale, certification=expired)
    return {"answer_entry": entry.pk, "answer_evidence": evidence.pk, "answer_public_entry": public.pk}
