"""Demo Co's disclosure program: published policy with rewards, a triaged report with a finding and a
proposed reward, and a duplicate; idempotent."""

from __future__ import annotations

import pytest
from django.test import Client

from trustroom.disclosure.models import DisclosurePolicy, DisclosureReport, RewardEntry
from trustroom.tenancy.demo import load_demo
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return DisclosurePolicy.objects.count(), DisclosureReport.objects.count(), RewardEntry.objects.count()


def test_demo_disclosure_program_and_idempotent() -> None:
    org = load_demo().organization
    with org_scope(org):
        first = counts()
        policy = DisclosurePolicy.objects.get()
        original = DisclosureReport.objects.get(validity="valid")
        duplicate = DisclosureReport.objects.get(validity="duplicate")
        reward = RewardEntry.objects.get()
    assert first == (1, 2, 1)
    assert policy.published and policy.rewards["high"]["eligible"]
    assert original.severity == "high" and original.finding_id is not None
    assert duplicate.duplicate_of_id == original.pk
    assert (reward.status, str(reward.amount), reward.currency) == ("proposed", "1000.00", "USD")
    assert Client().get("/trust/demo-co/security.txt").status_code == 200
    assert Client().get("/trust/demo-co/disclosure/").status_code == 200
    load_demo()
    with org_scope(org):
        assert counts() == first
