"""Freshness of an answer, computed when read from what backs it (explicit `now`, or time_machine)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from tests.answers.helpers import make_entry
from tests.assessments.helpers import application, completed_engagement
from tests.compliance.helpers import NOW, TODAY, builtin, make_cert
from tests.factories import principal_for
from trustroom.answers import services
from trustroom.answers.state import FreshnessState, entry_freshness
from trustroom.assessments import services as assessments
from trustroom.compliance import services as compliance
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


def test_without_evidence_fresh_until_the_review_date_passes(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        entry = make_entry(actor, next_review_on=TODAY)
        assert entry_freshness(entry, NOW).state == FreshnessState.FRESH  # due today: not yet late
        late = entry_freshness(entry, NOW + dt.timedelta(days=1))
        assert late.state == FreshnessState.REVIEW_DUE
        assert TODAY.isoformat() in late.reasons[0]
        entry = services.update_entry(actor=actor, entry=entry, next_review_on=None)
        assert entry_freshness(entry, NOW + dt.timedelta(days=400)).state == FreshnessState.FRESH


def test_expired_certification_makes_the_answer_stale(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        cert = make_cert(actor, valid_until=TODAY + dt.timedelta(days=10))
        entry = make_entry(actor, next_review_on=TODAY - dt.timedelta(days=5))
        services.add_evidence(actor=actor, entry=entry, certification=cert)
        assert entry_freshness(entry, NOW + dt.timedelta(days=10)).state == FreshnessState.REVIEW_DUE
        stale = entry_freshness(entry, NOW + dt.timedelta(days=11))
        assert stale.state == FreshnessState.STALE
        # Stale wins over review due, and says why.
        assert stale.reasons == [f"Certification “{cert.title}” is expired."]
        entry = services.update_entry(actor=actor, entry=entry, next_review_on=None)
        assert entry_freshness(entry, NOW + dt.timedelta(days=10)).state == FreshnessState.FRESH


def test_superseded_certification_makes_the_answer_stale(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        old = make_cert(actor)
        entry = make_entry(actor)
        services.add_evidence(actor=actor, entry=entry, certification=old)
        assert entry_freshness(entry, NOW).state == FreshnessState.FRESH
        newer = make_cert(actor, valid_from=TODAY, title="ISO 27001:2022 certificate (renewed)")
        compliance.supersede_certification(actor=actor, certification=old, superseded_by=newer)
        stale = entry_freshness(entry, NOW)
        assert stale.state == FreshnessState.STALE
        assert "superseded" in stale.reasons[0]


def test_statement_non_compliant_or_reviewed_over_a_year_ago(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        statement = compliance.create_statement(
            actor=actor,
            framework=builtin("iso27001-2022"),
            status="compliant",
            summary="Certified",
            last_reviewed_at=NOW - dt.timedelta(days=365),
        )
        entry = make_entry(actor)
        services.add_evidence(actor=actor, entry=entry, statement=statement)
        assert entry_freshness(entry, NOW).state == FreshnessState.FRESH
        old = entry_freshness(entry, NOW + dt.timedelta(days=1))
        assert old.state == FreshnessState.STALE
        assert "more than a year ago" in old.reasons[0]
        compliance.update_statement(actor=actor, statement=statement, status="non_compliant")
        both = entry_freshness(entry, NOW + dt.timedelta(days=1))
        assert len(both.reasons) == 2
        assert "non-compliant" in both.reasons[0]
        compliance.update_statement(
            actor=actor, statement=statement, last_reviewed_at=None, status="compliant"
        )
        never = entry_freshness(entry, NOW)
        assert never.state == FreshnessState.STALE
        assert "never reviewed" in never.reasons[0]


def test_application_not_safe_to_host_makes_the_answer_stale(org_a: Any, actor: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    with org_scope(org_a):
        app = application(actor)  # critical: tested twice a year
        entry = make_entry(actor)
        services.add_evidence(actor=actor, entry=entry, application=app)
        untested = entry_freshness(entry, now)
        assert untested.state == FreshnessState.STALE
        assert "No completed VAPT" in untested.reasons[0]
        end = now - dt.timedelta(days=10)
        completed_engagement(actor, app, end=end)
        assert entry_freshness(entry, now).state == FreshnessState.FRESH
        overdue = entry_freshness(entry, end + dt.timedelta(days=200))
        assert overdue.state == FreshnessState.STALE
        assert "not safe to host" in overdue.reasons[0]


def test_replaced_sla_policy_version_makes_the_answer_stale(org_a: Any, actor: Any) -> None:
    with time_machine.travel(NOW, tick=False), org_scope(org_a):
        first = assessments.create_sla_policy_version(actor=actor, effective_from=NOW)
        entry = make_entry(actor)
        services.add_evidence(actor=actor, entry=entry, sla_policy=first)
        second = assessments.create_sla_policy_version(
            actor=actor, effective_from=NOW + dt.timedelta(days=7), high_due_hours=72
        )
        # A newer version not yet in force does not make the answer stale.
        assert entry_freshness(entry).state == FreshnessState.FRESH
        later = entry_freshness(entry, NOW + dt.timedelta(days=8))
        assert later.state == FreshnessState.STALE
        assert later.reasons == [
            f"SLA policy version {first.version} was replaced by version {second.version}."
        ]
