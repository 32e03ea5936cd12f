"""Offline questionnaire matching: a question to an answer-bank entry key, with a confidence, or abstain."""

from trustroom.answers.matching.matcher import (
    ANSWER_THRESHOLD,
    STATUS_GENERATED,
    STATUS_MANUAL,
    STATUS_NEEDS_REVIEW,
    BankEntry,
    Match,
    Matcher,
)
from trustroom.answers.matching.text import normalize, stem, tokenize

__all__ = [
    "ANSWER_THRESHOLD",
    "STATUS_GENERATED",
    "STATUS_MANUAL",
    "STATUS_NEEDS_REVIEW",
    "BankEntry",
    "Match",
    "Matcher",
    "normalize",
    "stem",
    "tokenize",
]
