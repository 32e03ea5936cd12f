"""A routing rule's type pattern is a glob whose regex metacharacters stay literal (ASVS V1.2.9)."""

from __future__ import annotations

from trustroom.monitoring.routing import AlertFacts, RuleSpec, rule_matches


def alert(type_name: str) -> AlertFacts:
    return AlertFacts(source_id=1, source_kind="generic", severity="high", type=type_name)


def test_regex_metacharacters_in_a_type_pattern_match_only_themselves() -> None:
    assert rule_matches(RuleSpec(id=1, type_pattern="Policy.S3+(x)|y^$"), alert("Policy.S3+(x)|y^$"))
    for other in ("PolicyXS3+(x)|y^$", "Policy.S33(x)|y^$", "y", "Policy.S3x"):
        assert not rule_matches(RuleSpec(id=1, type_pattern="Policy.S3+(x)|y^$"), alert(other)), other
    assert not rule_matches(RuleSpec(id=1, type_pattern=".*"), alert("anything"))
    assert rule_matches(RuleSpec(id=1, type_pattern=".*"), alert(".*"))
