"""The pure rule matcher: each criterion, order, the stop flag and disabled rules (no database)."""

from __future__ import annotations

from trustroom.monitoring.routing import AlertFacts, RuleSpec, matching_rules, rule_matches

ALERT = AlertFacts(
    source_id=7,
    source_kind="guardduty",
    severity="high",
    type="UnauthorizedAccess:EC2/SSHBruteForce",
    resource_tags={"env": "prod", "team": "payments"},
)


def test_a_rule_without_criteria_matches_everything() -> None:
    assert rule_matches(RuleSpec(id=1), ALERT)


def test_sources_and_source_kinds() -> None:
    assert rule_matches(RuleSpec(id=1, source_ids=frozenset({7, 8})), ALERT)
    assert not rule_matches(RuleSpec(id=1, source_ids=frozenset({8})), ALERT)
    assert rule_matches(RuleSpec(id=1, source_kinds=frozenset({"guardduty"})), ALERT)
    assert not rule_matches(RuleSpec(id=1, source_kinds=frozenset({"asff", "generic"})), ALERT)
    orphan = AlertFacts(source_id=None, source_kind="generic", severity="low", type="t")
    assert not rule_matches(RuleSpec(id=1, source_ids=frozenset({7})), orphan)


def test_minimum_severity_admits_its_rank_and_above() -> None:
    assert rule_matches(RuleSpec(id=1, min_severity="high"), ALERT)
    assert rule_matches(RuleSpec(id=1, min_severity="medium"), ALERT)
    assert not rule_matches(RuleSpec(id=1, min_severity="critical"), ALERT)
    info = AlertFacts(source_id=7, source_kind="guardduty", severity="info", type="t")
    assert rule_matches(RuleSpec(id=1, min_severity="info"), info)
    assert not rule_matches(RuleSpec(id=1, min_severity="low"), info)


def test_type_pattern_is_a_case_sensitive_glob() -> None:
    assert rule_matches(RuleSpec(id=1, type_pattern="UnauthorizedAccess:*"), ALERT)
    assert rule_matches(RuleSpec(id=1, type_pattern="*SSH*"), ALERT)
    assert rule_matches(RuleSpec(id=1, type_pattern="UnauthorizedAccess:EC2/SSHBruteForce"), ALERT)
    assert not rule_matches(RuleSpec(id=1, type_pattern="unauthorizedaccess:*"), ALERT)
    assert not rule_matches(RuleSpec(id=1, type_pattern="Recon:*"), ALERT)


def test_every_tag_condition_must_match() -> None:
    assert rule_matches(RuleSpec(id=1, tag_conditions={"env": "prod"}), ALERT)
    assert rule_matches(RuleSpec(id=1, tag_conditions={"env": "prod", "team": "payments"}), ALERT)
    assert not rule_matches(RuleSpec(id=1, tag_conditions={"env": "prod", "team": "search"}), ALERT)
    assert not rule_matches(RuleSpec(id=1, tag_conditions={"owner": "prod"}), ALERT)
    assert not rule_matches(RuleSpec(id=1, tag_conditions={"env": "Prod"}), ALERT)


def test_all_criteria_together() -> None:
    spec = RuleSpec(
        id=1,
        source_kinds=frozenset({"guardduty"}),
        min_severity="high",
        type_pattern="UnauthorizedAccess:*",
        tag_conditions={"env": "prod"},
    )
    assert rule_matches(spec, ALERT)
    assert not rule_matches(spec, AlertFacts(7, "guardduty", "medium", ALERT.type, ALERT.resource_tags))


def test_order_stop_and_disabled() -> None:
    rules = [
        RuleSpec(id=1, enabled=False),
        RuleSpec(id=2, min_severity="critical", stop=True),  # does not match: no stop
        RuleSpec(id=3, tag_conditions={"env": "prod"}),
        RuleSpec(id=4, type_pattern="UnauthorizedAccess:*", stop=True),
        RuleSpec(id=5),  # after a matching stop rule: not reached
    ]
    assert [rule.id for rule in matching_rules(rules, ALERT)] == [3, 4]
    assert [rule.id for rule in matching_rules(list(reversed(rules)), ALERT)] == [5, 4]
    assert matching_rules([RuleSpec(id=1, enabled=False)], ALERT) == []
