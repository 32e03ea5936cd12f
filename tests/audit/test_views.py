"""The audit log pages: filters, pagination, htmx fragments, permissions, the chain check."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.audit.helpers import events_of, frozen_time, record, record_many, set_column
from tests.factories import auditor_of_everything, member
from trustroom.tenancy.models import Invitation, Membership
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
TAMPERING = pytest.mark.django_db(transaction=True, databases=["default", "owner"])
HTMX = {"HX-Request": "true"}


def list_url(slug: str = "alpha-co") -> str:
    return reverse("audit:events", kwargs={"org_slug": slug})


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed_actions(response: Any) -> list[str]:
    return re.findall(r"<td><code>([^<]+)</code></td>", response.content.decode())


@pytest.fixture
def owner_client(owner_a: Any) -> Client:
    return client_for(owner_a)


@pytest.fixture
def history(org_a: Any, owner_a: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Five events at known times, by two people, about three kinds of records."""
    admin = member(org_a, "admin", email="admin@alpha.test")
    with org_scope(org_a):
        invitation = Invitation.objects.create(
            email="zoë@example.test", role="viewer", secret_digest="d" * 64, expires_at=timezone.now()
        )
    membership = Membership.objects.get(user=owner_a)
    plan = [
        (datetime(2025, 1, 10, 9, 0, tzinfo=UTC), owner_a, "organization.updated", org_a, {"name": ["A", "Alpha Co"]}),
        (datetime(2025, 1, 15, 12, 0, tzinfo=UTC), admin, "invitation.created", invitation, {"email": "zoë@example.test"}),
        (datetime(2025, 2, 1, 0, 0, tzinfo=UTC), admin, "invitation.revoked", invitation, {}),
        (datetime(2025, 2, 1, 23, 59, 59, tzinfo=UTC), owner_a, "membership.role_changed", membership, {"role": ["viewer", "editor"]}),
        (datetime(2025, 2, 2, 0, 0, tzinfo=UTC), owner_a, "invitations.purged", None, {"count": 3}),
    ]  # fmt: skip
    for moment, user, action, target, changes in plan:
        with frozen_time(monkeypatch, moment):
            record(org_a, user, action, target=target, changes=changes)
    return {"admin": admin, "events": events_of(org_a)}


# --- Filters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["invitations.purged", "membership.role_changed", "invitation.revoked", "invitation.created", "organization.updated"]),
        ({"action": "invitation.created"}, ["invitation.created"]),
        ({"action": "invitation"}, ["invitation.revoked", "invitation.created"]),
        ({"action": "invit*"}, ["invitations.purged", "invitation.revoked", "invitation.created"]),
        ({"actor": "ADMIN@alpha"}, ["invitation.revoked", "invitation.created"]),
        ({"target_type": "tenancy.invitation"}, ["invitation.revoked", "invitation.created"]),
        ({"target_type": "tenancy.membership"}, ["membership.role_changed"]),
        ({"occurred_from": "2025-02-01"}, ["invitations.purged", "membership.role_changed", "invitation.revoked"]),
        ({"occurred_to": "2025-01-31"}, ["invitation.created", "organization.updated"]),
        ({"occurred_from": "2025-02-01", "occurred_to": "2025-02-01"}, ["membership.role_changed", "invitation.revoked"]),
        ({"q": "zoë"}, ["invitation.revoked", "invitation.created"]),  # target label and change text
        ({"q": "editor"}, ["membership.role_changed"]),
        ({"q": "Alpha Co"}, ["membership.role_changed", "organization.updated"]),  # "owner@… in Alpha Co"
        ({"action": "invitation", "actor": "admin", "occurred_from": "2025-02-01"}, ["invitation.revoked"]),
    ],
)  # fmt: skip
def test_each_filter_narrows_the_list(
    owner_client: Client, history: dict[str, Any], query: dict[str, str], expected: list[str]
) -> None:
    response = owner_client.get(list_url(), query)
    assert response.status_code == 200
    assert listed_actions(response) == expected


def test_rows_show_time_actor_target_change_and_ip(owner_client: Client, history: dict[str, Any]) -> None:
    html = owner_client.get(list_url(), {"action": "membership.role_changed"}).content.decode()
    assert '<time datetime="2025-02-01T23:59:59+00:00">2025-02-01 23:59:59</time>' in html
    assert "owner@alpha.test" in html
    assert "(tenancy.membership)" in html
    assert "role: viewer → editor" in html
    assert "1 event matches;" in html


def test_no_match_and_empty_log_have_clear_empty_states(
    owner_client: Client, org_a: Any, owner_a: Any
) -> None:
    empty = owner_client.get(list_url()).content.decode()
    assert "No events have been recorded yet" in empty
    assert "<table" not in empty
    record(org_a, owner_a, "something.done")
    no_match = owner_client.get(list_url(), {"actor": "nobody"}).content.decode()
    assert "No events match these filters" in no_match
    assert "<table" not in no_match


def test_other_organizations_events_are_not_listed(
    owner_client: Client, history: dict[str, Any], org_b: Any, owner_b: Any
) -> None:
    record(org_b, owner_b, "bravo.secret", changes={"secret": "bravo"})
    response = owner_client.get(list_url(), {"q": "bravo"})
    assert listed_actions(response) == []
    assert "bravo.secret" not in owner_client.get(list_url()).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"occurred_from": "2025-13-45"}, "Enter a valid date."),
        ({"occurred_to": "yesterday"}, "Enter a valid date."),
        ({"occurred_from": "2025-03-01", "occurred_to": "2025-02-01"}, "The end date must be on or after"),
        ({"action": "drop table; --"}, "Use an action such as"),
        ({"target_type": "Invitation"}, "Use a record type such as"),
    ],
)
def test_bad_filters_answer_a_clear_error_not_a_500(
    owner_client: Client, history: dict[str, Any], query: dict[str, str], message: str
) -> None:
    for headers in ({}, HTMX):
        response = owner_client.get(list_url(), query, headers=headers)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'role="alert"' in html and message in html
        assert listed_actions(response) == []  # unfiltered rows would mislead


# --- Pagination and htmx --------------------------------------------------------------------------------


def test_pagination_keeps_the_filters(owner_client: Client, org_a: Any, owner_a: Any) -> None:
    record_many(org_a, owner_a, 60, action="bulk.step")
    record(org_a, owner_a, "other.action")
    first = owner_client.get(list_url(), {"action": "bulk"})
    html = first.content.decode()
    assert len(listed_actions(first)) == 50
    assert "Page 1 of 2" in html
    assert "60 events match" in html
    assert "?action=bulk&amp;page=2" in html
    second = owner_client.get(list_url(), {"action": "bulk", "page": "2"})
    assert listed_actions(second) == ["bulk.step"] * 10
    assert ">10</a>" in second.content.decode() and ">11</a>" not in second.content.decode()
    # Out-of-range or nonsense page numbers land on a real page instead of failing.
    assert len(listed_actions(owner_client.get(list_url(), {"action": "bulk", "page": "99"}))) == 10
    assert len(listed_actions(owner_client.get(list_url(), {"action": "bulk", "page": "x"}))) == 50


def test_htmx_request_gets_only_the_results_fragment(owner_client: Client, history: dict[str, Any]) -> None:
    response = owner_client.get(list_url(), {"action": "invitation"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert listed_actions(response) == ["invitation.revoked", "invitation.created"]
    assert "HX-Request" in response["Vary"]


def test_full_page_has_an_accessible_form_that_works_with_and_without_js(
    owner_client: Client, history: dict[str, Any]
) -> None:
    response = owner_client.get(list_url())
    html = response.content.decode()
    assert "<html" in html and "HX-Request" in response["Vary"]
    for field in ("action", "actor", "target_type", "occurred_from", "occurred_to", "q"):
        assert f'<label for="id_{field}">' in html
        assert f'name="{field}"' in html
    form = re.search(r"<form method=\"get\" action=\"([^\"]+)\" class=\"filters\"[^>]*>", html)
    assert form is not None and form.group(1) == list_url()
    assert f'hx-get="{list_url()}"' in form.group(0)
    assert 'hx-target="#audit-results"' in form.group(0) and 'hx-push-url="true"' in form.group(0)
    assert '<div id="audit-results">' in html
    assert '<option value="tenancy.invitation">' in html  # record types to choose from
    assert '<option value="audit.auditevent">' not in html
    assert '<option value="invitation.created">' in html  # action suggestions


def test_history_restore_gets_the_full_page(owner_client: Client, history: dict[str, Any]) -> None:
    response = owner_client.get(list_url(), headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


# --- Who may read it --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("admin", 200), ("auditor", 200), ("editor", 403), ("viewer", 403)])  # fmt: skip
def test_only_owners_admins_and_auditors_may_read(
    org_a: Any, history: dict[str, Any], role: str, status: int
) -> None:
    # An auditor reads only inside their audit periods: this one's covers the whole history.
    user = auditor_of_everything(org_a) if role == "auditor" else member(org_a, role)
    client = client_for(user)
    event = history["events"][0]
    pages = {
        list_url(): "organization.updated",
        reverse("audit:event-detail", kwargs={"org_slug": "alpha-co", "pk": event.pk}): event.hash,
        reverse("audit:verify", kwargs={"org_slug": "alpha-co"}): "Intact",
    }
    for url, content in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert (content in response.content.decode()) == (status == 200), url


def test_strangers_get_404_and_anonymous_people_are_sent_to_sign_in(
    history: dict[str, Any], owner_b: Any
) -> None:
    assert client_for(owner_b).get(list_url()).status_code == 404
    response = Client().get(list_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- One event --------------------------------------------------------------------------------------------


def test_event_detail_shows_everything_recorded(owner_client: Client, history: dict[str, Any]) -> None:
    event = history["events"][1]
    html = owner_client.get(
        reverse("audit:event-detail", kwargs={"org_slug": "alpha-co", "pk": event.pk})
    ).content.decode()
    assert "Audit event #2" in html
    for value in (event.hash, event.prev_hash, "invitation.created", "admin@alpha.test", "zoë@example.test"):
        assert value in html


def test_another_organizations_event_answers_404(
    owner_client: Client, history: dict[str, Any], org_b: Any, owner_b: Any
) -> None:
    foreign = record(org_b, owner_b, "bravo.secret")
    for pk in (foreign.pk, foreign.pk + 1000):
        url = reverse("audit:event-detail", kwargs={"org_slug": "alpha-co", "pk": pk})
        response = owner_client.get(url)
        assert response.status_code == 404
        assert "bravo.secret" not in response.content.decode()


# --- Chain check ------------------------------------------------------------------------------------------


def test_list_page_offers_the_check_without_running_it(owner_client: Client, history: dict[str, Any]) -> None:
    html = owner_client.get(list_url()).content.decode()
    verify_url = reverse("audit:verify", kwargs={"org_slug": "alpha-co"})
    assert f'hx-get="{verify_url}" hx-target="#chain-status"' in html
    assert "Intact" not in html and "Broken" not in html


def test_chain_check_reports_intact(owner_client: Client, history: dict[str, Any]) -> None:
    verify_url = reverse("audit:verify", kwargs={"org_slug": "alpha-co"})
    fragment = owner_client.get(verify_url, headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert "Intact" in fragment and "5 events verified" in fragment
    assert history["events"][-1].hash in fragment
    page = owner_client.get(verify_url).content.decode()
    assert "<html" in page and "<h1>Audit chain check</h1>" in page and "Intact" in page


@TAMPERING
def test_chain_check_reports_the_first_broken_event(
    org_a: Any, owner_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for day in range(4):
        with frozen_time(monkeypatch, start + timedelta(days=day)):
            record(org_a, owner_a, "step.done", changes={"day": day})
    set_column(org_a, 2, "changes", '{"day": 7}')
    second = events_of(org_a)[1]
    fragment = client_for(owner_a).get(reverse("audit:verify", kwargs={"org_slug": "alpha-co"}), headers=HTMX)
    html = fragment.content.decode()
    assert "Broken" in html and "Intact" not in html
    assert "First broken event #2" in html
    assert reverse("audit:event-detail", kwargs={"org_slug": "alpha-co", "pk": second.pk}) in html
    assert "1 event before it verified" in html
