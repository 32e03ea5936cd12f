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
        self._frequencies = [Counter(doc) for doc in documents]
        self._lengths = [len(doc) for doc in documents]
        count = len(documents)
        self.average_length = (sum(self._lengths) / count) if count else 0.0
        document_frequency: Counter[str] = Counter()
        for frequencies in self._frequencies:
            document_frequency.update(frequencies.keys())
        self._idf = {term: self._idf_for(df, count) for term, df in document_frequency.items()}
        # A term no document contains is as informative as the rarest possible one.
        self.unseen_idf = self._idf_for(0, count)

    @staticmethod
    def _idf_for(document_frequency: int, count: int) -> float:
        return math.log(1.0 + (count - document_frequency + 0.5) / (document_frequency + 0.5))

    def idf(self, term: str) -> float:
        return self._idf.get(term, self.unseen_idf)

    def scores(self, query: Sequence[str]) -> list[float]:
        terms = [t for t in dict.fromkeys(query) if t in self._idf]
        results = [0.0] * len(self._frequencies)
        if not terms or not self.average_length:
            return results
        for index, frequencies in enumerate(self._frequencies):
            norm = self.k1 * (1.0 - self.b + self.b * self._lengths[index] / self.average_length)
            total = 0.0
            for term in terms:
                tf = frequencies.get(term)
                if tf:
                    total += self._idf[term] * tf * (self.k1 + 1.0) / (tf + norm)
            results[index] = total
        return results
