"""Disclosure programs, reports and researchers as the tests need them (through the services)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone

from tests.factories import OrganizationFactory, member, principal_for
from trustroom.disclosure import services
from trustroom.disclosure.models import DisclosurePolicy, DisclosureReport
from trustroom.tenancy.models import Organization
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import org_scope

REWARDS = {
    "critical": {"eligible": True, "amount": "3000", "currency": "USD"},
    "high": {"eligible": True, "amount": "1000", "currency": "USD"},
    "medium": {"eligible": True, "amount": "250", "currency": "USD"},
    "low": {"eligible": False},
}


def org_with_owner(slug: str = "acme") -> tuple[Organization, Any, Principal]:
    org = OrganizationFactory(slug=slug, name=f"{slug.title()} Inc")
    owner = member(org, email=f"owner@{slug}.test")
    return org, owner, principal_for(owner, org)


def publish_policy(org: Organization, actor: Principal, **changes: Any) -> DisclosurePolicy:
    values: dict[str, Any] = {
        "published": True,
        "contacts": ["mailto:security@acme.test", "https://acme.test/report"],
        "scope": "app.acme.test and api.acme.test",
        "policy_text": "Do not access other customers' data.",
        "preferred_languages": ["en", "de"],
        "rewards": REWARDS,
    }
    values.update(changes)
    with org_scope(org):
        return services.update_policy(actor=actor, **values)


def submit(org: Organization, client: Client | None = None, **fields: Any) -> Any:
    data = {
        "name": "Rita Researcher",
        "email": "rita@research.test",
        "title": "Stored XSS in profile",
        "description": "The display name is rendered unescaped.",
        "affected_asset": "https://app.acme.test/profile",
        "steps": "1. Set name to <script>alert(1)</script>",
        "severity_guess": "high",
    }
    data.update(fields)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the e-mail is sent once the report commits
        return (client or Client()).post(
            f"/trust/{org.slug}/disclosure/report/", data, REMOTE_ADDR="203.0.113.7"
        )


def post(path: str) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(path)


def link_from(message: Any, kind: str) -> str:
    found = re.search(rf"https?://\S+/disclosure/{kind}/\S+/", message.body)
    assert found, message.body
    return re.sub(r"^https?://[^/]+", "", found.group(0))


def verified_report(org: Organization, **fields: Any) -> tuple[DisclosureReport, str]:
    """A report submitted through the form and confirmed; returns it and its status link path."""
    mail.outbox.clear()
    assert submit(org, **fields).status_code == 200
    verify = link_from(mail.outbox[-1], "verify")
    assert post(verify).status_code == 200
    email = fields.get("email", "rita@research.test")
    status_path = link_from([m for m in mail.outbox if m.to == [email]][-1], "status")
    with org_scope(org):
        report = DisclosureReport.objects.order_by("-pk").first()
    assert report is not None
    return report, status_path


def now() -> dt.datetime:
    return timezone.now()
