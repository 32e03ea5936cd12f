"""The VAPT programme API: vendors, applications (computed schedule and safe to host), engagements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessments.api_support import base, items, logged_in, post, send, token_client
from tests.assessments.helpers import CVSS31_CRITICAL, application, completed_engagement
from tests.factories import member, principal_for
from trustroom.assessments import services
from trustroom.assessments.models import Application, Engagement, Vendor
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.vault.samples import sample_pdf
from trustroom.vault.services import store_document

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def report(org: Any, owner: Any, title: str = "VAPT report") -> int:
    with org_scope(org):
        document = store_document(
            actor=principal_for(owner, org),
            title=title,
            content=sample_pdf(title=title, lines=["findings"], pages=1),
            filename="report.pdf",
        )
    return int(document.pk)


def count(org: Any, model: type[Any]) -> int:
    with org_scope(org):
        return int(model.objects.count())


# --- Vendors ------------------------------------------------------------------------------------------


def test_vendor_create_read_replace_and_change(org_a: Any, owner_a: Any) -> None:
    client, url = logged_in(owner_a), base(org_a) + "vendors/"
    created = post(client, url, {"name": "Sumasoft", "accreditation": "CERT-In #50"})
    assert created.status_code == 201, created.content
    vendor = created.json()
    assert vendor["name"] == "Sumasoft" and vendor["contacts"] == ""
    assert [v["name"] for v in items(client.get(url))] == ["Sumasoft"]
    detail = f"{url}{vendor['id']}/"
    assert client.get(detail).json()["accreditation"] == "CERT-In #50"
    patched = send(client, "PATCH", detail, {"contacts": "pentest@sumasoft.example"})
    assert patched.status_code == 200
    assert patched.json() | {} == vendor | {"contacts": "pentest@sumasoft.example"}
    replaced = send(client, "PUT", detail, {"name": "Sumasoft Ltd"})
    assert replaced.status_code == 200
    assert replaced.json()["accreditation"] == "" and replaced.json()["contacts"] == ""  # PUT replaces
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="vendor.update").count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "sumasoft"}, "name"),  # the same name, differently cased
        ({"name": "Other", "rating": 5}, "rating"),
        ({"accreditation": "x"}, "name"),
    ],
)
def test_vendor_bad_input_names_the_field_and_writes_nothing(
    org_a: Any, owner_a: Any, payload: dict[str, Any], field: str
) -> None:
    client, url = logged_in(owner_a), base(org_a) + "vendors/"
    assert post(client, url, {"name": "Sumasoft"}).status_code == 201
    response = post(client, url, payload)
    assert response.status_code == 400 and list(response.json()) == [field]
    assert count(org_a, Vendor) == 1


def test_vendor_permissions_by_role_and_token_scope(org_a: Any, owner_a: Any) -> None:
    url = base(org_a) + "vendors/"
    viewer = logged_in(member(org_a, "viewer"))
    assert viewer.get(url).status_code == 200
    assert post(viewer, url, {"name": "Viewer's vendor"}).status_code == 403
    for scope in ("read", "audit"):
        client = token_client(org_a, owner_a, scope)
        assert client.get(url).status_code == 200
        assert post(client, url, {"name": f"{scope} vendor"}).status_code == 403
    writer = token_client(org_a, owner_a, "write")
    created = post(writer, url, {"name": "Token vendor"})
    assert created.status_code == 201
    detail = f"{url}{created.json()['id']}/"
    assert send(token_client(org_a, owner_a, "read"), "PATCH", detail, {"name": "Renamed"}).status_code == 403
    assert send(writer, "PATCH", detail, {"name": "Renamed"}).status_code == 200
    # A write token acts as an editor; deleting is a manager's.
    assert send(writer, "DELETE", detail).status_code == 403
    assert count(org_a, Vendor) == 1


# --- Applications -------------------------------------------------------------------------------------


def test_application_defaults_cadence_and_filters_by_criticality(org_a: Any, owner_a: Any) -> None:
    client, url = logged_in(owner_a), base(org_a) + "applications/"
    critical = post(client, url, {"name": "GSP portal", "criticality": "critical"})
    assert critical.status_code == 201, critical.content
    assert critical.json()["test_cadence"] == "twice_a_year"
    low = post(client, url, {"name": "Blog", "criticality": "low", "test_cadence": "quarterly"})
    assert low.json()["test_cadence"] == "quarterly"
    assert [a["name"] for a in items(client.get(url + "?criticality=critical"))] == ["GSP portal"]
    assert [a["name"] for a in items(client.get(url))] == ["Blog", "GSP portal"]
    bad_filter = client.get(url + "?criticality=extreme")
    assert bad_filter.status_code == 400 and list(bad_filter.json()) == ["criticality"]
    bad = post(client, url, {"name": "Intranet", "criticality": "extreme"})
    assert bad.status_code == 400 and list(bad.json()) == ["criticality"]
    computed = post(client, url, {"name": "Intranet", "criticality": "low", "overdue": False})
    assert computed.status_code == 400 and list(computed.json()) == ["overdue"]
    assert count(org_a, Application) == 2
    patched = send(client, "PATCH", f"{url}{low.json()['id']}/", {"description": "Marketing site"})
    assert patched.status_code == 200
    assert patched.json()["description"] == "Marketing site" and patched.json()["test_cadence"] == "quarterly"


def test_application_schedule_and_safe_to_host_change_with_time(org_a: Any, owner_a: Any) -> None:
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        app = application(actor)
        completed_engagement(actor, app, end=NOW - dt.timedelta(days=30))
        untested = application(actor, name="Intranet", criticality="low")
    url = base(org_a) + "applications/"
    with time_machine.travel(NOW, tick=False):
        client = logged_in(owner_a)
        fresh = client.get(f"{url}{app.pk}/").json()
        assert fresh["last_tested_at"] == "2026-05-02T09:00:00Z"
        assert fresh["next_test_due_at"] == "2026-11-02T09:00:00Z"
        assert fresh["overdue"] is False and fresh["safe_to_host"] is True
        assert fresh["safe_to_host_reasons"] == []
        never = client.get(f"{url}{untested.pk}/").json()
        assert never["last_tested_at"] is None and never["overdue"] is True
        assert never["safe_to_host_reasons"] == [
            "No completed VAPT engagement is recorded for this application."
        ]
        with org_scope(org_a):
            services.create_finding(
                actor=actor, application=app, title="RCE", severity="critical", cvss_vector=CVSS31_CRITICAL
            )
        blocked = client.get(f"{url}{app.pk}/").json()
        assert blocked["safe_to_host"] is False
        assert blocked["safe_to_host_reasons"] == [
            "Unresolved findings: 1 critical (open, reopened or awaiting retest)."
        ]
    with time_machine.travel(NOW + dt.timedelta(days=160), tick=False):
        late = logged_in(owner_a).get(f"{url}{app.pk}/").json()
        assert late["overdue"] is True and len(late["safe_to_host_reasons"]) == 2
        with org_scope(org_a):
            listed = {a["id"]: a for a in items(logged_in(owner_a).get(url))}
            assert listed[app.pk] == late  # the list computes exactly what the detail does


def test_application_list_costs_no_query_per_row(org_a: Any, owner_a: Any) -> None:
    url, client = base(org_a) + "applications/", logged_in(owner_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(items(client.get(url))) >= 1
        return len(captured)

    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        first = application(actor, name="App 0")
        completed_engagement(actor, first, end=NOW)
    one = queries()
    with org_scope(org_a):
        for number in range(1, 6):
            app = application(actor, name=f"App {number}")
            completed_engagement(actor, app, end=NOW)
            services.create_finding(actor=actor, application=app, title="XSS", severity="high")
    assert queries() == one


# --- Engagements --------------------------------------------------------------------------------------


@pytest.fixture
def programme(org_a: Any, owner_a: Any) -> dict[str, int]:
    with org_scope(org_a):
        actor = principal_for(owner_a, org_a)
        vendor = services.create_vendor(actor=actor, name="Sumasoft")
        app = application(actor)
    return {"vendor": vendor.pk, "application": app.pk, "document": report(org_a, owner_a)}


def engagement_payload(ids: dict[str, int], **changes: Any) -> dict[str, Any]:
    return {
        "vendor": ids["vendor"],
        "application": ids["application"],
        "name": "H1 VAPT",
        "window_start": "2026-05-04T09:00:00Z",
        "window_end": "2026-05-15T18:00:00Z",
        "scope_areas": ["authentication_session", "owasp_top_10"],
        "report_documents": [ids["document"]],
    } | changes


def test_engagement_create_update_complete(org_a: Any, owner_a: Any, programme: dict[str, int]) -> None:
    client, url = logged_in(owner_a), base(org_a) + "engagements/"
    created = post(client, url, engagement_payload(programme))
    assert created.status_code == 201, created.content
    engagement = created.json()
    assert engagement["status"] == "planned" and engagement["vendor"]["name"] == "Sumasoft"
    assert [d["id"] for d in engagement["report_documents"]] == [programme["document"]]
    detail = f"{url}{engagement['id']}/"
    started = send(client, "PATCH", detail, {"status": "in_progress", "name": "H1 VAPT 2026"})
    assert started.status_code == 200
    assert (
        started.json()["status"] == "in_progress"
        and started.json()["scope_areas"] == engagement["scope_areas"]
    )
    assert started.json()["report_documents"] == engagement["report_documents"]
    refused = send(client, "PATCH", detail, {"status": "completed"})
    assert refused.status_code == 400 and list(refused.json()) == ["status"]
    moved = send(client, "PATCH", detail, {"vendor": programme["vendor"]})
    assert moved.status_code == 400 and list(moved.json()) == ["vendor"]
    second = report(org_a, owner_a, "Retest report")
    done = post(
        client, detail + "complete/", {"window_end": "2026-05-14T18:00:00Z", "report_documents": [second]}
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed" and done.json()["window_end"] == "2026-05-14T18:00:00Z"
    assert {d["id"] for d in done.json()["report_documents"]} == {programme["document"], second}
    again = post(client, detail + "complete/")
    assert again.status_code == 400 and list(again.json()) == ["status"]
    assert [e["id"] for e in items(client.get(url + "?status=completed"))] == [engagement["id"]]
    assert items(client.get(url + "?status=planned")) == []
    assert (
        len(items(client.get(f"{url}?application={programme['application']}&vendor={programme['vendor']}")))
        == 1
    )
    assert items(client.get(f"{url}?vendor={programme['vendor'] + 1000}")) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"window_end": "2026-05-01T09:00:00Z"}, "window_end"),
        ({"window_end": "mid May"}, "window_end"),
        ({"scope_areas": ["physical_security"]}, "scope_areas"),
        ({"name": ""}, "name"),
        ({"application": None}, "application"),
    ],
)
def test_engagement_bad_input_names_the_field(
    org_a: Any, owner_a: Any, programme: dict[str, int], changes: dict[str, Any], field: str
) -> None:
    response = post(
        logged_in(owner_a), base(org_a) + "engagements/", engagement_payload(programme, **changes)
    )
    assert response.status_code == 400 and list(response.json()) == [field]
    assert count(org_a, Engagement) == 0


def test_engagement_refuses_ids_of_another_organization(
    org_a: Any, owner_a: Any, org_b: Any, owner_b: Any, programme: dict[str, int]
) -> None:
    with org_scope(org_b):
        actor_b = principal_for(owner_b, org_b)
        foreign = {
            "vendor": services.create_vendor(actor=actor_b, name="Bravo vendor").pk,
            "application": application(actor_b, name="Bravo app").pk,
            "document": report(org_b, owner_b, "Bravo report"),
        }
    client, url = logged_in(owner_a), base(org_a) + "engagements/"
    for key, field in (
        ("vendor", "vendor"),
        ("application", "application"),
        ("document", "report_documents"),
    ):
        ids = programme | {key: foreign[key]}
        response = post(client, url, engagement_payload(ids))
        assert response.status_code == 400 and list(response.json()) == [field], key
        assert "does not exist" in str(response.json()[field])  # exactly as for a missing id
        assert "Bravo" not in response.content.decode()
    assert count(org_a, Engagement) == 0
    created = post(client, url, engagement_payload(programme)).json()
    detail = f"{url}{created['id']}/"
    patched = send(client, "PATCH", detail, {"report_documents": [foreign["document"]]})
    assert patched.status_code == 400 and list(patched.json()) == ["report_documents"]
    completing = post(client, detail + "complete/", {"report_documents": [foreign["document"]]})
    assert completing.status_code == 400 and list(completing.json()) == ["report_documents"]
    assert client.get(detail).json()["status"] == "planned"


def test_engagement_scopes_and_list_queries(org_a: Any, owner_a: Any, programme: dict[str, int]) -> None:
    url = base(org_a) + "engagements/"
    reader, writer = token_client(org_a, owner_a, "read"), token_client(org_a, owner_a, "write")
    assert post(reader, url, engagement_payload(programme)).status_code == 403
    created = post(writer, url, engagement_payload(programme))
    assert created.status_code == 201
    complete = f"{url}{created.json()['id']}/complete/"
    assert post(reader, complete).status_code == 403
    assert post(token_client(org_a, owner_a, "audit"), complete).status_code == 403

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert items(reader.get(url))
        return len(captured)

    queries()  # the token's first use of the day is recorded once
    one = queries()
    for number in range(4):
        post(writer, url, engagement_payload(programme, name=f"VAPT {number}"))
    assert queries() == one
    assert post(writer, complete).status_code == 200


# --- SLA policy ---------------------------------------------------------------------------------------


def test_sla_policy_versions_managers_only(org_a: Any, owner_a: Any) -> None:
    url = base(org_a) + "sla-policies/"
    owner = logged_in(owner_a)
    current = owner.get(url + "current/")
    assert current.status_code == 200
    assert current.json()["id"] is None and current.json()["critical_due_hours"] == 4
    assert count(org_a, AuditEvent) == 0 and items(owner.get(url)) == []  # reading wrote nothing
    editor = logged_in(member(org_a, "editor"))
    assert post(editor, url, {"critical_due_hours": 3}).status_code == 403
    assert post(token_client(org_a, owner_a, "write"), url, {"critical_due_hours": 3}).status_code == 403
    bad = post(owner, url, {"high_due_hours": 10, "high_target_hours": 20})
    assert bad.status_code == 400 and list(bad.json()) == ["high_target_hours"]
    past = post(owner, url, {"effective_from": "2020-01-01T00:00:00Z"})
    assert past.status_code == 400 and list(past.json()) == ["effective_from"]
    created = post(owner, url, {"critical_due_hours": 3, "critical_target_hours": 2})
    assert created.status_code == 201, created.content
    version = created.json()
    assert version["critical_due_hours"] == 3 and version["high_due_hours"] == 48
    assert owner.get(url + "current/").json()["id"] == version["id"]
    assert [p["version"] for p in items(token_client(org_a, owner_a, "read").get(url))] == [
        version["version"],
        version["version"] - 1,
    ]
    assert editor.get(f"{url}{version['id']}/").json() == version


@pytest.mark.parametrize(("scope", "writes"), [("read", False), ("audit", False), ("write", True)])
def test_application_and_sla_policy_token_scopes(org_a: Any, owner_a: Any, scope: str, writes: bool) -> None:
    client = token_client(org_a, owner_a, scope)
    url = base(org_a) + "applications/"
    created = post(client, url, {"name": "Token app", "criticality": "high"})
    assert created.status_code == (201 if writes else 403)
    with org_scope(org_a):
        pk = application(principal_for(owner_a, org_a), name="Owner app").pk
    assert client.get(f"{url}{pk}/").json()["name"] == "Owner app"
    patched = send(client, "PATCH", f"{url}{pk}/", {"criticality": "low"})
    assert patched.status_code == (200 if writes else 403)
    assert count(org_a, Application) == (2 if writes else 1)
    policies = base(org_a) + "sla-policies/"
    assert client.get(policies + "current/").status_code == 200
    assert post(client, policies, {"critical_due_hours": 3}).status_code == 403  # owners and admins only
