"""Text normalization for questionnaire matching: Unicode-aware word tokens, stop words, light stemming,
and security-domain synonyms folded to one token each (the word lists are in vocabulary.py)."""

from __future__ import annotations

import re
import unicodedata

from trustroom.answers.matching.vocabulary import (
    COMMON_WORDS,
    CONCEPTS,
    EQUIVALENTS,
    GENERIC_WORDS,
    STOP_WORDS,
)

_IGNORED = STOP_WORDS | GENERIC_WORDS

_WORD = re.compile(r"\w+", re.UNICODE)
_SEPARATORS = re.compile("[-_/'\u2019.]")
# "US"/"U.S." in capitals is the country, not the pronoun "us" (a stop word): read before casefolding.
_US = re.compile(r"(?<![\w.])(?:U\.S\.A\.|U\.S\.|USA|US)(?![\w])")
# Bare numbers and versions ("TLS 1.2", "SSL v3", "24/7" once folded) say little about the topic, and a
# number the bank lacks would count as its rarest term; named ones ("SOC 2", "ISO 27001") are folded first.
_NUMBER = re.compile(r"v?\d+")


def _build_phrase_lookup() -> tuple[dict[tuple[str, ...], str], int]:
    lookup: dict[tuple[str, ...], str] = {}
    for groups in (CONCEPTS, EQUIVALENTS):
        for canonical, phrases in groups.items():
            for phrase in phrases:
                words = tuple(phrase.split())
                if lookup.setdefault(words, canonical) != canonical:
                    raise ValueError(f"vocabulary: {phrase!r} is in two synonym groups")
    return lookup, max(len(words) for words in lookup)


_PHRASES, _LONGEST_PHRASE = _build_phrase_lookup()
# Named concepts: kept whole by the stemmer and weighted double by the matcher's coverage.
CANONICAL_TOKENS = frozenset(CONCEPTS)


def _fold_phrases(words: list[str]) -> list[str]:
    """Replace each synonym phrase by its token, longest phrase first at each position."""
    folded: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(_LONGEST_PHRASE, len(words) - position), 0, -1):
            canonical = _PHRASES.get(tuple(words[position : position + size]))
            if canonical is not None:
                folded.append(canonical)
                position += size
                break
        else:
            folded.append(words[position])
            position += 1
    return folded


def normalize(text: str) -> str:
    """Lowercase, Unicode-normalized text with separators turned to spaces and synonyms folded."""
    folded = _US.sub(" usa ", unicodedata.normalize("NFKC", text)).casefold()
    folded = _SEPARATORS.sub(" ", folded)
    return " ".join(_fold_phrases(_WORD.findall(folded)))


_SUFFIXES: tuple[tuple[str, str], ...] = (
    # "certified", "certification", "certificate" -> "certify"; "recertified" -> "recertify".
    ("ifications", "ify"),
    ("ification", "ify"),
    ("ificates", "ify"),
    ("ificate", "ify"),
    ("ified", "ify"),
    ("ifies", "ify"),
    ("ational", "ate"),
    ("ization", "ize"),
    ("isation", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ities", "ity"),
    ("ies", "y"),
    ("sses", "ss"),
    ("ments", ""),
    ("ment", ""),
    ("ings", ""),
    ("ing", ""),
    ("ions", ""),
    ("ion", ""),
    ("edly", ""),
    ("ed", ""),
    ("ly", ""),
    ("als", ""),
    ("al", ""),
    ("es", ""),
    ("s", ""),
)


def stem(word: str) -> str:
    """A light suffix stripper: enough to join plural, -ing, -ed, -ion forms of one word."""
    if word in CANONICAL_TOKENS or len(word) <= 3 or word.isdigit():
        return word
    stripped, replacement = "", ""
    for suffix, candidate in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            stripped, replacement = suffix, candidate
            word = word[: len(word) - len(suffix)] + replacement
            break
    # "store"/"stored" -> "stor", "segregation"/"segregated" -> "segregat"; "employees" stays "employe".
    if len(word) > 4 and word.endswith("e") and (not stripped or replacement.endswith("e")):
        word = word[:-1]
    # "controlled" -> "control", "planning" -> "plan".
    if (
        stripped in ("ed", "ing", "ings", "edly")
        and len(word) > 3
        and word[-1] == word[-2]
        and word[-1] not in "sz"
    ):
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Stemmed content tokens of a text, in order (repeats kept: BM25 counts them)."""
    return [
        stem(word) for word in normalize(text).split() if word not in _IGNORED and not _NUMBER.fullmatch(word)
    ]


# Stems of the ordinary words (vocabulary.COMMON_WORDS) that the matcher weighs as common when the bank
# lacks them.
COMMON_TOKENS = frozenset(stem(word) for word in COMMON_WORDS)
