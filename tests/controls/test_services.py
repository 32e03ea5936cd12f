"""Writes of the controls app: validation by field, policies, audit events, the run-once claim."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.controls.factories import NOW, inventory, make_control, make_residency_check, requirement_ids
from tests.factories import member, principal_for
from trustroom.audit.models import AuditEvent
from trustroom.controls import services
from trustroom.controls.models import Check, CheckRun, Control, Evidence, RunTrigger
from trustroom.tenancy.principal import system_principal

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_one_control_satisfies_iso_and_soc2_requirements(actor: Any) -> None:
    ids = requirement_ids(("iso27001-2022", "A.8.14"), ("soc2-type2", "A1.3"))
    control = make_control(actor, requirements=ids)
    mapped = sorted(control.requirements.values_list("framework__code", flat=True))
    assert mapped == ["iso27001-2022", "soc2-type2"]
    event = AuditEvent.objects.get(action="control.created")
    assert event.changes["key"] == "DR-1" and len(event.changes["requirements"]) == 2
    services.update_control(actor=actor, control=control, requirements=ids[:1], name="Failover drilled")
    assert list(control.requirements.values_list("pk", flat=True)) == ids[:1]
    changes = AuditEvent.objects.get(action="control.updated").changes
    assert changes["name"] == ["Database failover is drilled", "Failover drilled"]
    assert changes["requirements"]["removed"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "not a key"}, "key"),
        ({"name": " "}, "name"),
        ({"frequency": "FREQ=DAILY;COUNT=2"}, "frequency"),
        ({"freshness_days": 0}, "freshness_days"),
        ({"requirements": [999_999]}, "requirements"),
    ],
)
def test_bad_control_input_is_named_and_nothing_is_written(
    actor: Any, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_control(actor, **fields)
    assert field in refused.value.message_dict
    assert not Control.objects.exists()


def test_control_keys_are_unique_per_organization(actor: Any) -> None:
    make_control(actor)
    with pytest.raises(ValidationError) as refused:
        make_control(actor, key="dr-1")
    assert "key" in refused.value.message_dict


def test_viewers_read_but_cannot_change(org_a: Any, actor: Any) -> None:
    viewer = principal_for(member(org_a, "viewer"), org_a)
    with pytest.raises(PermissionDenied):
        make_control(viewer)
    control = make_control(actor)
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=viewer, control=control, kind="link", url="https://wiki.example/x")
    check = make_residency_check(actor)
    with pytest.raises(PermissionDenied):
        services.run_check(actor=viewer, check=check)
    assert not Evidence.objects.exists() and not CheckRun.objects.exists()


def test_evidence_input_is_checked(actor: Any) -> None:
    control = make_control(actor)
    for fields, field in (
        ({"kind": "link", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "file"}, "document"),
        ({"kind": "check_result"}, "kind"),
        (
            {"kind": "link", "url": "https://x.example/", "expires_at": NOW - dt.timedelta(days=400)},
            "expires_at",
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            services.add_evidence(
                actor=actor, control=control, effective_at=NOW - dt.timedelta(days=1), **fields
            )
        assert field in refused.value.message_dict
    assert not Evidence.objects.exists()


def test_check_parameters_are_validated_per_kind(actor: Any) -> None:
    for parameters, field in (
        ({"allowed_regions": ["mumbai"]}, "parameters.allowed_regions"),
        ({"allowed_regions": ["xx-nowhere-9"]}, "parameters.allowed_regions"),
        ({"allowed_regions": []}, "parameters.allowed_regions"),
        ({"allowed_regions": ["ap-south-1"], "source": "ftp"}, "parameters.source"),
        ({"allowed_regions": ["ap-south-1"], "region": "x"}, "parameters.region"),
    ):
        with pytest.raises(ValidationError) as refused:
            make_residency_check(actor, parameters=parameters)
        assert field in refused.value.message_dict, parameters
    with pytest.raises(ValidationError) as refused:
        make_residency_check(actor, kind="astrology")
    assert "kind" in refused.value.message_dict
    assert not Check.objects.exists()


def test_a_run_stores_resources_and_evidence_on_every_fed_control(actor: Any) -> None:
    one, two = make_control(actor), make_control(actor, key="DATA-1", name="Data stays in Mumbai")
    check = make_residency_check(actor, controls=[one, two])
    services.import_snapshot(
        actor=actor,
        check=check,
        raw=inventory(
            ("AWS::RDS::DBCluster", "core-db", "ap-south-1"),
            ("AWS::RDS::DBCluster", "replica", "us-east-1"),
            ("AWS::EC2::VPC", "vpc-1", "us-east-1"),
        ),
    )
    run = services.run_check(actor=actor, check=check)
    assert run.outcome == "fail" and run.trigger == RunTrigger.MANUAL
    assert run.summary == "1 of 2 resources lie outside ap-south-1."
    assert [(r["name"], r["region"], r["passed"]) for r in run.resources] == [
        ("core-db", "ap-south-1", True),
        ("replica", "us-east-1", False),
    ]
    assert sorted(run.evidence.values_list("control__key", flat=True)) == ["DATA-1", "DR-1"]
    assert actions()[-1] == "check.run"


def test_a_snapshot_check_without_a_snapshot_is_an_error_run(actor: Any) -> None:
    run = services.run_check(actor=actor, check=make_residency_check(actor))
    assert run.outcome == "error" and "No inventory snapshot" in run.summary


def test_a_due_slot_runs_once_even_when_the_job_runs_twice(org_a: Any, actor: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        check = make_residency_check(actor)
    services.import_snapshot(actor=actor, check=check, raw=inventory(("AWS::S3::Bucket", "b", "ap-south-1")))
    system = system_principal(org_a)
    assert services.run_due_checks(actor=system, now=NOW + dt.timedelta(hours=23)) == []  # not due yet
    due = NOW + dt.timedelta(days=1, minutes=3)
    first = services.run_due_checks(actor=system, now=due)
    second = services.run_due_checks(actor=system, now=due + dt.timedelta(minutes=5))
    assert len(first) == 1 and second == []
    assert first[0].scheduled_for == NOW + dt.timedelta(days=1)
    # Two workers holding the same stale copy of the check: only one claim succeeds.
    stale = Check.objects.get(pk=check.pk)
    stale.claimed_slot = None
    assert services.claim_due_slot(stale, due) is None
    assert CheckRun.objects.count() == 1
    # The next day's slot is due again.
    assert len(services.run_due_checks(actor=system, now=due + dt.timedelta(days=1))) == 1


def test_disabled_checks_do_not_run_on_schedule(org_a: Any, actor: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        make_residency_check(actor, enabled=False)
    assert services.run_due_checks(actor=system_principal(org_a), now=NOW + dt.timedelta(days=2)) == []


def test_check_results_cannot_be_removed_by_hand(actor: Any) -> None:
    control = make_control(actor)
    check = make_residency_check(actor, controls=[control])
    [item] = services.run_check(actor=actor, check=check).evidence.all()
    with pytest.raises(ValidationError):
        services.remove_evidence(actor=actor, evidence=item)


def drill_report() -> bytes:
    from trustroom.vault.samples import sample_pdf

    return sample_pdf(title="Failover drill report", lines=["Restored in 35 minutes."])


@pytest.fixture
def foreign_document(org_b: Any, owner_b: Any) -> Any:
    """A document of Bravo Co's vault (made before the test enters Alpha Co's scope)."""
    from trustroom.tenancy.scope import org_scope
    from trustroom.vault.services import store_document

    with org_scope(org_b):
        actor = principal_for(owner_b, org_b)
        return store_document(actor=actor, title="Theirs", content=drill_report(), filename="theirs.pdf")


def test_a_vault_document_as_evidence(foreign_document: Any, actor: Any) -> None:
    from trustroom.vault.services import store_document

    control = make_control(actor)
    document = store_document(actor=actor, title="Drill report", content=drill_report(), filename="drill.pdf")
    item = services.add_evidence(actor=actor, control=control, kind="file", document=document, now=NOW)
    assert item.document == document and item.url == ""
    with pytest.raises(ValidationError) as refused:  # another organization's document
        services.add_evidence(actor=actor, control=control, kind="file", document=foreign_document)
    assert "document" in refused.value.message_dict


def test_a_check_that_breaks_is_an_error_run_not_a_crashed_job(actor: Any) -> None:
    control = make_control(actor)
    check = make_residency_check(actor, controls=[control])
    check.parameters = {"allowed_regions": "not a list"}  # stored data no longer valid for its kind
    check.save()
    run = services.run_check(actor=actor, check=check)
    assert run.outcome == "error" and run.summary.startswith("The check could not run (ValidationError)")
    assert run.evidence.get().control == control
