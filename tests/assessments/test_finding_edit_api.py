"""Editing a finding through the API: PUT replaces, PATCH keeps what it does not name, a new severity
re-triages from detection, 400s name the field, token scopes, another organization's ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.assessments.api_support import base, logged_in, send, token_client
from tests.assessments.helpers import CVSS31_CRITICAL, application
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Finding
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope

pytestmark = pytest.mark.django_db
DETECTED = dt.datetime(2026, 2, 10, 6, 30, tzinfo=dt.UTC)


def iso(value: dt.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


@pytest.fixture
def world(org_a: Any, owner_a: Any) -> dict[str, Any]:
    actor = principal_for(owner_a, org_a)
    with org_scope(org_a):
        app = application(actor)
        vendor = services.create_vendor(actor=actor, name="Sumasoft")
        engagement = services.create_engagement(
            actor=actor,
            vendor=vendor,
            application=app,
            name="Q1 VAPT",
            window_start=DETECTED,
            window_end=DETECTED + dt.timedelta(days=4),
        )
        finding = services.create_finding(
            actor=actor,
            application=app,
            engagement=engagement,
            title="IDOR on invoices",
            description="Any user reads any invoice.",
            severity="medium",
            detected_at=DETECTED,
            cvss_vector=CVSS31_CRITICAL,
            cwe_id=639,
            asset="/api/invoices/{id}",
            evidence="GET /api/invoices/2 as user 1",
        )
    return {"finding": finding, "engagement": engagement}


def url(org: Any, finding: Finding) -> str:
    return f"{base(org)}findings/{finding.pk}/"


def stored(org: Any, pk: int) -> Finding:
    with org_scope(org):
        return Finding.objects.get(pk=pk)


def test_patch_changes_only_what_it_names(org_a: Any, owner_a: Any, world: Any) -> None:
    finding = world["finding"]
    response = send(logged_in(owner_a), "PATCH", url(org_a, finding), {"title": "IDOR on all invoices"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["title"] == "IDOR on all invoices"
    assert (data["severity"], data["cwe_id"], data["cvss_score"]) == ("medium", 639, 9.8)
    assert (data["description"], data["evidence"]) == (finding.description, finding.evidence)
    assert data["engagement"]["id"] == world["engagement"].pk and data["asset"] == "/api/invoices/{id}"
    assert data["due_at"] == iso(DETECTED + dt.timedelta(days=14))


def test_patch_of_the_severity_re_triages_from_detection(org_a: Any, owner_a: Any, world: Any) -> None:
    finding = world["finding"]
    with org_scope(org_a):  # a newer, stricter version: the finding keeps its own
        services.create_sla_policy_version(
            actor=principal_for(owner_a, org_a), critical_due_hours=1, critical_target_hours=1
        )
    response = send(logged_in(owner_a), "PATCH", url(org_a, finding), {"severity": "critical"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["sla_policy_version"] == 1
    assert data["due_at"] == iso(DETECTED + dt.timedelta(hours=4))
    assert data["target_at"] == iso(DETECTED + dt.timedelta(hours=2))
    with org_scope(org_a):
        event = AuditEvent.objects.get(action="finding.update")
    assert event.changes["severity"] == ["medium", "critical"]
    assert event.changes["due_at"] == [
        (DETECTED + dt.timedelta(days=14)).isoformat(),
        (DETECTED + dt.timedelta(hours=4)).isoformat(),
    ]


def test_put_replaces_and_clears_what_it_omits(org_a: Any, owner_a: Any, world: Any) -> None:
    finding = world["finding"]
    body = {"title": "IDOR", "severity": "high", "cwe_id": "CWE-285", "engagement": None}
    response = send(logged_in(owner_a), "PUT", url(org_a, finding), body)
    assert response.status_code == 200, response.content
    after = stored(org_a, finding.pk)
    assert (after.title, after.severity, after.cwe_id, after.engagement_id) == ("IDOR", "high", 285, None)
    assert (after.description, after.evidence, after.cvss_vector, after.cvss_score) == ("", "", "", None)
    assert after.due_at == DETECTED + dt.timedelta(hours=48)
    missing = send(logged_in(owner_a), "PUT", url(org_a, finding), {"title": "No severity"})
    assert missing.status_code == 400 and list(missing.json()) == ["severity"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cvss_vector": "CVSS:3.1/AV:Q/AC:L"}, "cvss_vector"),
        ({"cwe_id": "injection"}, "cwe_id"),
        ({"title": "  "}, "title"),
        ({"severity": "urgent"}, "severity"),
        ({"application": 1}, "application"),  # not editable: an unknown field
        ({"detected_at": "2026-01-01T00:00:00Z"}, "detected_at"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    org_a: Any, owner_a: Any, world: Any, changes: dict[str, Any], field: str
) -> None:
    finding = world["finding"]
    response = send(logged_in(owner_a), "PATCH", url(org_a, finding), {"severity": "high", **changes})
    assert response.status_code == 400 and list(response.json()) == [field], response.content
    after = stored(org_a, finding.pk)
    assert (after.severity, after.title, after.due_at) == ("medium", finding.title, finding.due_at)


def test_another_organizations_engagement_reads_as_missing(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, world: Any
) -> None:
    with org_scope(org_b):
        actor_b = principal_for(owner_b, org_b)
        app_b = application(actor_b, "Bravo app")
        vendor_b = services.create_vendor(actor=actor_b, name="Bravo vendor")
        engagement_b = services.create_engagement(
            actor=actor_b,
            vendor=vendor_b,
            application=app_b,
            name="Bravo VAPT",
            window_start=DETECTED,
            window_end=DETECTED + dt.timedelta(days=2),
        )
    finding = world["finding"]
    response = send(logged_in(owner_a), "PATCH", url(org_a, finding), {"engagement": engagement_b.pk})
    assert response.status_code == 400 and list(response.json()) == ["engagement"]
    assert "does not exist" in str(response.json()["engagement"]) and "Bravo" not in response.content.decode()
    assert stored(org_a, finding.pk).engagement_id == world["engagement"].pk
    # And org B cannot reach org A's finding at all: the same 404 as a missing one.
    outsider = send(logged_in(owner_b), "PATCH", f"{base(org_b)}findings/{finding.pk}/", {"title": "x"})
    assert outsider.status_code == 404
    assert stored(org_a, finding.pk).title == "IDOR on invoices"


def test_token_scopes_and_roles(org_a: Any, owner_a: Any, world: Any) -> None:
    finding = world["finding"]
    target = url(org_a, finding)
    for scope in ("read", "audit"):
        client = token_client(org_a, owner_a, scope)
        assert client.get(target).status_code == 200
        assert send(client, "PATCH", target, {"title": f"{scope} edit"}).status_code == 403
        assert send(client, "PUT", target, {"title": f"{scope} edit", "severity": "low"}).status_code == 403
    viewer = logged_in(member(org_a, "viewer"))
    assert send(viewer, "PATCH", target, {"title": "Viewer edit"}).status_code == 403
    assert stored(org_a, finding.pk).title == "IDOR on invoices"
    writer = token_client(org_a, owner_a, "write")
    assert send(writer, "PATCH", target, {"title": "Token edit"}).status_code == 200
    assert stored(org_a, finding.pk).title == "Token edit"
    assert send(writer, "DELETE", target).status_code == 405
