"""The controls API: what the UI does, computed status read-only, bad input named, roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.controls.factories import FIXTURES, inventory, requirement_ids
from tests.factories import member
from trustroom.controls.models import Check, Control, InventorySnapshot
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def results(response: Any) -> list[Any]:
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


@pytest.fixture
def api(org_a: Any) -> str:
    return f"/api/v1/orgs/{org_a.slug}/"


def test_control_check_run_and_evidence_round_trip(
    org_a: Any, owner_a: Any, api: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner_a)
    ids = requirement_ids(("iso27001-2022", "A.5.23"), ("soc2-type2", "CC6.7"))
    created = client.post(
        api + "controls/",
        {"key": "DATA-1", "name": "Data stays in Mumbai", "owner": owner_a.pk, "requirements": ids},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    control = created.json()
    assert control["status"] == "missing" and control["owner"] == "owner@alpha.test"
    assert {r["framework"] for r in control["requirements"]} == {"iso27001-2022", "soc2-type2"}

    check = client.post(
        api + "checks/",
        {"name": "Residency", "kind": "data_residency", "controls": [control["id"]],
         "parameters": {"allowed_regions": ["ap-south-1"], "source": "config_snapshot"}},
        content_type="application/json",
    ).json()  # fmt: skip
    upload = SimpleUploadedFile("snap.json", inventory(("AWS::RDS::DBCluster", "db", "ap-south-1")))
    imported = client.post(api + f"checks/{check['id']}/snapshot/", {"snapshot": upload})
    assert imported.status_code == 201 and imported.json()["resources"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(api + f"checks/{check['id']}/run/")
    assert queued.status_code == 202 and queued.json()["status"] == "queued", queued.content
    assert queued["Location"].endswith(f"/check-runs/{queued.json()['id']}/")
    run = client.get(queued["Location"])
    assert run.json()["status"] == "finished" and run.json()["outcome"] == "pass"
    assert run.json()["resources"][0]["region"] == "ap-south-1"
    assert (run.json()["done"], run.json()["total"], run.json()["percent"]) == (1, 1, 100)
    assert client.get(api + f"controls/{control['id']}/").json()["status"] == "ready"
    runs = results(client.get(api + f"check-runs/?check={check['id']}"))
    assert [r["id"] for r in runs] == [run.json()["id"]]
    evidence = results(client.get(api + f"evidence/?control={control['id']}"))
    assert [(e["kind"], e["check_outcome"]) for e in evidence] == [("check_result", "pass")]

    link = client.post(
        api + "evidence/",
        {"control": control["id"], "kind": "link", "url": "https://wiki.example/residency"},
        content_type="application/json",
    )
    assert link.status_code == 201
    assert client.delete(api + f"evidence/{link.json()['id']}/").status_code == 204
    assert client.delete(api + f"evidence/{evidence[0]['id']}/").status_code == 400  # a run's record stays


def test_bad_snapshot_is_a_400_naming_the_json_path(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    check = client.post(
        api + "checks/",
        {"name": "Residency", "kind": "data_residency",
         "parameters": {"allowed_regions": ["ap-south-1"], "source": "config_snapshot"}},
        content_type="application/json",
    ).json()  # fmt: skip
    raw = (FIXTURES / "rdscluster_kms_alias.SelectResourceConfig_1.json").read_bytes()
    refused = client.post(
        api + f"checks/{check['id']}/snapshot/", {"snapshot": SimpleUploadedFile("s.json", raw)}
    )
    assert refused.status_code == 400
    assert refused.json() == {"snapshot": ["$.data.Results[0].resourceType: missing"]}
    with org_scope(org_a):
        assert not InventorySnapshot.objects.exists()


def test_bad_input_is_named(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    refused = client.post(
        api + "checks/",
        {"name": "R", "kind": "data_residency", "parameters": {"allowed_regions": ["mars-1"]}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "parameters.allowed_regions" in refused.json()
    refused = client.post(
        api + "controls/", {"key": "K-1", "name": "n", "status": "ready"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "status" in refused.json()
    with org_scope(org_a):
        assert not Check.objects.exists() and not Control.objects.exists()


def test_viewers_read_and_are_refused_writes(org_a: Any, owner_a: Any, api: str) -> None:
    owner = logged_in(owner_a)
    check = owner.post(
        api + "checks/",
        {"name": "Residency", "kind": "data_residency",
         "parameters": {"allowed_regions": ["ap-south-1"], "source": "config_snapshot"}},
        content_type="application/json",
    ).json()  # fmt: skip
    viewer = logged_in(member(org_a, "viewer"))
    assert viewer.get(api + "checks/").status_code == 200
    assert viewer.post(api + f"checks/{check['id']}/run/").status_code == 403
    assert (
        viewer.post(
            api + "controls/", {"key": "K-1", "name": "n"}, content_type="application/json"
        ).status_code
        == 403
    )
