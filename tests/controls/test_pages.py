"""The controls pages: list with status badges and empty state, detail with evidence, checks with run now."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.controls.factories import inventory, make_control, make_residency_check, requirement_ids
from tests.factories import member
from trustroom.controls.models import Check, CheckRun, Control, Evidence
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
BASE = "/o/alpha-co/controls/"


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_empty_states_and_navigation(org_a: Any, owner_a: Any) -> None:
    client = logged_in(owner_a)
    page = client.get(BASE).content.decode()
    assert "No controls yet" in page
    assert f'href="{BASE}" aria-current="page">Controls</a>' in page
    assert "No automated checks yet" in client.get(BASE + "checks/").content.decode()


def test_list_detail_and_adding_evidence(org_a: Any, owner_a: Any, actor: Any) -> None:
    control = make_control(actor, requirements=requirement_ids(("iso27001-2022", "A.8.14")))
    client = logged_in(owner_a)
    page = client.get(BASE).content.decode()
    assert "DR-1" in page and '<span class="badge pending">Missing</span>' in page
    detail = client.get(f"{BASE}{control.pk}/").content.decode()
    assert "A.8.14" in detail and "No evidence yet" in detail and "Add evidence" in detail
    refused = client.post(f"{BASE}{control.pk}/evidence/", {"kind": "link", "url": ""})
    assert refused.status_code == 400 and "Give an http(s) link" in refused.content.decode()
    added = client.post(
        f"{BASE}{control.pk}/evidence/", {"kind": "link", "url": "https://wiki.example/drill"}
    )
    assert added.status_code == 302
    assert '<span class="badge ok">Ready</span>' in client.get(BASE).content.decode()


def test_check_pages_import_and_run_now(
    org_a: Any, owner_a: Any, actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    control = make_control(actor)
    check = make_residency_check(actor, controls=[control])
    client = logged_in(owner_a)
    url = f"{BASE}checks/{check.pk}/"
    assert "This check has not run yet" in client.get(url).content.decode()
    bad = client.post(url + "snapshot/", {"snapshot": SimpleUploadedFile("s.json", b'{"nope": 1}')})
    assert bad.status_code == 400 and "$: not an AWS Config snapshot" in bad.content.decode()
    raw = inventory(
        ("AWS::RDS::DBCluster", "core-db", "ap-south-1"), ("AWS::RDS::DBCluster", "bi", "eu-west-1")
    )
    assert client.post(url + "snapshot/", {"snapshot": SimpleUploadedFile("s.json", raw)}).status_code == 302
    assert client.get(url + "run/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + "run/").status_code == 302
    page = client.get(url).content.decode()
    assert "1 of 2 resources lie outside ap-south-1." in page
    assert '<th scope="row">bi</th><td>rds_cluster</td><td>eu-west-1</td>' in page
    assert '<span class="badge danger">Failing</span>' in client.get(BASE).content.decode()


def test_viewers_see_no_forms_and_cannot_post(org_a: Any, actor: Any) -> None:
    control = make_control(actor)
    check = make_residency_check(actor)
    viewer = logged_in(member(org_a, "viewer"))
    assert "Add evidence" not in viewer.get(f"{BASE}{control.pk}/").content.decode()
    assert "Run now" not in viewer.get(f"{BASE}checks/{check.pk}/").content.decode()
    assert viewer.post(f"{BASE}checks/{check.pk}/run/").status_code == 403
    assert (
        viewer.post(f"{BASE}{control.pk}/evidence/", {"kind": "link", "url": "https://x.example"}).status_code
        == 403
    )
    with org_scope(org_a):
        assert not CheckRun.objects.exists() and not Evidence.objects.exists()


def test_adding_a_control_and_a_check_from_the_pages(org_a: Any, owner_a: Any) -> None:
    client = logged_in(owner_a)
    assert "Add a control" in client.get(BASE).content.decode()
    form = client.get(BASE + "new/").content.decode()
    assert "A.8.14" in form and 'name="requirements"' in form
    [iso, soc] = requirement_ids(("iso27001-2022", "A.8.14"), ("soc2-type2", "A1.3"))
    refused = client.post(BASE + "new/", {"key": "bad key", "name": "x", "frequency": "FREQ=DAILY",
                                          "freshness_days": 30})  # fmt: skip
    assert refused.status_code == 400 and "Give a short key" in refused.content.decode()
    added = client.post(
        BASE + "new/",
        {"key": "DR-1", "name": "Failover drilled", "frequency": "FREQ=MONTHLY;INTERVAL=2",
         "freshness_days": 60, "owner": owner_a.pk, "requirements": [iso, soc]},
    )  # fmt: skip
    assert added.status_code == 302
    with org_scope(org_a):
        control = Control.objects.get(key="DR-1")
        assert control.owner == owner_a and control.requirements.count() == 2
    refused = client.post(
        BASE + "checks/new/",
        {"name": "Residency", "kind": "data_residency", "schedule": "FREQ=DAILY",
         "parameters": '{"allowed_regions": ["mumbai"]}', "enabled": "on"},
    )  # fmt: skip
    assert (
        refused.status_code == 400
        and "allowed_regions: &#x27;mumbai&#x27; is not an AWS region" in refused.content.decode()
    )
    added = client.post(
        BASE + "checks/new/",
        {"name": "Residency", "kind": "data_residency", "schedule": "FREQ=DAILY", "enabled": "on",
         "parameters": '{"allowed_regions": ["ap-south-1"], "source": "config_snapshot"}', "controls": [control.pk]},
    )  # fmt: skip
    assert added.status_code == 302
    with org_scope(org_a):
        assert list(Check.objects.get().controls.all()) == [control]


def test_viewers_cannot_open_the_add_forms(org_a: Any) -> None:
    viewer = logged_in(member(org_a, "viewer"))
    assert "Add a control" not in viewer.get(BASE).content.decode()
    assert viewer.get(BASE + "new/").status_code == 403
    assert viewer.get(BASE + "checks/new/").status_code == 403
