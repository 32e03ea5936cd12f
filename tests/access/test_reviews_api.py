"""The access reviews, rules and imports API: through HTTP as members with their roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.access import factories as f
from tests.factories import member
from tests.tenancy.factories import signed_in
from trustroom.access.models import AccessGrant, RevocationTask
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/alpha-co"


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    reviewer = member(org_a, "viewer", email="reviewer@alpha.test")
    billing = f.system(org_a, "Billing", owner=reviewer)
    prod = f.environment(org_a, billing, "production")
    grants = [f.grant(org_a, prod, f"p{i}@alpha.test", "write") for i in range(3)]
    return {"org": org_a, "owner": signed_in(owner_a), "reviewer": signed_in(reviewer), "grants": grants}


def _open(client: Any) -> dict[str, Any]:
    due = (timezone.now() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        f"{BASE}/access-reviews/", {"name": "Q4", "due_at": due}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_campaign_flow_over_the_api(world: dict[str, Any]) -> None:
    owner, reviewer = world["owner"], world["reviewer"]
    # A viewer (the reviewer) may not open campaigns.
    assert (
        reviewer.post(f"{BASE}/access-reviews/", {"name": "x"}, content_type="application/json").status_code
        == 403
    )
    campaign = _open(owner)
    assert campaign["progress"]["total"] == 3
    assert campaign["assignments"][0]["reviewer"] == "reviewer@alpha.test"
    items = reviewer.get(f"{BASE}/access-review-items/?campaign={campaign['id']}").json()["results"]
    assert len(items) == 3
    first, second, third = (item["id"] for item in items)
    bad = reviewer.post(
        f"{BASE}/access-review-items/{first}/decide/", {"decision": "revoke"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "comment" in bad.json()
    unknown = reviewer.post(
        f"{BASE}/access-review-items/{first}/decide/",
        {"decision": "keep", "x": 1},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    for pk, body in (
        (first, {"decision": "keep"}),
        (second, {"decision": "revoke", "comment": "Left"}),
        (third, {"decision": "change", "comment": "Too much", "new_privilege": "read"}),
    ):
        response = reviewer.post(
            f"{BASE}/access-review-items/{pk}/decide/", body, content_type="application/json"
        )
        assert response.status_code == 200, response.content
    # Only owners and admins close.
    assert reviewer.post(f"{BASE}/access-reviews/{campaign['id']}/close/").status_code == 403
    closed = owner.post(f"{BASE}/access-reviews/{campaign['id']}/close/").json()
    assert closed["closed_at"] and closed["progress"]["percent"] == 100
    assert closed["progress"]["revocations_outstanding"] == 1
    with org_scope(world["org"]):
        assert RevocationTask.objects.get().reason == "review"
        assert AccessGrant.objects.get(person_email=items[2]["person_email"]).privilege == "read"


def test_exports_are_attachments_and_audited(world: dict[str, Any]) -> None:
    campaign = _open(world["owner"])
    csv_response = world["reviewer"].get(f"{BASE}/access-reviews/{campaign['id']}/export/?format=csv")
    assert csv_response.status_code == 200
    assert csv_response["Content-Disposition"].startswith('attachment; filename="access-review-')
    assert csv_response["X-Content-Type-Options"] == "nosniff"
    lines = csv_response.content.decode().splitlines()
    assert lines[0].startswith("system,environment,person,privilege,decision")
    assert len(lines) == 4
    pdf = world["owner"].get(f"{BASE}/access-reviews/{campaign['id']}/export/?format=pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert world["owner"].get(f"{BASE}/access-reviews/{campaign['id']}/export/?format=xls").status_code == 404
    with org_scope(world["org"]):
        assert AuditEvent.objects.filter(action="access.review_exported").count() == 2


def test_schedule_api(world: dict[str, Any]) -> None:
    assert world["owner"].get(f"{BASE}/access-review-schedule/").json()["saved"] is False
    assert world["owner"].options(f"{BASE}/access-review-schedule/").status_code == 200
    bad = world["owner"].put(
        f"{BASE}/access-review-schedule/",
        {"rule": "FREQ=SOMETIMES", "starts_at": "2026-01-01T09:00:00Z"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "rule" in bad.json()
    ok = world["owner"].put(
        f"{BASE}/access-review-schedule/",
        {"starts_at": "2026-01-01T09:00:00Z"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["rule"] == "FREQ=MONTHLY;INTERVAL=3"
    assert ok.json()["next_occurrence"]
    denied = world["reviewer"].put(
        f"{BASE}/access-review-schedule/",
        {"starts_at": "2026-01-01T09:00:00Z"},
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_rules_and_violations_api(world: dict[str, Any], org_a: Any) -> None:
    devops = f.group(org_a, "DevOps", ["p0@alpha.test"])
    owner = world["owner"]
    bad = owner.post(f"{BASE}/access-policy-rules/", {"name": "x"}, content_type="application/json")
    assert bad.status_code == 400
    assert "allowed_group" in bad.json()
    rule = owner.post(
        f"{BASE}/access-policy-rules/",
        {
            "name": "Prod DevOps",
            "environment_kind": "production",
            "allowed_group": devops.pk,
            "max_people": 2,
        },
        content_type="application/json",
    ).json()
    (violation,) = world["reviewer"].get(f"{BASE}/access-policy-rules/violations/").json()
    assert violation["people"] == 3 and violation["over_max"] == 1
    assert sorted(g["person_email"] for g in violation["out_of_group"]) == ["p1@alpha.test", "p2@alpha.test"]
    assert owner.post(f"{BASE}/access-policy-rules/{rule['id']}/open-revocations/").json() == {"opened": 2}
    assert owner.delete(f"{BASE}/access-policy-rules/{rule['id']}/").status_code == 204


def test_import_api(world: dict[str, Any]) -> None:
    content = b"email,system,environment,privilege\np0@alpha.test,Billing,production,write\nnew@alpha.test,Billing,production,read\n"
    upload = SimpleUploadedFile("okta.csv", content, content_type="text/csv")
    assert (
        world["reviewer"].post(f"{BASE}/access-imports/", {"file": upload, "source": "Okta"}).status_code
        == 403
    )
    upload = SimpleUploadedFile("okta.csv", content, content_type="text/csv")
    created = world["owner"].post(f"{BASE}/access-imports/", {"file": upload, "source": "Okta"})
    assert created.status_code == 201, created.content
    diff = created.json()["diff"]
    assert (len(diff["new"]), len(diff["missing"]), diff["matching"]) == (1, 2, 1)
    bad = SimpleUploadedFile("bad.csv", b"email,system,environment,privilege\nx,Nope,prod,read\n")
    refused = world["owner"].post(f"{BASE}/access-imports/", {"file": bad, "source": "Okta"})
    assert refused.status_code == 400
    assert "Line 2" in refused.json()["file"][0]
    applied = world["owner"].post(f"{BASE}/access-imports/{created.json()['id']}/apply/")
    assert applied.json() == {"created": 1, "changed": 0, "revocations": 2, "skipped": 0}
