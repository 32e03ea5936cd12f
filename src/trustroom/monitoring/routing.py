"""Which routing rules an alert matches: pure functions over plain values (no database, no clock).

Rules are tried in order; every enabled rule whose criteria all hold matches, and a matching rule with
`stop` ends the evaluation. An empty criterion matches everything: a rule with none routes every alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

# Lowest first: a minimum severity admits its own rank and every higher one.
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclass(frozen=True)
class AlertFacts:
    """What rules look at, from an alert (normalized or stored)."""

    source_id: int | None
    source_kind: str
    severity: str
    type: str
    resource_tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSpec:
    id: int
    enabled: bool = True
    source_ids: frozenset[int] = frozenset()
    source_kinds: frozenset[str] = frozenset()
    min_severity: str = ""
    type_pattern: str = ""
    tag_conditions: Mapping[str, str] = field(default_factory=dict)
    stop: bool = False


def rule_matches(rule: RuleSpec, alert: AlertFacts) -> bool:
    if not rule.enabled:
        return False
    if rule.source_ids and alert.source_id not in rule.source_ids:
        return False
    if rule.source_kinds and alert.source_kind not in rule.source_kinds:
        return False
    if rule.min_severity and SEVERITY_RANK.get(alert.severity, -1) < SEVERITY_RANK[rule.min_severity]:
        return False
    # Case-sensitive glob: finding types are case-sensitive names (`UnauthorizedAccess:EC2/SSHBruteForce`).
    if rule.type_pattern and not fnmatchcase(alert.type, rule.type_pattern):
        return False
    return all(alert.resource_tags.get(key) == value for key, value in rule.tag_conditions.items())


def matching_rules(rules: Iterable[RuleSpec], alert: AlertFacts) -> list[RuleSpec]:
    """The rules (in the given order) that route `alert`."""
    matched = []
    for rule in rules:
        if rule_matches(rule, alert):
            matched.append(rule)
            if rule.stop:
                break
    return matched
