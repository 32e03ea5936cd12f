"""Shared helpers of the answer bank tests."""

from __future__ import annotations

from typing import Any

from trustroom.answers import services
from trustroom.answers.models import AnswerEntry
from trustroom.tenancy.principal import Principal


def make_entry(actor: Principal, **fields: Any) -> AnswerEntry:
    values: dict[str, Any] = {
        "key": "encryption-at-rest",
        "question": "Do you encrypt customer data at rest?",
        "short_answer": "Yes, with AES-256.",
        "tags": ["encryption"],
    }
    values.update(fields)
    return services.create_entry(actor=actor, **values)
