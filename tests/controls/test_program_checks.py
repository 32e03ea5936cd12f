"""The checks that read other apps' records: certificates, DR drills, access reviews, MFA, findings SLA."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError

from tests.resilience.factories import make_drill, make_plan
from trustroom.controls import services
from trustroom.controls.models import Check
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
KINDS = (
    "certificate_freshness",
    "drill_recency",
    "access_review_completion",
    "mfa_coverage",
    "findings_past_sla",
)


def run_kind(actor: Any, kind: str, parameters: Any = None, *, now: dt.datetime | None = None) -> Any:
    check = services.create_check(
        actor=actor, name=kind, kind=kind, parameters={} if parameters is None else parameters
    )
    return services.run_check(actor=actor, check=check, now=now)


def test_drill_recency_follows_the_plans_cadence(actor: Any) -> None:
    with time_machine.travel(NOW - dt.timedelta(days=90), tick=False):
        plan = make_plan(actor)  # a drill every two months, none yet
    run = run_kind(actor, "drill_recency", now=NOW)
    assert run.outcome == "fail" and run.resources[0]["name"] == "Core API"
    assert run.resources[0]["reason"].startswith("never drilled; overdue")
    make_drill(actor, plan, started_at=NOW - dt.timedelta(days=5))
    Check.objects.all().delete()
    assert run_kind(actor, "drill_recency", now=NOW).outcome == "pass"


def test_mfa_coverage_lists_each_member(actor: Any, owner_a: Any) -> None:
    run = run_kind(actor, "mfa_coverage")
    assert run.outcome == "fail"
    assert run.resources == [
        {"type": "member", "id": str(owner_a.pk), "name": "owner@alpha.test", "region": "", "passed": False,
         "reason": "owner; no second factor"},
    ]  # fmt: skip
    Authenticator.objects.create(user=owner_a, type=Authenticator.Type.TOTP, data={})
    Check.objects.all().delete()
    assert run_kind(actor, "mfa_coverage").outcome == "pass"
    with pytest.raises(ValidationError) as refused:
        run_kind(actor, "mfa_coverage", {"roles": ["superuser"]})
    assert "parameters.roles" in refused.value.message_dict


def test_nothing_to_evaluate_fails_where_absence_is_a_gap(actor: Any) -> None:
    assert run_kind(actor, "certificate_freshness").summary == "No certification or report is recorded."
    assert run_kind(actor, "drill_recency").outcome == "fail"
    review = run_kind(actor, "access_review_completion")
    assert review.outcome == "fail" and review.resources[0]["reason"] == "none closed yet"
    findings = run_kind(actor, "findings_past_sla")  # no finding open is what the control asks for
    assert findings.outcome == "pass" and findings.resources == []


def test_parameters_are_refused_by_name(actor: Any) -> None:
    for kind, parameters, field in (
        ("access_review_completion", {"within_days": 0}, "parameters.within_days"),
        ("certificate_freshness", {"expiring_soon_fails": "yes"}, "parameters.expiring_soon_fails"),
        ("drill_recency", {"cadence": 3}, "parameters.cadence"),
        ("findings_past_sla", [], "parameters"),
    ):
        with pytest.raises(ValidationError) as refused:
            run_kind(actor, kind, parameters)
        assert field in refused.value.message_dict, kind


def test_every_kind_runs_over_the_demo_program() -> None:
    organization = load_demo().organization
    with org_scope(organization):
        actor = system_principal(organization)
        runs = {kind: run_kind(actor, kind) for kind in KINDS}
    for kind, run in runs.items():
        assert run.outcome in ("pass", "fail") and run.resources, (kind, run.summary)
    assert {r["type"] for run in runs.values() for r in run.resources} == {
        "certification", "dr_plan", "access_review", "member", "finding"
    }  # fmt: skip
    # The demo program: an expired ISO 27001:2013 certificate, nobody with MFA, findings past SLA; drills and
    # access reviews on time.
    assert {kind: run.outcome for kind, run in runs.items()} == {
        "certificate_freshness": "fail", "drill_recency": "pass", "access_review_completion": "pass",
        "mfa_coverage": "fail", "findings_past_sla": "fail",
    }  # fmt: skip
