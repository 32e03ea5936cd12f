"""Cross-tenant entries of access reviews, policy rules and imports (/o/<org_slug>/access/reviews/,
rules/, imports/ and their API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.security.cross_tenant import ORG, Route, obj
from trustroom.access.models import AccessGrant, AccessGroup, Environment, RevocationTask, System
from trustroom.access.services import imports, reviews, rules
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal


def _campaign_and(key: str, kwarg: str) -> Any:
    return lambda world: {"pk": world["access_review"], kwarg: world[key]}


ROUTES: dict[str, Route] = {
    "access:reviews": Route(ORG),
    "access:review-detail": Route(ORG, target=obj("access_review")),
    "access:review-decide": Route(ORG, target=_campaign_and("access_review_item", "item")),
    "access:review-close": Route(ORG, target=obj("access_review")),
    "access:review-export": Route(ORG, target=lambda world: {"pk": world["access_review"], "fmt": "csv"}),
    "access:review-revocation-confirm": Route(ORG, target=_campaign_and("access_revocation_task", "task")),
    "access:rules": Route(ORG),
    "access:rule-delete": Route(ORG, target=obj("access_policy_rule")),
    "access:rule-revocations": Route(ORG, target=obj("access_policy_rule")),
    "access:imports": Route(ORG),
    "access:import-detail": Route(ORG, target=obj("access_import")),
    "access:import-apply": Route(ORG, target=obj("access_import")),
    "access-review-schedule-detail": Route(ORG, api=True),
    "access-review-list": Route(ORG, api=True),
    "access-review-detail": Route(ORG, api=True, target=obj("access_review")),
    "access-review-close": Route(ORG, api=True, target=obj("access_review")),
    "access-review-assign-reviewer": Route(ORG, api=True, target=obj("access_review")),
    "access-review-export": Route(ORG, api=True, target=obj("access_review")),
    "access-review-item-list": Route(ORG, api=True),
    "access-review-item-detail": Route(ORG, api=True, target=obj("access_review_item")),
    "access-review-item-decide": Route(ORG, api=True, target=obj("access_review_item")),
    "access-policy-rule-list": Route(ORG, api=True),
    "access-policy-rule-detail": Route(ORG, api=True, target=obj("access_policy_rule")),
    "access-policy-rule-violations": Route(ORG, api=True),
    "access-policy-rule-open-revocations": Route(ORG, api=True, target=obj("access_policy_rule")),
    "access-import-list": Route(ORG, api=True),
    "access-import-detail": Route(ORG, api=True, target=obj("access_import")),
    "access-import-apply": Route(ORG, api=True, target=obj("access_import")),
}


def build_world(*, org: Organization, actor: Principal, label: str) -> dict[str, Any]:
    """A system with two grants under an open campaign (one revoked, with its open task), a violated
    rule and an unapplied import."""
    system = System.objects.create(name=f"{label} ledger", owner=actor.user)
    env = Environment.objects.create(system=system, kind="production")
    now = timezone.now()
    kept = AccessGrant.objects.create(
        environment=env, person_email=f"{label}-kept@example.test", privilege="admin", granted_at=now
    )
    AccessGrant.objects.create(
        environment=env, person_email=f"{label}-gone@example.test", privilege="read", granted_at=now
    )
    reviews.update_review_schedule(actor=actor, starts_at=now - dt.timedelta(days=30))
    campaign = reviews.open_campaign(actor=actor, name=f"{label} review", due_at=now + dt.timedelta(days=7))
    gone = campaign.items.get(person_email=f"{label}-gone@example.test")
    reviews.decide_item(actor=actor, item=gone, decision="revoke", comment=f"{label} left")
    task = RevocationTask.objects.get(grant_id=gone.grant_id)
    group = AccessGroup.objects.create(name=f"{label} ops")
    rule = rules.create_rule(actor=actor, name=f"{label} prod rule", allowed_group=group, max_people=1)
    content = f"email,system,environment,privilege\n{kept.person_email},{system.name},production,read\n"
    access_import = imports.create_import(actor=actor, source=f"{label} idp", content=content.encode())
    return {
        "access_review": campaign.pk,
        "access_review_item": campaign.items.get(person_email=kept.person_email).pk,
        "access_revocation_task": task.pk,
        "access_policy_rule": rule.pk,
        "access_import": access_import.pk,
    }
