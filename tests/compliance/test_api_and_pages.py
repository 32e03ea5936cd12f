"""The compliance API and pages: CRUD, state in the output, bad input, roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.compliance.helpers import builtin
from tests.factories import member
from trustroom.compliance.models import Certification, ComplianceStatement
from trustroom.tenancy.scope import org_scope
from trustroom.vault.samples import sample_pdf

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def items(data: Any) -> list[Any]:
    return data["results"] if isinstance(data, dict) and "results" in data else data


@pytest.fixture
def api(org_a: Any) -> str:
    return f"/api/v1/orgs/{org_a.slug}/"


def test_frameworks_list_builtin_and_custom(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    created = client.post(
        api + "frameworks/", {"name": "Alpha vendor schedule"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["builtin"] is False
    codes = [f["code"] for f in items(client.get(api + "frameworks/").json())]
    assert {"coppa", "soc2-type2", "iso27001-2013", "custom-alpha-vendor-schedule"} <= set(codes)
    with org_scope(org_a):
        iso = builtin("iso27001-2022")
    detail = client.get(f"{api}frameworks/{iso.pk}/").json()
    assert len(detail["requirements"]) == 123
    bad = client.post(api + "frameworks/", {"name": ""}, content_type="application/json")
    assert bad.status_code == 400 and "name" in bad.json()


def test_statement_crud_with_history(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    with org_scope(org_a):
        pci = builtin("pci-dss").pk
    bad = client.post(
        api + "compliance-statements/",
        {"framework": pci, "status": "not_applicable", "summary": "Cards"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and list(bad.json()) == ["not_applicable_reason"]
    unknown = client.post(
        api + "compliance-statements/",
        {"framework": pci, "status": "compliant", "summary": "x", "colour": "red"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "colour" in unknown.json()
    created = client.post(
        api + "compliance-statements/",
        {
            "framework": pci,
            "status": "not_applicable",
            "summary": "Payment cards",
            "not_applicable_reason": "Card data is handled by a PCI DSS compliant payment processor.",
            "measures": ["No card data stored"],
            "owner": owner_a.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    statement = created.json()
    assert statement["owner"] == "owner@alpha.test" and statement["framework"]["code"] == "pci-dss"
    url = f"{api}compliance-statements/{statement['id']}/"
    assert len(items(client.get(api + "compliance-statements/?status=not_applicable").json())) == 1
    assert items(client.get(api + "compliance-statements/?status=compliant").json()) == []
    changed = client.patch(url, {"visibility": "gated"}, content_type="application/json")
    assert changed.status_code == 200
    history = changed.json()["history"]
    assert [h["number"] for h in history] == [2, 1]
    assert history[0]["changes"] == {"visibility": ["public", "gated"]}
    assert client.delete(url).status_code == 204
    with org_scope(org_a):
        assert not ComplianceStatement.objects.exists()


def test_certification_api_has_state_and_actions(org_a: Any, owner_a: Any, api: str) -> None:
    client = logged_in(owner_a)
    today = dt.datetime.now(dt.UTC).date()
    payload = {
        "kind": "certificate",
        "title": "ISO 27001:2022",
        "series": "iso",
        "valid_from": (today - dt.timedelta(days=1000)).isoformat(),
        "valid_until": (today - dt.timedelta(days=1)).isoformat(),
        "validity_years": 3,
    }
    old = client.post(api + "certifications/", payload, content_type="application/json")
    assert old.status_code == 201, old.content
    assert old.json()["state"] == "expired" and old.json()["surveillance_interval_months"] == 12
    payload |= {"valid_from": today.isoformat(), "valid_until": (today + dt.timedelta(days=1095)).isoformat()}
    new = client.post(api + "certifications/", payload, content_type="application/json").json()
    assert new["state"] == "valid" and new["next_surveillance_audit"] == (
        new["surveillance_audits"][0] if new["surveillance_audits"] else None
    )
    superseded = client.post(
        f"{api}certifications/{old.json()['id']}/supersede/",
        {"superseded_by": new["id"]},
        content_type="application/json",
    )
    assert superseded.status_code == 200 and superseded.json()["state"] == "superseded"
    expired = items(client.get(api + "certifications/?state=superseded").json())
    assert [c["id"] for c in expired] == [old.json()["id"]]
    renewing = client.post(f"{api}certifications/{new['id']}/start-renewal/")
    assert renewing.json()["state"] == "renewal_in_progress"
    bad = client.patch(
        f"{api}certifications/{new['id']}/", {"valid_until": "2000-01-01"}, content_type="application/json"
    )
    assert bad.status_code == 400 and list(bad.json()) == ["valid_until"]
    pdf = sample_pdf(title="Certificate", lines=["ISO 27001"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploaded = client.post(
        f"{api}certifications/{new['id']}/document/",
        {"file": SimpleUploadedFile("iso.pdf", pdf, content_type="application/pdf")},
    )
    assert uploaded.status_code == 200 and uploaded.json()["document"]["page_count"] == 1
    not_pdf = client.post(
        f"{api}certifications/{new['id']}/document/",
        {"file": SimpleUploadedFile("iso.pdf", b"hello", content_type="application/pdf")},
    )
    assert not_pdf.status_code == 400 and "file" in not_pdf.json()


def test_viewers_read_but_cannot_write(org_a: Any, owner_a: Any, api: str) -> None:
    viewer = logged_in(member(org_a, "viewer"))
    with org_scope(org_a):
        gdpr = builtin("gdpr").pk
    assert viewer.get(api + "certifications/").status_code == 200
    assert viewer.get(api + "compliance-statements/").status_code == 200
    body = {"framework": gdpr, "status": "compliant", "summary": "x"}
    assert (
        viewer.post(api + "compliance-statements/", body, content_type="application/json").status_code == 403
    )
    assert viewer.post(api + "frameworks/", {"name": "x"}, content_type="application/json").status_code == 403
    page = f"/o/{org_a.slug}/compliance/"
    assert viewer.get(page).status_code == 200
    assert viewer.get(page + "statements/new/").status_code == 403
    assert viewer.post(page + "statements/new/", body).status_code == 403
    editor = logged_in(member(org_a, "editor"))
    assert editor.post(api + "frameworks/", {"name": "x"}, content_type="application/json").status_code == 403
    assert (
        editor.post(api + "compliance-statements/", body, content_type="application/json").status_code == 201
    )


def test_pages_create_and_edit_with_measures_one_per_line(org_a: Any, owner_a: Any) -> None:
    client = logged_in(owner_a)
    base = f"/o/{org_a.slug}/compliance/"
    with org_scope(org_a):
        coppa = builtin("coppa").pk
    empty = client.get(base).content.decode()
    assert "No compliance statements yet" in empty
    refused = client.post(
        base + "statements/new/",
        {"framework": coppa, "status": "not_applicable", "summary": "Kids", "visibility": "public"},
    )
    assert refused.status_code == 400 and "Say why the framework does not apply." in refused.content.decode()
    response = client.post(
        base + "statements/new/",
        {
            "framework": coppa,
            "status": "compliant",
            "summary": "Children's data",
            "measures": "Consent\nOpt-out\n",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    with org_scope(org_a):
        statement = ComplianceStatement.objects.get()
    assert statement.measures == ["Consent", "Opt-out"]
    edit = client.get(f"{base}statements/{statement.pk}/edit/").content.decode()
    assert "Consent\nOpt-out" in edit
    register = client.get(base + "?status=compliant").content.decode()
    assert "Children&#x27;s data" in register
    partial = client.get(base + "?status=compliant", HTTP_HX_REQUEST="true").content.decode()
    assert "Children&#x27;s data" in partial and "<html" not in partial
    reviewed = client.post(
        f"{base}statements/{statement.pk}/edit/",
        {"framework": coppa, "status": "compliant", "summary": "Children's data", "measures": "Consent",
         "last_reviewed_at": "2026-11-02T10:30", "visibility": "public"},
    )  # fmt: skip
    assert reviewed.status_code == 302
    assert 'value="2026-11-02T10:30"' in client.get(f"{base}statements/{statement.pk}/edit/").content.decode()
    assert "No statement matches" in client.get(base + "?status=non_compliant").content.decode()


def test_certification_pages(org_a: Any, owner_a: Any) -> None:
    client = logged_in(owner_a)
    base = f"/o/{org_a.slug}/compliance/certifications/"
    assert "No certifications yet" in client.get(base).content.decode()
    today = dt.datetime.now(dt.UTC).date()
    response = client.post(
        base + "new/",
        {
            "kind": "certificate",
            "title": "Expired ISO",
            "valid_from": (today - dt.timedelta(days=800)).isoformat(),
            "valid_until": (today - dt.timedelta(days=3)).isoformat(),
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    with org_scope(org_a):
        cert = Certification.objects.get()
    listing = client.get(base).content.decode()
    assert "Expired ISO" in listing and ">Expired<" in listing
    detail = client.get(f"{base}{cert.pk}/").content.decode()
    assert "the trust center shows it as expired" in detail
    assert client.post(f"{base}{cert.pk}/renewal/").status_code == 302
    pdf = sample_pdf(title="Certificate", lines=["ISO"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = client.post(f"{base}{cert.pk}/document/", {"file": SimpleUploadedFile("c.pdf", pdf)})
    assert upload.status_code == 302
    with org_scope(org_a):
        cert.refresh_from_db()
        assert cert.document_id is not None and cert.renewal_started_at is not None
