"""Policy rules: validation, violations computed when read, policy revocation tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.access import factories as f
from tests.factories import member, principal_for
from trustroom.access import rules_state
from trustroom.access.models import AccessPolicyRule, RevocationTask
from trustroom.access.services import rules
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    billing = f.system(org_a, "Billing")
    crm = f.system(org_a, "CRM")
    prod = f.environment(org_a, billing, "production")
    staging = f.environment(org_a, billing, "staging")
    crm_prod = f.environment(org_a, crm, "production")
    devops = f.group(org_a, "DevOps", ["ops1@alpha.test", "OPS2@alpha.test"])
    f.grant(org_a, prod, "ops1@alpha.test", "admin")
    f.grant(org_a, prod, "ops2@alpha.test", "admin")  # case differs from the group: still a member
    intruder = f.grant(org_a, prod, "dev@alpha.test", "read")
    f.grant(org_a, staging, "dev@alpha.test", "write")  # staging: not matched by a production rule
    crm_grant = f.grant(org_a, crm_prod, "sales@alpha.test", "read")
    f.grant(org_a, prod, "left@alpha.test", revoked_at=timezone.now() - dt.timedelta(days=2))
    f.grant(org_a, prod, "temp@alpha.test", expires_at=timezone.now() - dt.timedelta(hours=1))
    return {
        "org": org_a,
        "owner": principal_for(owner_a, org_a),
        "billing": billing,
        "devops": devops,
        "intruder": intruder,
        "crm_grant": crm_grant,
    }


def test_rule_must_name_a_group_or_a_maximum(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        with pytest.raises(ValidationError) as error:
            rules.create_rule(actor=world["owner"], name="Production", environment_kind="production")
        assert "allowed_group" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            rules.create_rule(actor=world["owner"], name="", environment_kind="moon", max_people=-1)
        assert set(error.value.message_dict) == {"name", "environment_kind", "max_people"}
        assert not AccessPolicyRule.objects.exists()


def test_only_managers_write_rules(world: dict[str, Any], org_a: Any) -> None:
    editor = principal_for(member(org_a, "editor"), org_a)
    with org_scope(world["org"]), pytest.raises(PermissionDenied):
        rules.create_rule(actor=editor, name="x", max_people=3)


def test_violations_by_kind_group_and_count(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        by_kind = rules.create_rule(
            actor=world["owner"],
            name="Prod is DevOps only",
            environment_kind="production",
            allowed_group=world["devops"],
            max_people=2,
        )
        by_system = rules.create_rule(
            actor=world["owner"], name="Billing at most 3", system=world["billing"], max_people=3
        )
        found = {v.rule.pk: v for v in rules_state.violations()}
        kind = found[by_kind.pk]
        # Both production environments (Billing and CRM): dev and sales are outside DevOps.
        assert sorted(g.person_email for g in kind.out_of_group) == ["dev@alpha.test", "sales@alpha.test"]
        assert (kind.people, kind.over_max) == (4, 2)
        # Billing: ops1, ops2, dev (prod and staging count once) = 3 people: within its maximum.
        assert by_system.pk not in found
        rules.update_rule(
            actor=world["owner"],
            rule=by_kind,
            name="Prod is DevOps only",
            environment_kind="production",
            system=world["billing"],
            allowed_group=world["devops"],
            max_people=None,
        )
        (only,) = rules_state.violations()
        assert [g.person_email for g in only.out_of_group] == ["dev@alpha.test"]
        assert only.over_max == 0
        rules.update_rule(
            actor=world["owner"], rule=by_kind, name="off", allowed_group=world["devops"], enabled=False
        )
        assert rules_state.violations() == []
        assert AuditEvent.objects.filter(action="access.policy_rule_updated").count() == 2


def test_open_policy_revocations_once_per_grant(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        rule = rules.create_rule(
            actor=world["owner"], name="Prod", environment_kind="production", allowed_group=world["devops"]
        )
        opened = rules.open_policy_revocations(actor=world["owner"], rule=rule)
        assert sorted(t.grant.person_email for t in opened) == ["dev@alpha.test", "sales@alpha.test"]
        assert {t.reason for t in opened} == {"policy"}
        assert rules.open_policy_revocations(actor=world["owner"], rule=rule) == []
        assert RevocationTask.objects.count() == 2


def test_delete_rule_is_audited(world: dict[str, Any]) -> None:
    with org_scope(world["org"]):
        rule = rules.create_rule(actor=world["owner"], name="Max", max_people=1)
        rules.delete_rule(actor=world["owner"], rule=rule)
        assert not AccessPolicyRule.objects.exists()
        assert AuditEvent.objects.filter(action="access.policy_rule_deleted").count() == 1
