"""Text normalization for questionnaire matching: Unicode-aware word tokens, stop words, light stemming,
and a small set of general security-domain synonyms folded to one canonical token each."""

from __future__ import annotations

import re
import unicodedata

# Phrases folded to one canonical token before tokenizing, so "2FA", "two-factor" and "MFA" match.
# Kept small and general (terms any security questionnaire uses), not tuned to one question set.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mfa": (
        "multi factor authentication",
        "multi factor",
        "multifactor",
        "two factor authentication",
        "two factor",
        "2fa",
        "2 step verification",
        "two step verification",
        "mfa",
    ),
    "sso": ("single sign on", "single signon", "saml", "oidc", "openid connect", "sso"),
    "disasterrecovery": ("disaster recovery", "dr plan", "drp", "dr"),
    "bcp": ("business continuity", "bcp", "bcm"),
    "pentest": (
        "penetration testing",
        "penetration tests",
        "penetration test",
        "pen testing",
        "pen tests",
        "pen test",
        "pentesting",
        "pentests",
        "pentest",
        "vapt",
        "ethical hacking",
    ),
    "vulndisclosure": (
        "responsible disclosure",
        "coordinated disclosure",
        "vulnerability disclosure",
        "bug bounty",
        "bug bounties",
        "vdp",
    ),
    "soc2": ("soc 2", "soc2", "soc ii", "soc two"),
    "type2": ("type ii", "type 2", "type two"),
    "iso27001": ("iso iec 27001", "iso 27001", "27001"),
    "pcidss": ("pci dss", "pci", "cardholder", "credit card", "card data", "payment card"),
    "hipaa": ("hipaa", "protected health information", "phi"),
    "gdpr": ("general data protection regulation", "gdpr"),
    "ccpa": ("california consumer privacy act", "ccpa", "cpra"),
    "coppa": ("children s online privacy protection", "coppa"),
    "tls": ("transport layer security", "tls", "ssl", "https"),
    "atrest": ("at rest",),
    "intransit": ("in transit", "over the wire", "over the network"),
    "ipallowlist": (
        "ip allowlisting",
        "ip allowlist",
        "ip whitelisting",
        "ip whitelist",
        "allowlisting",
        "allowlist",
        "whitelisting",
        "whitelist",
        "ip ranges",
        "ip range",
        "ip addresses",
        "ip address",
    ),
    "tenant": ("multi tenant", "multitenant", "multi tenancy", "tenants", "tenant"),
    "owasp": ("owasp top 10", "owasp top ten", "owasp"),
    "thirdparty": ("third parties", "third party", "3rd party", "3rd parties"),
    "preprod": ("pre production", "preproduction", "pre prod", "preprod", "staging", "non production"),
    "production": ("production", "prod"),
    "isolate": (
        "separated",
        "separation",
        "separate",
        "segregated",
        "segregation",
        "segregate",
        "isolated",
        "isolation",
        "isolate",
        "isolating",
        "apart",
    ),
    "xss": ("cross site scripting", "xss"),
    "sqli": ("sql injection", "sqli"),
    "staff": ("employees", "employee", "staff members", "staff", "personnel", "workforce", "workers"),
}

# Question filler and function words: they carry no topic.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "into",
        "about",
        "over",
        "under",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "can",
        "could",
        "would",
        "should",
        "shall",
        "will",
        "may",
        "might",
        "must",
        "you",
        "your",
        "yours",
        "we",
        "our",
        "ours",
        "us",
        "i",
        "me",
        "my",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "any",
        "all",
        "each",
        "every",
        "some",
        "such",
        "no",
        "not",
        "than",
        "then",
        "so",
        "also",
        "please",
        "describe",
        "explain",
        "provide",
        "detail",
        "details",
        "tell",
        "share",
        "list",
        "confirm",
        "kindly",
        "organization",
        "organisation",
        "company",
        "vendor",
        "yes",
        "currently",
        "ever",
        "just",
    ]
)
# Framing words any questionnaire question may use ("Do you maintain a documented policy..."): no topic.
GENERIC_WORDS = frozenset(
    [
        "maintain",
        "maintains",
        "ensure",
        "implement",
        "implemented",
        "established",
        "formal",
        "formally",
        "documented",
        "compliant",
        "comply",
        "compliance",
        "policy",
        "policies",
        "procedure",
        "procedures",
        "process",
        "processes",
        "program",
        "programme",
        "practice",
        "practices",
        "place",
    ]
)
_IGNORED = STOP_WORDS | GENERIC_WORDS

_WORD = re.compile(r"\w+", re.UNICODE)
_SEPARATORS = re.compile("[-_/'\u2019.]")


def _build_synonym_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    lookup: dict[str, str] = {}
    for canonical, phrases in _SYNONYMS.items():
        for phrase in phrases:
            lookup[phrase] = canonical
    # Longest phrases first so "multi factor authentication" wins over "multi factor".
    alternatives = sorted(lookup, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in alternatives) + r")\b")
    return pattern, lookup


_SYNONYM_PATTERN, _SYNONYM_LOOKUP = _build_synonym_pattern()
CANONICAL_TOKENS = frozenset(_SYNONYMS)


def normalize(text: str) -> str:
    """Lowercase, Unicode-normalized text with separators turned to spaces and synonyms folded."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _SEPARATORS.sub(" ", folded)
    folded = " ".join(_WORD.findall(folded))
    return _SYNONYM_PATTERN.sub(lambda m: _SYNONYM_LOOKUP[m.group(0)], folded)


_SUFFIXES: tuple[tuple[str, str], ...] = (
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
    return [stem(word) for word in normalize(text).split() if word not in _IGNORED]
