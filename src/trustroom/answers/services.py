"""Writes of the answer bank: entries and the records that back them. Keyword-only, `actor` first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from trustroom.answers.models import EVIDENCE_FIELDS, AnswerEntry, AnswerEvidence, AnswerVisibility
from trustroom.assessments.models import Application, SlaPolicy
from trustroom.audit.services import record_event
from trustroom.compliance.models import Certification, ComplianceStatement
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.tenancy.selectors import membership_in

MAX_VARIANTS = 50
MAX_TAGS = 20
ENTRY_FIELDS = (
    "key",
    "question",
    "variants",
    "short_answer",
    "detailed_answer",
    "tags",
    "visibility",
    "owner",
    "next_review_on",
)
EVIDENCE_MODELS: dict[str, type[Any]] = {
    "statement": ComplianceStatement,
    "certification": Certification,
    "sla_policy": SlaPolicy,
    "application": Application,
}


def one_line(value: str | None) -> str:
    """`value` on one line: runs of whitespace (newlines, tabs) become one space; ends trimmed."""
    return " ".join((value or "").split())


def clean_variants(variants: Iterable[str] | str | None, *, question: str = "") -> list[str]:
    """Phrasings (a list, or text with one per line): whitespace collapsed, blanks dropped, and duplicates
    (ignoring case, and the main question itself) dropped, first one kept."""
    if variants is None:
        return []
    items = variants.splitlines() if isinstance(variants, str) else list(variants)
    seen = {question.casefold()} if question else set()
    cleaned: list[str] = []
    for item in items:
        text = one_line(str(item))
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            cleaned.append(text)
    return cleaned


def clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Tags (a list, or comma-separated text): lowercase, stripped, blanks and duplicates dropped, sorted."""
    if tags is None:
        return []
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    return sorted({one_line(str(t)).lower() for t in items if str(t).strip()})


def _validate(values: dict[str, Any], *, entry_pk: int | None) -> None:
    errors: dict[str, str] = {}
    key = values["key"]
    if not key:
        errors["key"] = "Give a key (letters, digits, hyphens), e.g. encryption-at-rest."
    else:
        try:
            validate_slug(key)
        except ValidationError:
            errors["key"] = "Use only letters, digits, hyphens and underscores in the key."
        if len(key) > 80:
            errors["key"] = "Keep the key to at most 80 characters."
        elif "key" not in errors:
            same_key = AnswerEntry.objects.filter(key=key)
            if entry_pk is not None:
                same_key = same_key.exclude(pk=entry_pk)
            if same_key.exists():
                errors["key"] = "The organization already has an answer with this key."
    if not values["question"]:
        errors["question"] = "Give the question."
    elif len(values["question"]) > 500:
        errors["question"] = "Keep the question to at most 500 characters."
    if len(values["variants"]) > MAX_VARIANTS:
        errors["variants"] = f"List at most {MAX_VARIANTS} variants."
    elif any(len(v) > 500 for v in values["variants"]):
        errors["variants"] = "Keep each variant to at most 500 characters."
    if not values["short_answer"]:
        errors["short_answer"] = "Give a short answer."
    elif len(values["short_answer"]) > 300:
        errors["short_answer"] = "Keep the short answer to at most 300 characters."
    if len(values["tags"]) > MAX_TAGS:
        errors["tags"] = f"Use at most {MAX_TAGS} tags."
    elif any(len(t) > 40 for t in values["tags"]):
        errors["tags"] = "Keep each tag to at most 40 characters."
    if values["visibility"] not in AnswerVisibility.values:
        errors["visibility"] = f"Visibility must be one of: {', '.join(AnswerVisibility.values)}."
    owner = values["owner"]
    if owner is not None and membership_in(owner, require_org()) is None:
        errors["owner"] = "Choose a member of the organization."
    review = values["next_review_on"]
    if review is not None and (not isinstance(review, dt.date) or isinstance(review, dt.datetime)):
        errors["next_review_on"] = "Give a date (YYYY-MM-DD)."
    if errors:
        raise ValidationError(errors)


def _normalized(name: str, value: Any, question: str) -> Any:
    if name in ("key", "detailed_answer"):
        return (value or "").strip()
    if name in ("question", "short_answer"):
        return one_line(value)
    if name == "variants":
        return clean_variants(value, question=question)
    if name == "tags":
        return clean_tags(value)
    return value


def _invalidate_trust_center() -> None:
    """Public entries form the trust center's FAQ: drop its cached pages once the write is committed."""
    from trustroom.trustcenter.cache import invalidate_trust_center

    organization_id = require_org().pk
    transaction.on_commit(lambda: invalidate_trust_center(organization_id), robust=True)


def _json(value: Any) -> Any:
    if hasattr(value, "email"):
        return value.email
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def create_entry(
    *,
    actor: Principal,
    key: str,
    question: str,
    short_answer: str,
    variants: Iterable[str] | str | None = None,
    detailed_answer: str = "",
    tags: Iterable[str] | str | None = None,
    visibility: str = AnswerVisibility.PRIVATE,
    owner: Any = None,
    next_review_on: dt.date | None = None,
) -> AnswerEntry:
    policies.check(actor, "add", AnswerEntry)
    given = {
        "key": key,
        "question": question,
        "variants": variants,
        "short_answer": short_answer,
        "detailed_answer": detailed_answer,
        "tags": tags,
        "visibility": visibility,
        "owner": owner,
        "next_review_on": next_review_on,
    }
    main = one_line(question)
    values = {name: _normalized(name, value, main) for name, value in given.items()}
    _validate(values, entry_pk=None)
    entry = AnswerEntry.objects.create(**values)
    changes = {n: [None, _json(v)] for n, v in values.items() if v not in (None, "", [])}
    record_event(actor=actor, action="answer_entry.created", target=entry, changes=changes)
    _invalidate_trust_center()
    return entry


@transaction.atomic
def update_entry(*, actor: Principal, entry: AnswerEntry, **updates: Any) -> AnswerEntry:
    """Change some fields of an entry (any of ENTRY_FIELDS)."""
    policies.check(actor, "change", entry)
    unknown = sorted(set(updates) - set(ENTRY_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    entry = AnswerEntry.objects.select_for_update().get(pk=entry.pk)
    values = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    values.update(updates)
    main = one_line(values["question"])
    values = {name: _normalized(name, value, main) for name, value in values.items()}
    _validate(values, entry_pk=entry.pk)
    changes: dict[str, Any] = {}
    for name in ENTRY_FIELDS:
        old, new = getattr(entry, name), values[name]
        if _json(old) != _json(new):
            changes[name] = [_json(old), _json(new)]
            setattr(entry, name, new)
    if not changes:
        return entry
    entry.save()
    record_event(actor=actor, action="answer_entry.updated", target=entry, changes=changes)
    _invalidate_trust_center()
    return entry


@transaction.atomic
def delete_entry(*, actor: Principal, entry: AnswerEntry) -> None:
    policies.check(actor, "delete", entry)
    record_event(
        actor=actor,
        action="answer_entry.deleted",
        target=entry,
        changes={"key": entry.key, "question": entry.question},
    )
    entry.delete()
    _invalidate_trust_center()


@transaction.atomic
def add_evidence(*, actor: Principal, entry: AnswerEntry, **record: Any) -> AnswerEvidence:
    """Link one backing record to an entry: exactly one of statement=, certification=, sla_policy=,
    application=, of the entry's organization. Linking the same record twice returns the existing link."""
    policies.check(actor, "add", AnswerEvidence)
    policies.check(actor, "change", entry)
    unknown = sorted(set(record) - set(EVIDENCE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a kind of backing record."))
    given = {name: value for name, value in record.items() if value is not None}
    if len(given) != 1:
        raise ValidationError(
            {"record": f"Give exactly one backing record: one of {', '.join(EVIDENCE_FIELDS)}."}
        )
    ((name, value),) = given.items()
    org = require_org()
    model = EVIDENCE_MODELS[name]
    if (
        not isinstance(value, model)
        or value.pk is None
        or value.organization_id != org.pk
        or not model.objects.filter(pk=value.pk).exists()
    ):
        raise ValidationError({name: f"Choose a {model._meta.verbose_name} of the organization."})
    entry = AnswerEntry.objects.get(pk=entry.pk)  # the entry must be of this organization too
    existing = AnswerEvidence.objects.filter(entry=entry, **{name: value}).first()
    if existing is not None:
        return existing
    evidence = AnswerEvidence.objects.create(entry=entry, **{name: value})
    record_event(
        actor=actor,
        action="answer_entry.evidence_added",
        target=entry,
        changes={"kind": name, "record_id": value.pk, "record": str(value)[:200]},
    )
    _invalidate_trust_center()
    return evidence


@transaction.atomic
def remove_evidence(*, actor: Principal, evidence: AnswerEvidence) -> None:
    policies.check(actor, "delete", evidence)
    evidence = AnswerEvidence.objects.select_related("entry").get(pk=evidence.pk)
    record_event(
        actor=actor,
        action="answer_entry.evidence_removed",
        target=evidence.entry,
        changes={"kind": evidence.kind, "record_id": getattr(evidence, f"{evidence.kind}_id")},
    )
    evidence.delete()
    _invalidate_trust_center()
