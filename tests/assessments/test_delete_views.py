"""The confirm pages and the API's DELETE for vendors, applications and engagements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.assessments.api_support import base, send, token_client
from tests.assessments.clients import body, logged_in
from tests.assessments.helpers import T0, application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Application, Engagement, Vendor
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

PAGES = "/o/alpha-co/assessments/"


@pytest.fixture
def records(org_a: Any, owner_a: Any) -> dict[str, Any]:
    """A free vendor, a free application, a planned engagement, and a completed one (with its vendor and
    application, which it keeps)."""
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        tested = application(actor, "Payments API")
        done = completed_engagement(actor, tested, end=T0, vendor_name="Sumasoft")
        free_vendor = services.create_vendor(actor=actor, name="Typo Labs")
        free_app = application(actor, "Never tested", criticality="low")
        plan = services.create_engagement(
            actor=actor,
            vendor=done.vendor,
            application=free_app,
            name="Planned by mistake",
            window_start=T0,
            window_end=T0 + dt.timedelta(days=3),
        )
    return {
        "tested": tested.pk,
        "done": done.pk,
        "used_vendor": done.vendor_id,
        "free_vendor": free_vendor.pk,
        "free_app": free_app.pk,
        "plan": plan.pk,
    }


def exists(org: Any, model: type[Any], pk: int) -> bool:
    with org_scope(org):
        return bool(model.objects.filter(pk=pk).exists())


# --- pages ------------------------------------------------------------------------------------------------


def test_confirm_page_shows_what_goes_and_post_deletes(org_a: Any, owner_a: Any, records: dict) -> None:
    client = logged_in(owner_a)
    url = f"{PAGES}engagements/{records['plan']}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Planned by mistake" in body(page) and "Never tested" in body(page)
    assert 'class="danger"' in body(page)
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"{PAGES}engagements/"
    assert "The engagement Planned by mistake was deleted." in body(response)
    assert not exists(org_a, Engagement, records["plan"])
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="engagement.delete").count() == 1

    for kind, model, key, name in (
        ("vendors", Vendor, "free_vendor", "Typo Labs"),
        ("applications", Application, "free_app", "Never tested"),
    ):
        response = client.post(f"{PAGES}{kind}/{records[key]}/delete/", follow=True)
        assert response.redirect_chain[-1][0] == f"{PAGES}{kind}/"
        assert f"{name} was deleted." in body(response)
        assert not exists(org_a, model, records[key])


@pytest.mark.parametrize(
    ("path", "key", "reason"),
    [
        ("engagements", "done", "evidence of the application"),
        ("vendors", "used_vendor", "engagements were held with this vendor"),
        ("applications", "tested", "It has 1 engagement."),
    ],
)
def test_confirm_page_says_why_not_and_post_is_refused(
    org_a: Any, owner_a: Any, records: dict, path: str, key: str, reason: str
) -> None:
    client = logged_in(owner_a)
    url = f"{PAGES}{path}/{records[key]}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    assert reason in body(page) and 'class="danger"' not in body(page)
    refused = client.post(url)
    assert refused.status_code == 400
    assert reason in body(refused)
    model = {"engagements": Engagement, "vendors": Vendor, "applications": Application}[path]
    assert exists(org_a, model, records[key])


def test_delete_links_only_for_managers(org_a: Any, owner_a: Any, records: dict) -> None:
    owner, editor = logged_in(owner_a), logged_in(member(org_a, "editor"))
    for url, link in (
        (f"{PAGES}vendors/{records['free_vendor']}/edit/", "/delete/"),
        (f"{PAGES}applications/{records['free_app']}/", "/delete/"),
        (f"{PAGES}engagements/{records['plan']}/", "/delete/"),
    ):
        assert link in body(owner.get(url)), url
        assert link not in body(editor.get(url)), url
    for url in (
        f"{PAGES}engagements/{records['plan']}/delete/",
        f"{PAGES}vendors/{records['free_vendor']}/delete/",
    ):
        assert editor.get(url).status_code == 403
        assert editor.post(url).status_code == 403
    assert exists(org_a, Engagement, records["plan"])
    assert exists(org_a, Vendor, records["free_vendor"])


def test_another_organizations_records_answer_404_and_survive(
    org_a: Any, org_b: Any, owner_b: Any, records: dict
) -> None:
    outsider = logged_in(owner_b)
    for kind, model, key in (
        ("vendors", Vendor, "free_vendor"),
        ("applications", Application, "free_app"),
        ("engagements", Engagement, "plan"),
    ):
        assert outsider.post(f"/o/bravo-co/assessments/{kind}/{records[key]}/delete/").status_code == 404
        assert send(outsider, "DELETE", f"{base(org_b)}{kind}/{records[key]}/").status_code == 404
        assert exists(org_a, model, records[key])


# --- API --------------------------------------------------------------------------------------------------


def test_api_delete_answers_204_or_400_with_the_reason(org_a: Any, owner_a: Any, records: dict) -> None:
    client = logged_in(owner_a)
    api = base(org_a)
    refused = send(client, "DELETE", f"{api}engagements/{records['done']}/")
    assert refused.status_code == 400
    assert "evidence of the application" in " ".join(refused.json()["__all__"])
    assert exists(org_a, Engagement, records["done"])
    for kind, model, key in (
        ("engagements", Engagement, "plan"),
        ("vendors", Vendor, "free_vendor"),
        ("applications", Application, "free_app"),
    ):
        response = send(client, "DELETE", f"{api}{kind}/{records[key]}/")
        assert response.status_code == 204, response.content
        assert not exists(org_a, model, records[key])
        assert send(client, "GET", f"{api}{kind}/{records[key]}/").status_code == 404


@pytest.mark.parametrize("scope", ["read", "audit", "write"])
def test_api_tokens_cannot_delete(org_a: Any, owner_a: Any, records: dict, scope: str) -> None:
    """Read and audit tokens never write; a write token acts as an editor, and deleting is a manager's."""
    client = token_client(org_a, owner_a, scope)
    for kind, key in (("vendors", "free_vendor"), ("applications", "free_app"), ("engagements", "plan")):
        assert send(client, "DELETE", f"{base(org_a)}{kind}/{records[key]}/").status_code == 403
    assert exists(org_a, Vendor, records["free_vendor"])
    assert exists(org_a, Application, records["free_app"])
    assert exists(org_a, Engagement, records["plan"])
