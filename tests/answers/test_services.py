"""Answer bank writes: validation naming the field, normalization, uniqueness per org, evidence, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tests.answers.helpers import make_entry
from tests.compliance.helpers import builtin, make_cert
from tests.factories import member, principal_for
from trustroom.answers import services
from trustroom.answers.models import AnswerEntry, AnswerEvidence
from trustroom.audit.models import AuditEvent
from trustroom.compliance import services as compliance
from trustroom.tenancy.models import Role
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def make_statement(actor: Any) -> Any:
    return compliance.create_statement(
        actor=actor, framework=builtin("iso27001-2022"), status="compliant", summary="Certified"
    )


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


@pytest.fixture
def actor_b(org_b: Any, owner_b: Any) -> Any:
    return principal_for(owner_b, org_b)


def test_create_normalizes_variants_and_tags_and_is_audited(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        entry = make_entry(
            actor,
            question="  Do you encrypt   customer data at rest? ",
            variants=[
                "Is data encrypted at rest?",
                " ",
                "is data  encrypted at rest?",
                "Do you encrypt customer data at rest?",
            ],
            tags="Encryption, storage,encryption, ",
        )
        assert entry.question == "Do you encrypt customer data at rest?"
        assert entry.variants == ["Is data encrypted at rest?"]
        assert entry.tags == ["encryption", "storage"]
        event = AuditEvent.objects.get(action="answer_entry.created")
        assert event.target_id == str(entry.pk)
        assert event.changes["key"] == [None, "encryption-at-rest"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "not a slug!"}, "key"),
        ({"key": ""}, "key"),
        ({"question": "   "}, "question"),
        ({"short_answer": ""}, "short_answer"),
        ({"short_answer": "x" * 301}, "short_answer"),
        ({"visibility": "gated"}, "visibility"),
        ({"variants": ["v" * 501]}, "variants"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"next_review_on": "2027-01-01"}, "next_review_on"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    org_a: Any, actor: Any, fields: dict[str, Any], field: str
) -> None:
    with org_scope(org_a):
        with pytest.raises(ValidationError) as error:
            make_entry(actor, **fields)
        assert set(error.value.message_dict) == {field}
        assert not AnswerEntry.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="answer_entry").exists()


def test_owner_must_be_a_member(org_a: Any, actor: Any, owner_b: Any) -> None:
    with org_scope(org_a), pytest.raises(ValidationError) as error:
        make_entry(actor, owner=owner_b)
    assert set(error.value.message_dict) == {"owner"}


def test_key_is_unique_per_organization(org_a: Any, org_b: Any, actor: Any, actor_b: Any) -> None:
    with org_scope(org_a):
        make_entry(actor)
        with pytest.raises(ValidationError) as error:
            make_entry(actor, question="Another question?")
        assert set(error.value.message_dict) == {"key"}
        assert AnswerEntry.objects.count() == 1
        # The database constraint holds even when the service is bypassed.
        with transaction.atomic(), pytest.raises(IntegrityError):
            AnswerEntry.objects.create(key="encryption-at-rest", question="Q?", short_answer="A")
    with org_scope(org_b):
        assert make_entry(actor_b).key == "encryption-at-rest"


def test_update_records_changes_and_refuses_a_taken_key(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        entry = make_entry(actor)
        make_entry(actor, key="mfa", question="Do you enforce MFA?")
        with pytest.raises(ValidationError) as error:
            services.update_entry(actor=actor, entry=entry, key="mfa", short_answer="No.")
        assert set(error.value.message_dict) == {"key"}
        entry.refresh_from_db()
        assert entry.short_answer == "Yes, with AES-256."
        with pytest.raises(ValidationError) as error:
            services.update_entry(actor=actor, entry=entry, organization=None)
        assert set(error.value.message_dict) == {"organization"}
        services.update_entry(
            actor=actor, entry=entry, short_answer="Yes, AES-256-GCM.", next_review_on=dt.date(2027, 1, 1)
        )
        entry.refresh_from_db()
        assert entry.short_answer == "Yes, AES-256-GCM."
        event = AuditEvent.objects.get(action="answer_entry.updated")
        assert event.changes == {
            "short_answer": ["Yes, with AES-256.", "Yes, AES-256-GCM."],
            "next_review_on": [None, "2027-01-01"],
        }
        # Nothing changed: nothing recorded.
        services.update_entry(actor=actor, entry=entry, short_answer=" Yes,  AES-256-GCM. ")
        assert AuditEvent.objects.filter(action="answer_entry.updated").count() == 1


def test_evidence_of_another_organization_is_refused(
    org_a: Any, org_b: Any, actor: Any, actor_b: Any
) -> None:
    with org_scope(org_b):
        foreign = make_cert(actor_b)
    with org_scope(org_a):
        entry = make_entry(actor)
        with pytest.raises(ValidationError) as error:
            services.add_evidence(actor=actor, entry=entry, certification=foreign)
        assert set(error.value.message_dict) == {"certification"}
        assert not AnswerEvidence.objects.exists()
        own = make_cert(actor)
        evidence = services.add_evidence(actor=actor, entry=entry, certification=own)
        assert evidence.record == own
        assert evidence.kind == "certification"
        # The same record twice: the existing link.
        assert services.add_evidence(actor=actor, entry=entry, certification=own) == evidence
        assert AuditEvent.objects.filter(action="answer_entry.evidence_added").count() == 1


def test_evidence_needs_exactly_one_record(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        entry = make_entry(actor)
        cert = make_cert(actor)
        with pytest.raises(ValidationError) as error:
            services.add_evidence(actor=actor, entry=entry)
        assert set(error.value.message_dict) == {"record"}
        with pytest.raises(ValidationError) as error:
            services.add_evidence(actor=actor, entry=entry, certification=cert, application=cert)
        assert set(error.value.message_dict) == {"record"}
        with pytest.raises(ValidationError) as error:
            services.add_evidence(actor=actor, entry=entry, policy_document=cert)
        assert set(error.value.message_dict) == {"policy_document"}
        with pytest.raises(ValidationError) as error:
            services.add_evidence(actor=actor, entry=entry, application=cert)
        assert set(error.value.message_dict) == {"application"}
        assert not AnswerEvidence.objects.exists()
        # The database refuses a link without a record, or with two.
        with transaction.atomic(), pytest.raises(IntegrityError):
            AnswerEvidence.objects.create(entry=entry)
        statement = make_statement(actor)
        with transaction.atomic(), pytest.raises(IntegrityError):
            AnswerEvidence.objects.create(entry=entry, certification=cert, statement=statement)


def test_remove_evidence_and_delete_entry_are_audited(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        entry = make_entry(actor)
        evidence = services.add_evidence(actor=actor, entry=entry, certification=make_cert(actor))
        services.remove_evidence(actor=actor, evidence=evidence)
        assert not AnswerEvidence.objects.exists()
        removed = AuditEvent.objects.get(action="answer_entry.evidence_removed")
        assert removed.changes["kind"] == "certification"
        services.delete_entry(actor=actor, entry=entry)
        assert not AnswerEntry.objects.exists()
        assert AuditEvent.objects.get(action="answer_entry.deleted").changes["key"] == "encryption-at-rest"


def test_viewer_cannot_write_and_editor_cannot_delete(org_a: Any, actor: Any) -> None:
    viewer = principal_for(member(org_a, Role.VIEWER), org_a)
    editor = principal_for(member(org_a, Role.EDITOR), org_a)
    with org_scope(org_a):
        entry = make_entry(actor)
        cert = make_cert(actor)
        with pytest.raises(PermissionDenied):
            make_entry(viewer, key="other")
        with pytest.raises(PermissionDenied):
            services.update_entry(actor=viewer, entry=entry, short_answer="No.")
        with pytest.raises(PermissionDenied):
            services.add_evidence(actor=viewer, entry=entry, certification=cert)
        evidence = services.add_evidence(actor=editor, entry=entry, certification=cert)
        services.update_entry(actor=editor, entry=entry, short_answer="Yes.")
        with pytest.raises(PermissionDenied):
            services.remove_evidence(actor=editor, evidence=evidence)
        with pytest.raises(PermissionDenied):
            services.delete_entry(actor=editor, entry=entry)
        assert AnswerEntry.objects.filter(short_answer="Yes.").exists()
        assert AnswerEvidence.objects.count() == 1
