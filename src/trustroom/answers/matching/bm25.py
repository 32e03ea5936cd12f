"""Okapi BM25 over short documents (one per bank entry field), pure Python."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence


class BM25Index:
    """BM25 (k1, b) over tokenized documents; `scores(query)` returns one score per document."""

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        count = len(documents)
        lengths = [len(doc) for doc in documents]
        self.average_length = (sum(lengths) / count) if count else 0.0
        self._count = count
        # Postings: term -> [(document, term frequency)], so a query only visits documents holding its terms.
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for index, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                self._postings.setdefault(term, []).append((index, tf))
        self._norms = [
            k1 * (1.0 - b + b * length / self.average_length) if self.average_length else k1
            for length in lengths
        ]
        self._idf = {term: self._idf_for(len(p), count) for term, p in self._postings.items()}
        # A term no document contains is as informative as the rarest possible one.
        self.unseen_idf = self._idf_for(0, count)
        # A term in half the documents: how much an ordinary word says.
        self.common_idf = self._idf_for(count // 2, count)

    @staticmethod
    def _idf_for(document_frequency: int, count: int) -> float:
        return math.log(1.0 + (count - document_frequency + 0.5) / (document_frequency + 0.5))

    def knows(self, term: str) -> bool:
        return term in self._idf

    def idf(self, term: str) -> float:
        return self._idf.get(term, self.unseen_idf)

    def scores(self, query: Sequence[str]) -> list[float]:
        results = [0.0] * self._count
        for term in dict.fromkeys(query):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self._idf[term]
            for index, tf in postings:
                results[index] += idf * tf * (self.k1 + 1.0) / (tf + self._norms[index])
        return results
