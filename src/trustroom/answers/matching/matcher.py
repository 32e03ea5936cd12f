"""Match a questionnaire question to an answer-bank entry, or abstain.

Ranking: Okapi BM25 (k1=1.2, b=0.75) over every field of every entry (its question, each variant, its tags),
an entry scoring by its best field plus a smaller share of its whole text (so an entry whose several
phrasings each cover part of the question still ranks). Lexical only: no embedding model (see
docs/questionnaire-matching.md for the evaluation that decided it).

Confidence (0-1) multiplies two things a wrong match lacks:
- coverage: the share of the question's information (IDF-weighted content terms) that the chosen entry
  contains. A term unknown to the bank counts as the rarest, unless it is an ordinary word of questionnaire
  prose (text.COMMON_TOKENS: "assigned", "according", "promptly"), which counts as a common one; a named
  domain concept ("SOC 2", "pen test", and also ones the bank may lack, such as "incident response")
  counts double. An off-topic question ("cyber insurance coverage") shares a word with some entry but its
  topic terms are not in the bank, so coverage stays low.
- separation: 0.7 + 0.3 * (top - runner-up) / top. Two entries nearly tied means an ambiguous question.
Minimum evidence: the question and the entry must share at least two topic terms (a named concept counts
as two; ordinary words count for nothing); otherwise the confidence is halved and capped below the
threshold, so a one-word coincidence ("founded" / "found") never answers.

Threshold: ANSWER_THRESHOLD = 0.45, first chosen on held-out batch 1 (tests/answers/paraphrases.py) as the
lowest threshold at which no paraphrase got a wrong key and no off-topic question an answer; rechecked
on batches 2-5 (none of them the dev set). Wrong answers cost more than abstentions, so the threshold sits
where the wrong ones stop. Below it the matcher abstains (key None, status "needs_review") and offers its
best candidate as `suggestion` for the reviewer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from trustroom.answers.matching.bm25 import BM25Index
from trustroom.answers.matching.text import CANONICAL_TOKENS, COMMON_TOKENS, tokenize

STATUS_GENERATED = "generated"  # matched with enough confidence to pre-fill the answer
STATUS_NEEDS_REVIEW = "needs_review"  # abstained: a person must answer or confirm
STATUS_MANUAL = "manual"  # written by a person (never produced by the matcher)

ANSWER_THRESHOLD = 0.45
WHOLE_ENTRY_WEIGHT = 0.3
CONCEPT_WEIGHT = 2.0
MIN_EVIDENCE = 2  # topic terms the question and the entry must share; a named concept counts as two


@dataclass(frozen=True)
class BankEntry:
    key: str
    question: str
    variants: tuple[str, ...] = ()
    short_answer: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    key: str | None
    confidence: float
    status: str
    suggestion: str | None = None  # best candidate when abstaining
    scores: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


class Matcher:
    def __init__(self, entries: Iterable[BankEntry], *, threshold: float = ANSWER_THRESHOLD) -> None:
        self.entries = list(entries)
        if not self.entries:
            raise ValueError("entries: the answer bank is empty")
        keys = [e.key for e in self.entries]
        if len(set(keys)) != len(keys):
            raise ValueError("entries: duplicate keys in the answer bank")
        self.threshold = threshold
        field_docs: list[list[str]] = []
        self._field_owner: list[int] = []
        whole_docs: list[list[str]] = []
        self._vocabulary: list[frozenset[str]] = []
        for index, entry in enumerate(self.entries):
            texts = [entry.question, *entry.variants]
            if entry.tags:
                texts.append(" ".join(entry.tags))
            whole: list[str] = []
            for text in texts:
                tokens = tokenize(text)
                field_docs.append(tokens)
                self._field_owner.append(index)
                whole.extend(tokens)
            whole_docs.append(whole)
            self._vocabulary.append(frozenset(whole))
        self._fields = BM25Index(field_docs)
        self._whole = BM25Index(whole_docs)

    def rank(self, question: str) -> list[tuple[float, int]]:
        """(score, entry index) best first."""
        return self._rank(tokenize(question))

    def coverage(self, question: str, index: int) -> float:
        return self._coverage(set(tokenize(question)), index)

    def evidence(self, question: str, index: int) -> int:
        """Topic terms the question shares with the entry, a named concept counting as two (ordinary
        words such as "against" or "within" are no evidence of a topic)."""
        return self._evidence(set(tokenize(question)), index)

    def answer(self, question: str) -> Match:
        query = tokenize(question)
        ranking = self._rank(query)
        top_score, top_index = ranking[0]
        if top_score <= 0.0:
            return Match(None, 0.0, STATUS_NEEDS_REVIEW)
        terms = set(query)
        runner_up = ranking[1][0] if len(ranking) > 1 else 0.0
        separation = 0.7 + 0.3 * (top_score - runner_up) / top_score
        confidence = round(self._coverage(terms, top_index) * separation, 4)
        key = self.entries[top_index].key
        if self._evidence(terms, top_index) < MIN_EVIDENCE:
            # One shared plain word ("Who founded the company?" vs "accounts found and disabled") is
            # too thin to answer from, however much of a short question it covers.
            confidence = round(min(confidence, self.threshold) / 2, 4)
        if confidence >= self.threshold:
            return Match(key, confidence, STATUS_GENERATED)
        return Match(None, confidence, STATUS_NEEDS_REVIEW, suggestion=key)

    def answer_all(self, questions: Sequence[str]) -> list[Match]:
        return [self.answer(q) for q in questions]

    def _rank(self, query: list[str]) -> list[tuple[float, int]]:
        best = [0.0] * len(self.entries)
        for owner, score in zip(self._field_owner, self._fields.scores(query), strict=True):
            if score > best[owner]:
                best[owner] = score
        whole = self._whole.scores(query)
        combined = [b + WHOLE_ENTRY_WEIGHT * w for b, w in zip(best, whole, strict=True)]
        return sorted(((s, i) for i, s in enumerate(combined)), reverse=True)

    def _weight(self, term: str) -> float:
        if term in CANONICAL_TOKENS:
            # A named domain concept ("SOC 2", "pen test", "SSO") is stronger evidence than a plain word.
            return self._whole.idf(term) * CONCEPT_WEIGHT
        if term in COMMON_TOKENS and not self._whole.knows(term):
            return self._whole.common_idf
        return self._whole.idf(term)

    def _coverage(self, terms: set[str], index: int) -> float:
        if not terms:
            return 0.0
        weights = {t: self._weight(t) for t in terms}
        total = sum(weights.values())
        present = sum(w for t, w in weights.items() if t in self._vocabulary[index])
        return present / total if total else 0.0

    def _evidence(self, terms: set[str], index: int) -> int:
        shared = (terms & self._vocabulary[index]) - COMMON_TOKENS
        return sum(2 if t in CANONICAL_TOKENS else 1 for t in shared)
