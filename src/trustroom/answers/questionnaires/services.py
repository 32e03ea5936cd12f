"""Writes of questionnaires: import (parse, store, answer), review, save back to the bank, delete.

Keyword-only, `actor` first, policy-checked, audit-logged. Parsing an upload runs before any write, in
a resource-limited child process; then the questionnaire, its items and their proposed answers are
written in one transaction (nothing half-written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustroom.answers import services as bank
from trustroom.answers.models import (
    AnswerEntry,
    ItemStatus,
    Questionnaire,
    QuestionnaireFormat,
    QuestionnaireItem,
)
from trustroom.answers.questionnaires import formats
from trustroom.answers.questionnaires.answering import BankAnswerer, ProposedAnswer, answer_text
from trustroom.answers.questionnaires.formats.limits import MAX_FILE_BYTES
from trustroom.answers.questionnaires.storage import seal_source
from trustroom.answers.services import one_line
from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.vault import keys
from trustroom.vault.filenames import display_filename

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
MAX_ANSWER_CHARS = 20_000
SAVE_TO_BANK_CHOICES = ("", "update", "new")


def _apply(item: QuestionnaireItem, proposed: ProposedAnswer) -> None:
    item.answer = proposed.answer
    item.entry = proposed.entry
    item.entry_key = proposed.key
    item.suggestion = proposed.suggestion
    item.confidence = round(proposed.confidence, 4)
    item.status = proposed.status


def _validate_details(title: str, customer: str, due_on: dt.date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the questionnaire a title, e.g. Acme Bank vendor assessment 2026."
    elif len(title) > 200:
        errors["title"] = "Keep the title to at most 200 characters."
    if len(customer) > 200:
        errors["customer"] = "Keep the customer's name to at most 200 characters."
    if due_on is not None and (not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime)):
        errors["due_on"] = "Give a date (YYYY-MM-DD)."
    return errors


def import_questionnaire(
    *,
    actor: Principal,
    content: bytes,
    filename: str,
    title: str = "",
    customer: str = "",
    due_on: dt.date | None = None,
) -> Questionnaire:
    """Read an uploaded questionnaire (CSV, XLSX or VSAQ JSON), keep the file encrypted, and answer every
    question from the bank. Raises ValidationError (field `file` for an unreadable or hostile file)."""
    policies.check(actor, "add", Questionnaire)
    policies.check(actor, "add", QuestionnaireItem)
    filename = display_filename(filename)
    title = one_line(title) or one_line(filename.rsplit(".", 1)[0])
    customer = one_line(customer)
    errors = _validate_details(title, customer, due_on)
    if not content:
        errors["file"] = "The file is empty."
    elif len(content) > MAX_UPLOAD_BYTES:
        errors["file"] = (
            f"The file is {len(content) / 1024 / 1024:.1f} MB; at most "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB is allowed."
        )
    if errors:
        raise ValidationError(errors)
    try:
        parsed = formats.parse_untrusted(content, filename=filename)
    except formats.QuestionnaireFormatError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if not parsed.questions:
        raise ValidationError({"file": "The file holds no questions."})
    with transaction.atomic():
        return _create(
            actor=actor,
            parsed=parsed,
            content=content,
            filename=filename,
            title=title,
            customer=customer,
            due_on=due_on,
        )


def _create(
    *,
    actor: Principal,
    parsed: formats.ParsedQuestionnaire,
    content: bytes,
    filename: str,
    title: str,
    customer: str,
    due_on: dt.date | None,
) -> Questionnaire:
    org = require_org()
    org_key, data_key = keys.active_key(actor=actor)
    uid = uuid.uuid4()
    layouts = parsed.to_dict()["layouts"]
    questionnaire = Questionnaire.objects.create(
        organization=org,
        uid=uid,
        title=title,
        customer=customer,
        due_on=due_on,
        filename=filename,
        format=QuestionnaireFormat(parsed.format),
        source_ciphertext=seal_source(content, data_key=data_key, organization_id=org.pk, uid=str(uid)),
        source_size=len(content),
        source_sha256=hashlib.sha256(content).hexdigest(),
        data_key=org_key,
        layouts=layouts,
        skipped=[list(pair) for pair in parsed.skipped],
        created_by=actor.user if actor.is_member else None,
    )
    answerer = BankAnswerer.for_current_organization()
    items = []
    for question in parsed.questions:
        item = QuestionnaireItem(
            organization=org,
            questionnaire=questionnaire,
            position=question.position,
            sheet=question.sheet[:100],
            row=question.row,
            question_id=question.question_id[:200],
            section=question.section[:300],
            question=question.question,
            answer_cell=question.answer_cell or "",
            existing_answer=question.existing_answer,
            cells=list(question.cells),
        )
        _apply(item, answerer.propose(question.question))
        items.append(item)
    QuestionnaireItem.objects.bulk_create(items, batch_size=500)
    counts = _status_counts(items)
    record_event(
        actor=actor,
        action="questionnaire.imported",
        target=questionnaire,
        changes={
            "title": title,
            "customer": customer,
            "filename": filename,
            "format": parsed.format,
            "size_bytes": len(content),
            "sha256": questionnaire.source_sha256,
            "questions": len(items),
            **counts,
        },
    )
    return questionnaire


def _status_counts(items: Iterable[QuestionnaireItem]) -> dict[str, int]:
    counts = dict.fromkeys(ItemStatus.values, 0)
    for item in items:
        counts[item.status] += 1
    return counts


@transaction.atomic
def update_questionnaire(*, actor: Principal, questionnaire: Questionnaire, **updates: Any) -> Questionnaire:
    """Change the title, customer or due date."""
    policies.check(actor, "change", questionnaire)
    unknown = sorted(set(updates) - {"title", "customer", "due_on"})
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    title = one_line(updates.get("title", questionnaire.title))
    customer = one_line(updates.get("customer", questionnaire.customer))
    due_on = updates.get("due_on", questionnaire.due_on)
    values: dict[str, Any] = {"title": title, "customer": customer, "due_on": due_on}
    errors = _validate_details(title, customer, due_on)
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name, new in values.items():
        old = getattr(questionnaire, name)
        if old != new:
            changes[name] = [str(old) if old is not None else None, str(new) if new is not None else None]
            setattr(questionnaire, name, new)
    if changes:
        questionnaire.save()
        record_event(actor=actor, action="questionnaire.updated", target=questionnaire, changes=changes)
    return questionnaire


@transaction.atomic
def reanswer_questionnaire(*, actor: Principal, questionnaire: Questionnaire) -> int:
    """Answer again, from the bank as it is now, every item nobody has approved or written (e.g. after the
    bank grew). Approved and manual answers are left alone. Returns how many items changed."""
    policies.check(actor, "change", questionnaire)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    answerer = BankAnswerer.for_current_organization()
    changed = 0
    pending = QuestionnaireItem.objects.filter(
        questionnaire=questionnaire, status__in=[ItemStatus.GENERATED, ItemStatus.NEEDS_REVIEW]
    ).select_for_update()
    for item in pending:
        before = (item.answer, item.entry_id, item.suggestion_id, item.confidence, item.status)
        _apply(item, answerer.propose(item.question, excluded_keys=item.rejected_keys or ()))
        if (item.answer, item.entry_id, item.suggestion_id, item.confidence, item.status) != before:
            item.save()
            changed += 1
    record_event(
        actor=actor,
        action="questionnaire.reanswered",
        target=questionnaire,
        changes={"items_changed": changed},
    )
    return changed


def _locked_item(item: QuestionnaireItem) -> QuestionnaireItem:
    # Only the item's row is locked: PostgreSQL cannot lock the nullable side (entry) of an outer join.
    return (
        QuestionnaireItem.objects.select_for_update(of=("self",))
        .select_related("questionnaire", "entry")
        .get(pk=item.pk)
    )


def _save_review(
    item: QuestionnaireItem, *, actor: Principal, action: str, before: tuple[str, str], **extra: Any
) -> None:
    """Save a reviewer's change to an item and audit it: status and citation before → after."""
    item.reviewed_by = actor.user if actor.is_member else None
    item.reviewed_at = timezone.now()
    item.save()
    record_event(
        actor=actor,
        action=action,
        target=item.questionnaire,
        changes={
            "position": item.position,
            "status": [before[0], item.status],
            "entry_key": [before[1], item.entry_key],
            **extra,
        },
    )


@transaction.atomic
def accept_item(*, actor: Principal, item: QuestionnaireItem) -> QuestionnaireItem:
    """A reviewer accepts the answer as it stands (it must have one)."""
    policies.check(actor, "change", item)
    item = _locked_item(item)
    if not item.answer.strip():
        raise ValidationError({"answer": "There is no answer to accept: write one, or use a bank answer."})
    before = (item.status, item.entry_key)
    if item.status != ItemStatus.MANUAL:  # a person's own answer stays "manual" once accepted
        item.status = ItemStatus.APPROVED
    _save_review(item, actor=actor, action="questionnaire_item.accepted", before=before)
    return item


@transaction.atomic
def use_entry(*, actor: Principal, item: QuestionnaireItem, entry: AnswerEntry) -> QuestionnaireItem:
    """A reviewer answers the question with a bank entry of their choice (e.g. the suggestion): approved."""
    policies.check(actor, "change", item)
    item = _locked_item(item)
    chosen = AnswerEntry.objects.filter(pk=entry.pk).first() if entry.pk else None  # this org's only
    if chosen is None:
        raise ValidationError({"entry": "Choose an answer of the organization's bank."})
    entry = chosen
    before = (item.status, item.entry_key)
    item.entry, item.entry_key, item.answer = entry, entry.key, answer_text(entry)
    item.status = ItemStatus.APPROVED
    item.rejected_keys = [k for k in item.rejected_keys or [] if k != entry.key]
    _save_review(item, actor=actor, action="questionnaire_item.entry_chosen", before=before)
    return item


@transaction.atomic
def reject_item(*, actor: Principal, item: QuestionnaireItem) -> QuestionnaireItem:
    """A reviewer rejects the proposed answer: it is cleared, and its entry is not proposed again here."""
    policies.check(actor, "change", item)
    item = _locked_item(item)
    before = (item.status, item.entry_key)
    if item.entry_key and item.entry_key not in (item.rejected_keys or []):
        item.rejected_keys = [*(item.rejected_keys or []), item.entry_key]
    item.answer, item.entry, item.entry_key, item.confidence = "", None, "", 0.0
    item.status = ItemStatus.NEEDS_REVIEW
    _save_review(item, actor=actor, action="questionnaire_item.rejected", before=before)
    return item


def _split_answer(text: str) -> tuple[str, str]:
    """(short, detailed) from an answer as written: the first paragraph is the short answer if it fits."""
    first, _, rest = text.strip().partition("\n\n")
    first = one_line(first)
    if len(first) <= 300:
        return first, rest.strip()
    return first[:297].rstrip() + "…", text.strip()


@dataclass(frozen=True)
class EditResult:
    item: QuestionnaireItem
    entry: AnswerEntry | None  # the bank entry created or updated, if saved back


@transaction.atomic
def edit_item(
    *,
    actor: Principal,
    item: QuestionnaireItem,
    answer: str,
    save_to_bank: str = "",
    new_key: str = "",
    public: bool = False,
) -> EditResult:
    """A reviewer writes or edits the answer (status manual). Optionally saved back to the bank:
    `save_to_bank="update"` replaces the cited entry's answer and adds this question as a variant;
    `"new"` creates an entry `new_key` for this question. All or nothing."""
    policies.check(actor, "change", item)
    item = _locked_item(item)
    text = (answer or "").strip()
    if not text:
        raise ValidationError({"answer": "Write the answer (or reject the proposed one)."})
    if len(text) > MAX_ANSWER_CHARS:
        raise ValidationError({"answer": f"Keep the answer to at most {MAX_ANSWER_CHARS} characters."})
    if save_to_bank not in SAVE_TO_BANK_CHOICES:
        raise ValidationError(
            {"save_to_bank": "Choose to update the cited answer, create a new one, or neither."}
        )
    entry: AnswerEntry | None = None
    short, detailed = _split_answer(text)
    if save_to_bank == "update":
        if item.entry is None:
            raise ValidationError(
                {"save_to_bank": "This answer cites no bank entry to update; create a new one."}
            )
        cited = item.entry
        variants = list(cited.variants or [])
        if one_line(item.question).casefold() not in {
            one_line(v).casefold() for v in [cited.question, *variants]
        }:
            variants.append(one_line(item.question)[:500])
        entry = bank.update_entry(
            actor=actor, entry=cited, short_answer=short, detailed_answer=detailed, variants=variants
        )
    elif save_to_bank == "new":
        entry = bank.create_entry(
            actor=actor,
            key=(new_key or "").strip(),
            question=one_line(item.question)[:500],
            short_answer=short,
            detailed_answer=detailed,
            visibility="public" if public else "private",
        )
    before = (item.status, item.entry_key)
    item.answer = text
    if entry is not None:
        item.entry, item.entry_key = entry, entry.key
    item.status = ItemStatus.MANUAL
    _save_review(
        item,
        actor=actor,
        action="questionnaire_item.edited",
        before=before,
        saved_to_bank=save_to_bank or None,
    )
    return EditResult(item=item, entry=entry)


@transaction.atomic
def delete_questionnaire(*, actor: Principal, questionnaire: Questionnaire) -> None:
    policies.check(actor, "delete", questionnaire)
    record_event(
        actor=actor,
        action="questionnaire.deleted",
        target=questionnaire,
        changes={"title": questionnaire.title, "filename": questionnaire.filename},
    )
    questionnaire.delete()
