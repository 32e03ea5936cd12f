"""Questionnaire writes: import (encrypted original, answered items), review, save back, atomicity, audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import load_workbook

from tests.answers.questionnaires.helpers import (
    csv_bytes,
    load_demo_bank,
    questions_csv,
    questions_xlsx,
)
from tests.factories import member, principal_for
from trustroom.answers.models import AnswerEntry, ItemStatus, Questionnaire, QuestionnaireItem
from trustroom.answers.questionnaires import exporting, services
from trustroom.answers.questionnaires.storage import original_file
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.vault.services import rotate_data_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(org_a: Any, owner_a: Any) -> Any:
    return principal_for(owner_a, org_a)


@pytest.fixture
def bank(org_a: Any, actor: Any) -> dict[str, AnswerEntry]:
    with org_scope(org_a):
        return load_demo_bank(actor)


def _import(org: Any, actor: Any, content: bytes, filename: str = "acme.csv", **fields: Any) -> Questionnaire:
    # A savepoint, so that a refused import leaves the test's transaction usable.
    with transaction.atomic(), org_scope(org):
        return services.import_questionnaire(actor=actor, content=content, filename=filename, **fields)


def _items(org: Any, questionnaire: Questionnaire) -> list[QuestionnaireItem]:
    with org_scope(org):
        return list(QuestionnaireItem.objects.filter(questionnaire=questionnaire).order_by("position"))


def test_import_answers_every_question_and_keeps_the_original_encrypted(
    org_a: Any, actor: Any, bank: Any
) -> None:
    content = questions_csv()
    questionnaire = _import(org_a, actor, content, title="Acme vendor review", customer="Acme Bank")
    items = _items(org_a, questionnaire)
    assert items[0].question == "How often are user access rights reviewed?"
    assert items[0].status == ItemStatus.GENERATED and items[0].entry_key == "access-review"
    assert items[0].answer.startswith(bank["access-review"].short_answer)
    assert items[2].status == ItemStatus.NEEDS_REVIEW and items[2].answer == "" and items[2].entry is None
    assert bytes(questionnaire.source_ciphertext) != content
    assert content not in bytes(questionnaire.source_ciphertext)
    with org_scope(org_a):
        assert original_file(questionnaire) == content
        event = AuditEvent.objects.get(action="questionnaire.imported")
    assert event.changes["questions"] == 3
    assert event.changes["customer"] == "Acme Bank"


def test_unreadable_file_is_refused_on_the_file_field_and_nothing_is_written(org_a: Any, actor: Any) -> None:
    content = csv_bytes([("1", "Sales", "Jane")], header=("Ref", "Owner", "Team"))
    with org_scope(org_a), pytest.raises(ValidationError) as error:
        # raised inside the scope: an exception leaving org_scope's atomic block breaks the test's transaction
        services.import_questionnaire(actor=actor, content=content, filename="people.csv")
    message = " ".join(error.value.message_dict["file"])
    assert "question" in message.lower() and "Owner" in message
    with org_scope(org_a):
        assert not Questionnaire.objects.exists()
        assert not QuestionnaireItem.objects.exists()
        assert not AuditEvent.objects.filter(action="questionnaire.imported").exists()


def test_oversized_and_empty_files_are_refused(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):  # raised inside the scope, so the test's transaction stays usable
        with pytest.raises(ValidationError) as error:
            services.import_questionnaire(
                actor=actor, content=b"x" * (services.MAX_UPLOAD_BYTES + 1), filename="acme.csv"
            )
        assert "MB" in " ".join(error.value.message_dict["file"])
        with pytest.raises(ValidationError) as error:
            services.import_questionnaire(actor=actor, content=b"", filename="acme.csv")
        assert error.value.message_dict["file"] == ["The file is empty."]


def test_a_viewer_cannot_import(org_a: Any) -> None:
    viewer = principal_for(member(org_a, "viewer"), org_a)
    with pytest.raises(PermissionDenied):
        _import(org_a, viewer, questions_csv())


def test_accept_and_reject(org_a: Any, actor: Any, bank: Any) -> None:
    questionnaire = _import(org_a, actor, questions_csv())
    first, _, third = _items(org_a, questionnaire)
    with org_scope(org_a):
        accepted = services.accept_item(actor=actor, item=first)
        assert accepted.status == ItemStatus.APPROVED and accepted.reviewed_at is not None
        with pytest.raises(ValidationError) as error:
            services.accept_item(actor=actor, item=third)  # no answer to accept
        assert "answer" in error.value.message_dict
        rejected = services.reject_item(actor=actor, item=accepted)
        assert rejected.answer == "" and rejected.entry is None and rejected.status == ItemStatus.NEEDS_REVIEW
        assert rejected.rejected_keys == ["access-review"]
        # answering again never brings back the rejected entry for this question
        services.reanswer_questionnaire(actor=actor, questionnaire=questionnaire)
        rejected.refresh_from_db()
        assert rejected.entry_key != "access-review"
        assert AuditEvent.objects.filter(action="questionnaire_item.rejected").count() == 1


def test_use_entry_chooses_a_bank_answer_of_this_organization_only(
    org_a: Any, org_b: Any, owner_b: Any, actor: Any, bank: Any
) -> None:
    questionnaire = _import(org_a, actor, questions_csv())
    third = _items(org_a, questionnaire)[2]
    with org_scope(org_b):
        foreign = load_demo_bank(principal_for(owner_b, org_b), keys=["gdpr"])["gdpr"]
    with org_scope(org_a):
        with pytest.raises(ValidationError):
            services.use_entry(actor=actor, item=third, entry=foreign)
        chosen = services.use_entry(actor=actor, item=third, entry=bank["gdpr"])
    assert chosen.entry_key == "gdpr" and chosen.status == ItemStatus.APPROVED
    assert chosen.answer.startswith(bank["gdpr"].short_answer)


def test_edit_saves_back_to_the_cited_entry(org_a: Any, actor: Any, bank: Any) -> None:
    questionnaire = _import(org_a, actor, questions_csv())
    first = _items(org_a, questionnaire)[0]
    with org_scope(org_a):
        result = services.edit_item(
            actor=actor,
            item=first,
            answer="Quarterly, by system owners.\n\nRevocations are tracked to completion.",
            save_to_bank="update",
        )
        entry = AnswerEntry.objects.get(key="access-review")
    assert result.item.status == ItemStatus.MANUAL
    assert entry.short_answer == "Quarterly, by system owners."
    assert entry.detailed_answer == "Revocations are tracked to completion."
    assert "How often are user access rights reviewed?" in entry.variants


def test_edit_saves_a_new_entry_and_a_bad_key_changes_nothing(org_a: Any, actor: Any, bank: Any) -> None:
    questionnaire = _import(org_a, actor, questions_csv())
    third = _items(org_a, questionnaire)[2]
    with org_scope(org_a):
        with pytest.raises(ValidationError) as error:
            services.edit_item(
                actor=actor, item=third, answer="Sixteen weeks.", save_to_bank="new", new_key="bad key!"
            )
        assert "key" in error.value.message_dict
        third.refresh_from_db()
        assert third.answer == "" and third.status == ItemStatus.NEEDS_REVIEW  # all or nothing
        result = services.edit_item(
            actor=actor, item=third, answer="Sixteen weeks.", save_to_bank="new", new_key="parental-leave"
        )
        assert result.entry is not None and result.entry.key == "parental-leave"
        assert result.item.entry_key == "parental-leave"
        assert AnswerEntry.objects.get(key="parental-leave").question == third.question
        with pytest.raises(ValidationError):
            services.edit_item(actor=actor, item=third, answer="   ")


def test_reanswer_leaves_reviewed_items_alone_and_uses_the_grown_bank(org_a: Any, actor: Any) -> None:
    with org_scope(org_a):
        load_demo_bank(actor, keys=["gdpr"])
    questionnaire = _import(org_a, actor, questions_csv())
    first, second, _ = _items(org_a, questionnaire)
    assert first.entry is None
    with org_scope(org_a):
        services.edit_item(actor=actor, item=second, answer="Yes: AES-256 everywhere.")
        load_demo_bank(actor, keys=["access-review", "encryption-at-rest"])
        changed = services.reanswer_questionnaire(actor=actor, questionnaire=questionnaire)
        first.refresh_from_db()
        second.refresh_from_db()
    assert changed >= 1
    assert first.entry_key == "access-review" and first.status == ItemStatus.GENERATED
    assert second.answer == "Yes: AES-256 everywhere." and second.status == ItemStatus.MANUAL


def test_export_csv_keeps_the_input_columns_and_adds_the_answer_columns(
    org_a: Any, actor: Any, bank: Any
) -> None:
    questionnaire = _import(org_a, actor, questions_csv())
    with org_scope(org_a):
        exported = exporting.export_questionnaire(actor=actor, questionnaire=questionnaire, kind="csv")
        assert AuditEvent.objects.filter(action="questionnaire.exported").count() == 1
    assert exported.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert list(rows[0]) == ["Ref", "Question", "Notes", "answer", "answer_key", "confidence", "status"]
    assert rows[0]["Ref"] == "Q1" and rows[0]["answer_key"] == "access-review"
    assert rows[2]["answer_key"] == "" and rows[2]["status"] == "needs_review"
    assert exported.filename == "acme-answered.csv"
    assert exported.content_type.startswith("text/csv")


def test_export_original_xlsx_writes_into_the_answer_column(org_a: Any, actor: Any, bank: Any) -> None:
    questionnaire = _import(org_a, actor, questions_xlsx(), filename="vendor.xlsx")
    with org_scope(org_a):
        exported = exporting.export_questionnaire(actor=actor, questionnaire=questionnaire, kind="original")
    sheet = load_workbook(io.BytesIO(exported.content))["Security"]
    assert sheet["A1"].value == "Vendor security assessment"
    assert sheet["B4"].value == "How often are user access rights reviewed?"
    assert str(sheet["C4"].value).startswith(bank["access-review"].short_answer)
    assert sheet["C6"].value in (None, "")
    assert exported.filename == "vendor-answered.xlsx"


def test_unknown_export_kind_is_refused(org_a: Any, actor: Any, bank: Any) -> None:
    questionnaire = _import(org_a, actor, questions_csv())
    with org_scope(org_a), pytest.raises(ValidationError):
        exporting.export_questionnaire(actor=actor, questionnaire=questionnaire, kind="pdf")


def test_data_key_rotation_re_encrypts_questionnaire_originals(org_a: Any, actor: Any, bank: Any) -> None:
    content = questions_csv()
    questionnaire = _import(org_a, actor, content)
    before = bytes(questionnaire.source_ciphertext)
    with org_scope(org_a):
        rotate_data_key(actor=actor)
        questionnaire.refresh_from_db()
        assert bytes(questionnaire.source_ciphertext) != before
        assert questionnaire.data_key.version == 2
        assert original_file(questionnaire) == content
        event = AuditEvent.objects.get(action="organization_key.rotated")
    assert event.changes["questionnaires_reencrypted"] == 1


def test_update_questionnaire_details(org_a: Any, actor: Any, bank: Any) -> None:
    questionnaire = _import(org_a, actor, questions_csv())
    with org_scope(org_a):
        with pytest.raises(ValidationError) as error:
            services.update_questionnaire(actor=actor, questionnaire=questionnaire, title="  ")
        assert "title" in error.value.message_dict
        updated = services.update_questionnaire(
            actor=actor, questionnaire=questionnaire, customer="Acme", due_on=dt.date(2027, 1, 15)
        )
    assert updated.customer == "Acme" and updated.due_on == dt.date(2027, 1, 15)


def test_delete_needs_a_manager(org_a: Any, actor: Any, bank: Any) -> None:
    questionnaire = _import(org_a, actor, questions_csv())
    editor = principal_for(member(org_a, "editor"), org_a)
    with org_scope(org_a):
        with pytest.raises(PermissionDenied):
            services.delete_questionnaire(actor=editor, questionnaire=questionnaire)
        services.delete_questionnaire(actor=actor, questionnaire=questionnaire)
        assert not QuestionnaireItem.objects.exists()
