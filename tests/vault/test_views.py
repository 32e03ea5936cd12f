"""The vault pages and API: list, upload, detail, download, delete."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import member
from tests.vault.conftest import store, stored_files
from trustroom.audit.models import AuditEvent
from trustroom.identity.services import create_api_token
from trustroom.tenancy.scope import org_scope
from trustroom.vault.models import Document
from trustroom.vault.samples import sample_pdf

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_upload(name: str = "cert.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content or sample_pdf(title="Cert", lines=["ISO 27001"]), "application/pdf"
    )


def test_empty_list_then_upload_detail_download_delete(org_a: Any, owner_a: Any, storage_dir: Path) -> None:
    client = _client(owner_a)
    url = reverse("vault:documents", kwargs={"org_slug": org_a.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert b"No documents yet" in page.content

    form = client.get(reverse("vault:upload", kwargs={"org_slug": org_a.slug}))
    assert b'accept="application/pdf,.pdf"' in form.content
    response = client.post(
        reverse("vault:upload", kwargs={"org_slug": org_a.slug}),
        {"title": "ISO 27001 certificate", "file": _pdf_upload()},
    )
    assert response.status_code == 302
    with org_scope(org_a):
        doc = Document.objects.get()
    assert response["Location"] == reverse("vault:detail", kwargs={"org_slug": org_a.slug, "pk": doc.pk})
    assert b"ISO 27001 certificate" in client.get(url).content
    detail = client.get(response["Location"])
    assert b"cert.pdf" in detail.content and doc.sha256.encode() in detail.content

    download = client.get(reverse("vault:download", kwargs={"org_slug": org_a.slug, "pk": doc.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="iso-27001-certificate-{doc.pk}.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "ISO 27001" in PdfReader(io.BytesIO(download.content)).pages[0].extract_text()
    with org_scope(org_a):
        assert AuditEvent.objects.filter(action="document.downloaded", target_id=str(doc.pk)).count() == 1

    delete_url = reverse("vault:delete", kwargs={"org_slug": org_a.slug, "pk": doc.pk})
    assert b"cannot be undone" in client.get(delete_url).content
    assert client.post(delete_url).status_code == 302
    with org_scope(org_a):
        assert not Document.objects.exists()


def test_bad_upload_shows_the_error_and_stores_nothing(org_a: Any, owner_a: Any, storage_dir: Path) -> None:
    client = _client(owner_a)
    response = client.post(
        reverse("vault:upload", kwargs={"org_slug": org_a.slug}),
        {"title": "Not a PDF", "file": SimpleUploadedFile("x.pdf", b"hello world" * 50, "application/pdf")},
    )
    assert response.status_code == 400
    assert b"The file is not a PDF" in response.content
    with org_scope(org_a):
        assert not Document.objects.exists()
    assert stored_files() == []


def test_oversized_upload_is_refused_before_reading(
    org_a: Any, owner_a: Any, storage_dir: Path, settings: Any
) -> None:
    settings.TRUSTROOM_VAULT_MAX_UPLOAD_MB = 1
    client = _client(owner_a)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10), "application/pdf")
    response = client.post(
        reverse("vault:upload", kwargs={"org_slug": org_a.slug}), {"title": "Big", "file": big}
    )
    assert response.status_code == 400
    assert b"at most 1 MB" in response.content


def test_viewer_reads_and_downloads_but_cannot_upload_or_delete(
    org_a: Any, owner_a: Any, actor_a: Any, storage_dir: Path
) -> None:
    doc = store(actor_a, "Pentest summary")
    client = _client(member(org_a, "viewer"))
    listing = client.get(reverse("vault:documents", kwargs={"org_slug": org_a.slug}))
    assert b"Pentest summary" in listing.content and b"Upload a document" not in listing.content
    assert (
        client.get(reverse("vault:download", kwargs={"org_slug": org_a.slug, "pk": doc.pk})).status_code
        == 200
    )
    assert client.get(reverse("vault:upload", kwargs={"org_slug": org_a.slug})).status_code == 403
    assert (
        client.post(reverse("vault:delete", kwargs={"org_slug": org_a.slug, "pk": doc.pk})).status_code == 403
    )


def test_other_org_document_is_404(
    org_a: Any, actor_a: Any, owner_b: Any, org_b: Any, storage_dir: Path
) -> None:
    doc = store(actor_a, "A only")
    client = _client(owner_b)
    for name in ("vault:detail", "vault:download", "vault:delete"):
        assert client.get(reverse(name, kwargs={"org_slug": org_b.slug, "pk": doc.pk})).status_code == 404
        assert client.get(reverse(name, kwargs={"org_slug": org_a.slug, "pk": doc.pk})).status_code == 404


# --- API -----------------------------------------------------------------------------------------------


def _token_client(org: Any, actor: Any, scope: str = "write") -> Client:
    with org_scope(org):
        _, raw = create_api_token(actor=actor, name="ci", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_api_upload_list_retrieve_download_delete(org_a: Any, actor_a: Any, storage_dir: Path) -> None:
    client = _token_client(org_a, actor_a)
    base = f"/api/v1/orgs/{org_a.slug}/documents/"
    created = client.post(base, {"title": "PCI DSS AoC", "file": _pdf_upload("aoc.pdf")})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["title"] == "PCI DSS AoC" and body["page_count"] == 1 and body["original_filename"] == "aoc.pdf"
    )
    assert "storage_name" not in body
    listing = client.get(base).json()
    assert [d["id"] for d in listing["results"]] == [body["id"]]
    assert client.get(f"{base}{body['id']}/").json()["sha256"] == body["sha256"]
    download = client.get(f"{base}{body['id']}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment; filename=")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download.content.startswith(b"%PDF")
    assert client.delete(f"{base}{body['id']}/").status_code == 204
    assert client.get(f"{base}{body['id']}/").status_code == 404


def test_api_bad_upload_is_a_400_on_file(org_a: Any, actor_a: Any, storage_dir: Path) -> None:
    client = _token_client(org_a, actor_a)
    base = f"/api/v1/orgs/{org_a.slug}/documents/"
    response = client.post(
        base, {"title": "Notes", "file": SimpleUploadedFile("notes.pdf", b"plain text" * 40)}
    )
    assert response.status_code == 400
    assert "not a PDF" in response.json()["file"][0]
    missing = client.post(base, {"title": "No file"})
    assert missing.status_code == 400 and "file" in missing.json()
    with org_scope(org_a):
        assert not Document.objects.exists()


def test_api_read_token_cannot_upload(org_a: Any, actor_a: Any, storage_dir: Path) -> None:
    client = _token_client(org_a, actor_a, scope="read")
    response = client.post(f"/api/v1/orgs/{org_a.slug}/documents/", {"title": "x", "file": _pdf_upload()})
    assert response.status_code == 403
