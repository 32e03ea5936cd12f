"""Notifiers and routing rules: validation (the SSRF guard above all), sealed secrets that never come
back, audit records, permissions, and key rotation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import member, principal_for
from tests.monitoring.routing_factories import PD_KEY, generic_source, pagerduty, rule, slack
from tests.monitoring.standin import StandIn
from trustroom.audit.models import AuditEvent
from trustroom.monitoring import notifier_secrets, notifiers, routing_services
from trustroom.monitoring.routing_models import Notifier, RoutingRule
from trustroom.tenancy.scope import org_scope
from trustroom.vault.services import rotate_data_key

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T0001/B0002/abcdefSECRETtoken1234"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.slack.com/services/T/B/x", "https"),
        ("https://evil.example.com/services/T/B/x", "only posts to these hosts"),
        ("https://169.254.169.254/latest/meta-data/", "only posts to these hosts"),
        ("https://hooks.slack.com.evil.example/services/x", "only posts to these hosts"),
        ("https://user:pass@hooks.slack.com/services/T/B/x", "user name or password"),
        ("https://evil.example@hooks.slack.com/services/T/B/x", "user name or password"),
        ("file:///etc/passwd", "https"),
        ("gopher://hooks.slack.com/x", "https"),
        ("https://hooks.slack.com/a b", "single URL"),
        ("", "Give the webhook URL"),
    ],
)
def test_the_ssrf_guard_refuses_webhook_urls(url: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        notifiers.check_webhook_url(url)


def test_the_ssrf_guard_allows_the_allow_list_only(settings: Any) -> None:
    assert notifiers.check_webhook_url(SLACK_URL) == SLACK_URL
    assert notifiers.check_webhook_url("https://HOOKS.slack.com/services/x")
    with pytest.raises(ValidationError, match="https"):
        notifiers.check_webhook_url("http://127.0.0.1:8080/hook")
    settings.TRUSTROOM_NOTIFIER_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.TRUSTROOM_NOTIFIER_ALLOW_HTTP = True
    assert notifiers.check_webhook_url("http://127.0.0.1:8080/hook")
    with pytest.raises(ValidationError, match="only posts to these hosts"):
        notifiers.check_webhook_url(SLACK_URL)  # no longer on the list


def test_the_guard_runs_again_before_each_send(settings: Any, standin: StandIn) -> None:
    outcome = notifiers.send_slack(standin.slack_url, {"text": "hi"})
    assert outcome.delivered
    settings.TRUSTROOM_NOTIFIER_ALLOWED_HOSTS = ["hooks.slack.com"]  # the allow-list changed since
    outcome = notifiers.send_slack(standin.slack_url, {"text": "hi"})
    assert (outcome.delivered, outcome.retry) == (False, False)
    assert "webhook URL refused" in outcome.error
    assert standin.slack_url not in outcome.error
    assert len(standin.slack) == 1


def test_a_slack_notifier_refuses_a_url_off_the_allow_list(org_a: Any, owner_a: Any) -> None:
    with org_scope(org_a), pytest.raises(ValidationError, match="only posts to these hosts"):
        routing_services.create_notifier(
            actor=principal_for(owner_a, org_a), name="x", kind="slack", webhook_url="https://10.0.0.1/hook"
        )
    with org_scope(org_a):
        assert not Notifier.objects.exists()


@pytest.mark.parametrize("key", ["", "short", PD_KEY + "x", PD_KEY[:-1] + "-"])
def test_routing_keys_are_32_letters_and_digits(key: str) -> None:
    with pytest.raises(ValidationError, match="32 letters and digits"):
        notifiers.check_routing_key(key)


def test_recipients_are_validated_and_bounded() -> None:
    assert notifiers.check_recipients("a@x.test; b@x.test,A@x.test") == ["a@x.test", "b@x.test"]
    with pytest.raises(ValidationError, match="not an e-mail address"):
        notifiers.check_recipients(["a@x.test", "nobody"])
    with pytest.raises(ValidationError, match="At most 20"):
        notifiers.check_recipients([f"p{i}@x.test" for i in range(21)])
    with pytest.raises(ValidationError, match="at least one"):
        notifiers.check_recipients([])


def test_secrets_are_sealed_shown_by_their_last_four_and_never_audited(org_a: Any, owner_a: Any) -> None:
    hook = slack(org_a, owner_a, SLACK_URL)
    on_call = pagerduty(org_a, owner_a)
    paging = rule(org_a, owner_a, on_call, routing_key="ABCDEFGHIJKLMNOPQRSTUVWXYZ123456")
    with org_scope(org_a):
        stored = {n.pk: n for n in Notifier.objects.all()}
        assert SLACK_URL not in stored[hook.pk].secret_sealed
        assert stored[hook.pk].secret_hint == "1234"
        assert notifier_secrets.notifier_secret(stored[hook.pk]) == SLACK_URL
        assert PD_KEY not in stored[on_call.pk].secret_sealed
        assert (
            notifier_secrets.rule_routing_key(RoutingRule.objects.get()) == "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456"
        )
        routing_services.update_notifier(
            actor=principal_for(owner_a, org_a), notifier=hook, webhook_url=SLACK_URL + "x"
        )
        audit = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    assert paging.routing_key_hint == "3456"
    for secret in (SLACK_URL, PD_KEY, "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456", "SECRETtoken"):
        assert secret not in audit
    assert "'webhook_url': 'changed'" in audit


def test_a_sealed_secret_does_not_open_on_another_record(org_a: Any, owner_a: Any) -> None:
    first = pagerduty(org_a, owner_a, name="one")
    second = pagerduty(org_a, owner_a, name="two", key="X" * 32)
    with org_scope(org_a):
        second.secret_sealed = first.secret_sealed
        with pytest.raises(Exception, match=r"(?i)decrypt|authentic|tag|open"):
            notifier_secrets.notifier_secret(second)


def test_rotating_the_data_key_reseals_notifier_secrets(org_a: Any, owner_a: Any) -> None:
    hook = slack(org_a, owner_a, SLACK_URL)
    paging = rule(org_a, owner_a, pagerduty(org_a, owner_a), routing_key="Z" * 32)
    with org_scope(org_a):
        rotate_data_key(actor=principal_for(owner_a, org_a))
        hook = Notifier.objects.get(pk=hook.pk)
        paging = RoutingRule.objects.get(pk=paging.pk)
        assert notifier_secrets.notifier_secret(hook) == SLACK_URL
        assert notifier_secrets.rule_routing_key(paging) == "Z" * 32


def test_rules_are_validated(org_a: Any, owner_a: Any) -> None:
    on_call = pagerduty(org_a, owner_a)
    hook = slack(org_a, owner_a, SLACK_URL)
    source = generic_source(org_a, owner_a)
    cases = [
        ({"min_severity": "apocalyptic"}, "min_severity"),
        ({"source_kinds": ["splunk"]}, "source_kinds"),
        ({"source_ids": [source.pk + 1000]}, "source_ids"),
        ({"tag_conditions": "no equals sign"}, "tag_conditions"),
        ({"tag_conditions": {"k": 5}}, "tag_conditions"),
        ({"type_pattern": "x" * 201}, "type_pattern"),
        ({"routing_key": "short"}, "routing_key"),
    ]
    for criteria, field in cases:
        with org_scope(org_a), pytest.raises(ValidationError) as refused:
            routing_services.create_rule(
                actor=principal_for(owner_a, org_a), name="r", notifier=on_call, **criteria
            )
        assert field in refused.value.message_dict, (criteria, refused.value)
    with org_scope(org_a), pytest.raises(ValidationError, match="Only rules that send to PagerDuty"):
        routing_services.create_rule(
            actor=principal_for(owner_a, org_a), name="r", notifier=hook, routing_key=PD_KEY
        )
    made = rule(
        org_a,
        owner_a,
        on_call,
        source_ids=[source.pk],
        source_kinds=["generic"],
        min_severity="high",
        type_pattern="net/*",
        tag_conditions="env = prod\nteam=payments\n",
    )
    assert made.tag_conditions == {"env": "prod", "team": "payments"}
    with org_scope(org_a):
        assert RoutingRule.objects.count() == 1


def test_rules_keep_their_order_and_move(org_a: Any, owner_a: Any) -> None:
    on_call = pagerduty(org_a, owner_a)
    first, second, third = (rule(org_a, owner_a, on_call, name=name) for name in ("a", "b", "c"))
    assert [first.position, second.position, third.position] == [0, 1, 2]
    with org_scope(org_a):
        routing_services.move_rule(actor=principal_for(owner_a, org_a), rule=third, direction="up")
        routing_services.move_rule(actor=principal_for(owner_a, org_a), rule=first, direction="up")  # no-op
        assert list(RoutingRule.objects.values_list("name", flat=True)) == ["a", "c", "b"]


def test_a_notifier_in_use_is_not_deleted(org_a: Any, owner_a: Any) -> None:
    on_call = pagerduty(org_a, owner_a)
    paging = rule(org_a, owner_a, on_call, name="Paging")
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        with pytest.raises(ValidationError, match="Rules still send to On-call: Paging"):
            routing_services.delete_notifier(actor=actor, notifier=on_call)
        routing_services.delete_rule(actor=actor, rule=paging)
        routing_services.delete_notifier(actor=actor, notifier=on_call)
        assert not Notifier.objects.exists()
        assert AuditEvent.objects.filter(action="notifier.deleted").exists()


@pytest.mark.parametrize("role", ["editor", "auditor", "viewer"])
def test_only_owners_and_admins_change_notifiers_and_rules(org_a: Any, owner_a: Any, role: str) -> None:
    on_call = pagerduty(org_a, owner_a)
    paging = rule(org_a, owner_a, on_call)
    actor = principal_for(member(org_a, role), org_a)
    with org_scope(org_a):
        for attempt in (
            lambda: routing_services.create_notifier(
                actor=actor, name="x", kind="pagerduty", routing_key=PD_KEY
            ),
            lambda: routing_services.update_notifier(actor=actor, notifier=on_call, enabled=False),
            lambda: routing_services.delete_notifier(actor=actor, notifier=on_call),
            lambda: routing_services.create_rule(actor=actor, name="x", notifier=on_call),
            lambda: routing_services.update_rule(actor=actor, rule=paging, enabled=False),
            lambda: routing_services.move_rule(actor=actor, rule=paging, direction="down"),
            lambda: routing_services.delete_rule(actor=actor, rule=paging),
        ):
            with pytest.raises(PermissionDenied):
                attempt()
        assert RoutingRule.objects.get().enabled
