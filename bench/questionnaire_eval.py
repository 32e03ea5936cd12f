"""Questionnaire matching evaluation on the shared dev set.

Answers every dev-set question (../shared/questionnaire/dev-set.csv; an empty expected_key means the right
outcome is to abstain) with the matcher over the demo bank, and prints the accuracy on answerable questions,
the correct-abstention rate, the wrong ones, and the seconds for the dev set and for 300 questions (the dev
set repeated and shuffled).

The `trustroom answers` CLI does not exist yet, so this calls `trustroom.answers.matching` directly; switch it
to the CLI once that lands. Goal: >= 95% correct, >= 90% correct abstentions, 300 questions in under 3 s.

Usage: python bench/questionnaire_eval.py [DEV_SET_CSV]
"""

from __future__ import annotations

import csv
import random
import sys
import time
from pathlib import Path

from trustroom.answers.bank_data import matching_entries
from trustroom.answers.matching import Matcher

DEFAULT_DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "questionnaire" / "dev-set.csv"
FALLBACK_DEV_SET = Path("/work/shared/questionnaire/dev-set.csv")


def load(path: Path) -> list[tuple[str, str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["id"], row["question"], row["expected_key"].strip()) for row in csv.DictReader(handle)]


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DEV_SET
    if not path.exists() and len(argv) <= 1:
        path = FALLBACK_DEV_SET
    rows = load(path)
    started = time.perf_counter()
    matcher = Matcher(matching_entries())
    build_seconds = time.perf_counter() - started

    started = time.perf_counter()
    matches = [matcher.answer(question) for _, question, _ in rows]
    dev_seconds = time.perf_counter() - started

    answerable = [(row, m) for row, m in zip(rows, matches, strict=True) if row[2]]
    unanswerable = [(row, m) for row, m in zip(rows, matches, strict=True) if not row[2]]
    correct = sum(1 for row, m in answerable if m.key == row[2])
    abstained = sum(1 for row, m in unanswerable if m.key is None)
    print(f"dev set: {path} ({len(rows)} questions, {len(answerable)} answerable)")
    if answerable:
        print(f"accuracy on answerable: {correct}/{len(answerable)} = {correct / len(answerable):.1%}")
    if unanswerable:
        print(f"correct abstentions: {abstained}/{len(unanswerable)} = {abstained / len(unanswerable):.1%}")
    for (qid, question, expected), m in zip(rows, matches, strict=True):
        if m.key != (expected or None):
            got = m.key or f"abstain (suggested {m.suggestion})"
            print(
                f"  WRONG {qid}: expected {expected or 'abstain'}, got {got} [{m.confidence:.2f}] {question}"
            )

    questions = [question for _, question, _ in rows]
    batch = (questions * (300 // len(questions) + 1))[:300]
    random.Random(5).shuffle(batch)
    started = time.perf_counter()
    for question in batch:
        matcher.answer(question)
    batch_seconds = time.perf_counter() - started
    print(
        f"seconds: index build {build_seconds:.4f}, dev set {dev_seconds:.4f}, "
        f"300 questions {batch_seconds:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
