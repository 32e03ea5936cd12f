"""notify(): once per recipient and key, e-mail after commit; the inbox page, mark read, the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import member, principal_for
from trustroom.notifications.models import Notification
from trustroom.notifications.services import mark_read, notify
from trustroom.tenancy.principal import system_principal
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def send(org: Any, recipients: list[Any], key: str = "k1") -> list[Notification]:
    with org_scope(org):
        return notify(
            actor=system_principal(org),
            recipients=recipients,
            key=key,
            subject="Certificate expires in 30 days",
            body="Renew it.",
            url=f"/o/{org.slug}/compliance/certifications/",
        )


def test_notify_creates_once_and_mails_once_after_commit(
    org_a: Any, owner_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    other = member(org_a, "viewer", email="viewer@alpha.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = send(org_a, [owner_a, other, owner_a])
    assert len(created) == 2 and len(callbacks) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["owner@alpha.test", "viewer@alpha.test"]
    assert mail.outbox[0].subject == "Certificate expires in 30 days"
    assert "http://" in mail.outbox[0].body and "/compliance/certifications/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert send(org_a, [owner_a, other]) == []
    assert len(mail.outbox) == 2
    with org_scope(org_a):
        assert Notification.objects.count() == 2


def test_no_mail_when_the_transaction_rolls_back(
    org_a: Any, owner_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        send(org_a, [owner_a])
    assert mail.outbox == []


def test_non_members_are_never_notified(org_a: Any, org_b: Any, owner_b: Any) -> None:
    assert send(org_a, [owner_b]) == []


def test_bad_input(org_a: Any, owner_a: Any) -> None:
    with org_scope(org_a), pytest.raises(ValidationError) as error:
        notify(
            actor=system_principal(org_a), recipients=[owner_a], key="", subject=" ", url="https://evil.test/"
        )
    assert set(error.value.message_dict) == {"key", "subject", "url"}


def test_only_the_recipient_marks_read(org_a: Any, owner_a: Any) -> None:
    other = member(org_a, "admin")
    (notification,) = send(org_a, [owner_a])
    with org_scope(org_a):
        with pytest.raises(PermissionDenied):
            mark_read(actor=principal_for(other, org_a), notification=notification)
        mark_read(actor=principal_for(owner_a, org_a), notification=notification)
        assert Notification.objects.get().read_at is not None


def test_inbox_page_empty_state_unread_count_and_mark_read(client: Any, org_a: Any, owner_a: Any) -> None:
    client.force_login(owner_a)
    inbox = f"/o/{org_a.slug}/notifications/"
    page = client.get(inbox).content.decode()
    assert "No notifications yet" in page
    (notification,) = send(org_a, [owner_a])
    other = member(org_a, "viewer")
    send(org_a, [other], key="k2")
    page = client.get(inbox).content.decode()
    assert "Certificate expires in 30 days" in page
    assert 'class="notifications-link">Notifications <span class="badge pending">1<' in page
    response = client.post(f"{inbox}{notification.pk}/read/", {"open": "1"})
    assert (
        response.status_code == 302 and response["Location"] == f"/o/{org_a.slug}/compliance/certifications/"
    )
    assert 'notifications-link">Notifications</a>' in client.get(inbox).content.decode()


def test_someone_elses_notification_is_404(client: Any, org_a: Any, owner_a: Any) -> None:
    other = member(org_a, "viewer")
    (theirs,) = send(org_a, [other])
    client.force_login(owner_a)
    assert client.post(f"/o/{org_a.slug}/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/orgs/{org_a.slug}/notifications/{theirs.pk}/read/").status_code == 404


def test_api_lists_and_marks_read(client: Any, org_a: Any, owner_a: Any) -> None:
    (notification,) = send(org_a, [owner_a])
    send(org_a, [owner_a], key="k2")
    client.force_login(owner_a)
    base = f"/api/v1/orgs/{org_a.slug}/notifications/"
    listed = client.get(base).json()
    items = listed["results"] if isinstance(listed, dict) else listed
    assert len(items) == 2 and all(item["read"] is False for item in items)
    response = client.post(f"{base}{notification.pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    unread = client.get(base + "?unread=true").json()
    unread_items = unread["results"] if isinstance(unread, dict) else unread
    assert [item["key"] for item in unread_items] == ["k2"]
    assert client.post(base + "read-all/").json() == {"marked": 1}
