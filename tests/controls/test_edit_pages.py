"""Editing and deleting controls, checks and manual evidence from the pages: pre-filled forms, errors at the
field, confirmation before deleting (a plain form), buttons only for those the policy allows."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.controls.factories import make_control, make_residency_check, requirement_ids
from tests.factories import member
from trustroom.audit.models import AuditEvent
from trustroom.controls import services
from trustroom.controls.models import Check, Control, Evidence
from trustroom.tenancy.models import Role
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
BASE = "/o/alpha-co/controls/"


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_control_edit_form_is_pre_filled_shows_errors_at_the_field_and_saves(
    org_a: Any, owner_a: Any, actor: Any
) -> None:
    [iso] = requirement_ids(("iso27001-2022", "A.8.14"))
    control = make_control(actor, owner=owner_a, freshness_days=45, requirements=[iso])
    make_control(actor, key="AC-1", name="Access is reviewed")
    client = logged_in(owner_a)
    detail = client.get(f"{BASE}{control.pk}/").content.decode()
    assert f'href="{BASE}{control.pk}/edit/"' in detail and f'href="{BASE}{control.pk}/delete/"' in detail
    form = client.get(f"{BASE}{control.pk}/edit/").content.decode()
    assert 'name="key" value="DR-1"' in form and 'name="freshness_days" value="45"' in form
    assert f'<option value="{iso}" selected>' in form
    assert f'<option value="{owner_a.pk}" selected>' in form
    values = {"key": "AC-1", "name": "Failover drilled", "frequency": "FREQ=DAILY", "freshness_days": 30}
    clash = client.post(f"{BASE}{control.pk}/edit/", values)
    page = clash.content.decode()
    assert clash.status_code == 400 and "Nothing was saved" in page
    assert 'id="id_key_error"' in page and "already has a control with this key" in page
    saved = client.post(f"{BASE}{control.pk}/edit/", values | {"key": "DR-2", "requirements": []})
    assert saved.status_code == 302 and saved["Location"] == f"{BASE}{control.pk}/"
    assert "Control DR-2 was saved." in client.get(saved["Location"]).content.decode()
    with org_scope(org_a):
        control.refresh_from_db()
        assert (control.key, control.freshness_days, control.owner) == ("DR-2", 30, None)
        assert not control.requirements.exists()
        assert AuditEvent.objects.filter(action="control.updated").count() == 1


def test_deleting_a_control_asks_first_and_works_without_javascript(
    org_a: Any, owner_a: Any, actor: Any
) -> None:
    control = make_control(actor)
    client = logged_in(owner_a)
    confirm = client.get(f"{BASE}{control.pk}/delete/")
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Delete DR-1 Database failover is drilled?" in page
    assert '<form method="post">' in page and "<script" not in page.split("<main", 1)[1]
    with org_scope(org_a):
        assert Control.objects.filter(pk=control.pk).exists()  # asking deletes nothing
    deleted = client.post(f"{BASE}{control.pk}/delete/")
    assert deleted.status_code == 302 and deleted["Location"] == BASE
    assert "Control DR-1 was deleted." in client.get(BASE).content.decode()
    with org_scope(org_a):
        assert not Control.objects.exists()
    assert client.get(f"{BASE}{control.pk}/delete/").status_code == 404


def test_the_check_edit_form_is_pre_filled_names_parameter_errors_and_saves(
    org_a: Any, owner_a: Any, actor: Any
) -> None:
    control = make_control(actor)
    check = make_residency_check(actor, controls=[control])
    client = logged_in(owner_a)
    form = client.get(f"{BASE}checks/{check.pk}/edit/").content.decode()
    assert 'name="name" value="Data residency"' in form and "&quot;ap-south-1&quot;" in form
    assert f'<option value="{control.pk}" selected>' in form
    values = {"name": "Residency", "kind": "data_residency", "schedule": "FREQ=DAILY", "enabled": "on"}
    refused = client.post(
        f"{BASE}checks/{check.pk}/edit/", values | {"parameters": '{"allowed_regions": ["x"]}'}
    )
    assert refused.status_code == 400 and "allowed_regions: &#x27;x&#x27; is not an AWS region" in (
        refused.content.decode()
    )
    not_json = client.post(f"{BASE}checks/{check.pk}/edit/", values | {"parameters": "{"})
    assert not_json.status_code == 400 and 'id="id_parameters_error"' in not_json.content.decode()
    parameters = '{"allowed_regions": ["eu-west-1"], "source": "config_snapshot"}'
    saved = client.post(f"{BASE}checks/{check.pk}/edit/", values | {"parameters": parameters})
    assert saved.status_code == 302
    assert "Check Residency was saved." in client.get(saved["Location"]).content.decode()
    with org_scope(org_a):
        check.refresh_from_db()
        assert check.name == "Residency" and check.parameters["allowed_regions"] == ["eu-west-1"]
        assert not check.controls.exists()


def test_deleting_a_check_asks_first(org_a: Any, owner_a: Any, actor: Any) -> None:
    check = make_residency_check(actor)
    client = logged_in(owner_a)
    assert "Delete Data residency?" in client.get(f"{BASE}checks/{check.pk}/delete/").content.decode()
    deleted = client.post(f"{BASE}checks/{check.pk}/delete/")
    assert deleted.status_code == 302 and deleted["Location"] == f"{BASE}checks/"
    assert "Check Data residency was deleted." in client.get(deleted["Location"]).content.decode()
    with org_scope(org_a):
        assert not Check.objects.exists()


def test_removing_manual_evidence_but_never_a_check_result(org_a: Any, owner_a: Any, actor: Any) -> None:
    control = make_control(actor)
    item = services.add_evidence(actor=actor, control=control, kind="link", url="https://wiki.example/a")
    check = make_residency_check(actor, controls=[control])
    services.run_check(actor=actor, check=check)
    with org_scope(org_a):
        result = Evidence.objects.get(kind="check_result")
    client = logged_in(owner_a)
    detail = client.get(f"{BASE}{control.pk}/").content.decode()
    assert f"{BASE}{control.pk}/evidence/{item.pk}/remove/" in detail
    assert f"{BASE}{control.pk}/evidence/{result.pk}/remove/" not in detail
    confirm = client.get(f"{BASE}{control.pk}/evidence/{item.pk}/remove/").content.decode()
    assert "Remove this evidence from DR-1?" in confirm and "https://wiki.example/a" in confirm
    removed = client.post(f"{BASE}{control.pk}/evidence/{item.pk}/remove/")
    assert removed.status_code == 302
    assert "The evidence was removed from DR-1." in client.get(removed["Location"]).content.decode()
    kept = client.post(f"{BASE}{control.pk}/evidence/{result.pk}/remove/", follow=True)
    assert "A check result stays" in kept.content.decode()
    other = make_control(actor, key="AC-1", name="Access")
    assert client.get(f"{BASE}{other.pk}/evidence/{result.pk}/remove/").status_code == 404
    with org_scope(org_a):
        assert list(Evidence.objects.all()) == [result]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
def test_viewers_and_auditors_cannot_edit_or_delete(org_a: Any, actor: Any, role: str) -> None:
    control = make_control(actor)
    item = services.add_evidence(actor=actor, control=control, kind="link", url="https://wiki.example/a")
    check = make_residency_check(actor)
    client = logged_in(member(org_a, role))
    for url in (
        f"{BASE}{control.pk}/edit/",
        f"{BASE}{control.pk}/delete/",
        f"{BASE}{control.pk}/evidence/{item.pk}/remove/",
        f"{BASE}checks/{check.pk}/edit/",
        f"{BASE}checks/{check.pk}/delete/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"key": "X-1", "name": "x"}).status_code == 403, url
    with org_scope(org_a):
        assert (
            Control.objects.get().key == "DR-1"
            and Evidence.objects.count() == 1
            and Check.objects.count() == 1
        )


def test_editors_edit_but_only_managers_delete(org_a: Any, actor: Any) -> None:
    control = make_control(actor)
    check = make_residency_check(actor)
    editor = logged_in(member(org_a, Role.EDITOR))
    detail = editor.get(f"{BASE}{control.pk}/").content.decode()
    assert "Edit DR-1" in detail and "Delete DR-1" not in detail
    assert "Delete the check" not in editor.get(f"{BASE}checks/{check.pk}/").content.decode()
    assert editor.get(f"{BASE}{control.pk}/edit/").status_code == 200
    assert editor.post(f"{BASE}{control.pk}/delete/").status_code == 403
    assert editor.post(f"{BASE}checks/{check.pk}/delete/").status_code == 403
    viewer = logged_in(member(org_a, Role.VIEWER))
    assert "Edit DR-1" not in viewer.get(f"{BASE}{control.pk}/").content.decode()
