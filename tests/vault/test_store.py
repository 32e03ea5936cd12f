"""Storing, reading and deleting documents: round trip, encryption at rest, bad uploads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from pypdf import PdfReader, PdfWriter

from tests.factories import member, principal_for
from tests.vault.conftest import store, stored_files
from trustroom.audit.models import AuditEvent
from trustroom.tenancy.scope import org_scope
from trustroom.vault import services
from trustroom.vault.models import Document, OrganizationKey
from trustroom.vault.samples import sample_pdf
from trustroom.vault.selectors import document_bytes

pytestmark = pytest.mark.django_db(transaction=False)


def test_round_trip(actor_a: Any, storage_dir: Path, kek_file: Path) -> None:
    content = sample_pdf(title="ISO 27001 certificate", lines=["Certificate IS 555"], pages=3)
    with org_scope(actor_a.organization):
        doc = services.store_document(
            actor=actor_a, title="ISO 27001", content=content, filename="../../etc/x.pdf"
        )
        assert document_bytes(doc) == content
        assert doc.page_count == 3
        assert doc.size_bytes == len(content)
        assert doc.original_filename == "x.pdf"
        assert "x.pdf" not in doc.storage_name and doc.storage_name.endswith(".enc")
        assert AuditEvent.objects.filter(action="document.uploaded", target_id=str(doc.pk)).count() == 1
        assert OrganizationKey.objects.filter(is_active=True).count() == 1
    # Read back from a fresh row, outside any scope: document_bytes enters the document's scope itself.
    with org_scope(actor_a.organization):
        fresh = Document.objects.get(pk=doc.pk)
    assert document_bytes(fresh) == content
    # The key file was created private.
    assert kek_file.stat().st_mode & 0o777 == 0o600
    assert kek_file.parent.stat().st_mode & 0o777 == 0o700


def test_one_data_key_per_org(actor_a: Any, actor_b: Any, storage_dir: Path) -> None:
    doc_a1 = store(actor_a, "A one")
    doc_a2 = store(actor_a, "A two")
    doc_b = store(actor_b, "B one")
    assert doc_a1.data_key_id == doc_a2.data_key_id
    assert doc_a1.data_key_id != doc_b.data_key_id


PLANTED = "PLANTED-7f3a9c2e-secret-marker-QX81"


def test_raw_store_and_database_never_hold_the_plaintext(actor_a: Any, storage_dir: Path) -> None:
    content = sample_pdf(
        title="Pentest report", lines=[f"Finding detail: {PLANTED}"], pages=2, compress=False
    )
    needle = PLANTED.encode()
    assert needle in content  # the control: the string is visible in the raw bytes of the plaintext PDF
    with org_scope(actor_a.organization):
        doc = services.store_document(
            actor=actor_a, title="Pentest report", content=content, filename="r.pdf"
        )
    assert PLANTED in PdfReader(io.BytesIO(document_bytes(doc))).pages[0].extract_text()
    files = stored_files()
    assert files, "the document should be in the file store"
    for path in files:
        raw = path.read_bytes()
        assert needle not in raw, f"plaintext found in {path}"
        assert b"%PDF" not in raw, f"an unencrypted PDF in {path}"
    # Every row of every table (the organization's rows, on PostgreSQL), as the database returns it.
    with org_scope(actor_a.organization), connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert "vault_document" in tables and "audit_auditevent" in tables
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                for value in row:
                    blob = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
                    assert needle not in blob


def test_document_from_another_org_or_document_does_not_decrypt(
    actor_a: Any, actor_b: Any, storage_dir: Path
) -> None:
    from trustroom.vault.crypto import DecryptionError

    doc_a = store(actor_a, "A report")
    doc_a2 = store(actor_a, "A second report")
    doc_b = store(actor_b, "B report")
    # Put org A's ciphertext where org B's document lives, and where A's other document lives.
    raw_a = (storage_dir / doc_a.storage_name).read_bytes()
    (storage_dir / doc_b.storage_name).write_bytes(raw_a)
    (storage_dir / doc_a2.storage_name).write_bytes(raw_a)
    with pytest.raises(DecryptionError):
        document_bytes(doc_b)
    with pytest.raises(DecryptionError):
        document_bytes(doc_a2)
    # A flipped byte fails too.
    tampered = bytearray(raw_a)
    tampered[-5] ^= 0x01
    (storage_dir / doc_a.storage_name).write_bytes(bytes(tampered))
    with pytest.raises(DecryptionError):
        document_bytes(doc_a)


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(sample_pdf(title="Locked", lines=["x"]))))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD_UPLOADS = {
    "plain text named .pdf": (b"This is just text, not a PDF.\n" * 20, "report.pdf", "not a PDF"),
    "png bytes": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "report.pdf", "not a PDF"),
    "empty": (b"", "report.pdf", "empty"),
    "truncated": (None, "report.pdf", "incomplete"),
    "encrypted": (None, "report.pdf", "password"),
    "garbage after header": (
        b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n",
        "x.pdf",
        "could not be read",
    ),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_upload_is_refused_and_leaves_nothing(case: str, actor_a: Any, storage_dir: Path) -> None:
    content, filename, message = BAD_UPLOADS[case]
    if case == "truncated":
        full = sample_pdf(title="Truncated", lines=["x"], pages=3)
        content = full[: len(full) // 2]
    elif case == "encrypted":
        content = _encrypted_pdf()
    assert content is not None
    with org_scope(actor_a.organization):
        with pytest.raises(ValidationError) as excinfo:
            services.store_document(actor=actor_a, title="Bad", content=content, filename=filename)
        assert message in " ".join(excinfo.value.message_dict["file"])
        assert not Document.objects.exists()
        assert not AuditEvent.objects.filter(action="document.uploaded").exists()
    assert stored_files() == []


def test_pdf_named_txt_is_accepted(actor_a: Any, storage_dir: Path) -> None:
    content = sample_pdf(title="Renamed", lines=["x"])
    with org_scope(actor_a.organization):
        doc = services.store_document(actor=actor_a, title="Renamed", content=content, filename="notes.txt")
    assert doc.content_type == "application/pdf"
    assert doc.download_filename.endswith(".pdf")


def test_oversized_upload_is_refused(actor_a: Any, storage_dir: Path, settings: Any) -> None:
    settings.TRUSTROOM_VAULT_MAX_UPLOAD_MB = 1
    content = sample_pdf(title="Big", lines=["x"])
    content = content.replace(b"%%EOF", b"%" + b"x" * (1024 * 1024) + b"\n%%EOF")
    with org_scope(actor_a.organization):
        with pytest.raises(ValidationError) as excinfo:
            services.store_document(actor=actor_a, title="Big", content=content, filename="big.pdf")
        assert "at most 1 MB" in excinfo.value.message_dict["file"][0]
        assert not Document.objects.exists()
    assert stored_files() == []


def test_too_many_pages_is_refused(actor_a: Any, storage_dir: Path, settings: Any) -> None:
    settings.TRUSTROOM_VAULT_MAX_PAGES = 2
    content = sample_pdf(title="Long", lines=["x"], pages=3)
    with org_scope(actor_a.organization), pytest.raises(ValidationError) as excinfo:
        services.store_document(actor=actor_a, title="Long", content=content, filename="long.pdf")
    assert "3 pages" in excinfo.value.message_dict["file"][0]


def test_title_is_required(actor_a: Any, storage_dir: Path) -> None:
    with org_scope(actor_a.organization), pytest.raises(ValidationError) as excinfo:
        services.store_document(
            actor=actor_a, title="  ", content=sample_pdf(title="x", lines=[]), filename="a.pdf"
        )
    assert "title" in excinfo.value.message_dict


def test_failed_row_write_removes_the_stored_file(actor_a: Any, storage_dir: Path, monkeypatch: Any) -> None:
    from trustroom.vault import services as vault_services

    def failing_record_event(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(vault_services, "record_event", failing_record_event)
    with org_scope(actor_a.organization):
        with pytest.raises(RuntimeError):
            services.store_document(
                actor=actor_a, title="Doomed", content=sample_pdf(title="x", lines=[]), filename="a.pdf"
            )
        assert not Document.objects.exists()
    assert stored_files() == []


def test_viewer_may_not_upload_or_delete(org_a: Any, actor_a: Any, storage_dir: Path) -> None:
    viewer = principal_for(member(org_a, "viewer"), org_a)
    doc = store(actor_a, "Kept")
    with org_scope(org_a):
        with pytest.raises(PermissionDenied):
            services.store_document(
                actor=viewer, title="x", content=sample_pdf(title="x", lines=[]), filename="a.pdf"
            )
        with pytest.raises(PermissionDenied):
            services.delete_document(actor=viewer, document=doc)


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_delete_removes_row_and_file_after_commit(actor_a: Any, storage_dir: Path) -> None:
    doc = store(actor_a, "To delete")
    assert len(stored_files()) == 1
    with org_scope(actor_a.organization):
        services.delete_document(actor=actor_a, document=doc)
        assert not Document.objects.filter(pk=doc.pk).exists()
        assert AuditEvent.objects.filter(action="document.deleted").count() == 1
    assert stored_files() == []


def _inflating_pdf(megabytes: int) -> bytes:
    """A one-page PDF whose content stream is a few hundred KB compressed and huge inflated."""
    import zlib

    from pypdf.generic import EncodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    stream = EncodedStreamObject()
    stream._data = zlib.compress(b"0" * (megabytes * 1024 * 1024), 6)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_decompression_bomb_is_refused(actor_a: Any, storage_dir: Path) -> None:
    content = _inflating_pdf(200)
    assert len(content) < 1024 * 1024
    with org_scope(actor_a.organization):
        with pytest.raises(ValidationError) as excinfo:
            services.store_document(actor=actor_a, title="Bomb", content=content, filename="bomb.pdf")
        assert "too much memory" in excinfo.value.message_dict["file"][0]
        assert not Document.objects.exists()
    assert stored_files() == []


def test_the_checking_process_runs_under_a_memory_limit() -> None:
    """The parse happens in a child process with an address-space cap: over it, the file is refused."""
    from trustroom.vault.pdfinspect import PdfRejected, inspect_pdf

    content = sample_pdf(title="Fine", lines=["x"], pages=2)
    assert inspect_pdf(content, max_pages=10).page_count == 2
    with pytest.raises(PdfRejected) as excinfo:
        inspect_pdf(content, max_pages=10, memory_bytes=16 * 1024 * 1024)
    assert excinfo.value.code == "too_complex"


def test_a_wrapped_data_key_moved_to_another_organization_does_not_unwrap(
    actor_a: Any, actor_b: Any, storage_dir: Path
) -> None:
    from trustroom.vault import keys
    from trustroom.vault.crypto import DecryptionError

    doc_a = store(actor_a, "A report")
    doc_b = store(actor_b, "B report")
    with org_scope(actor_a.organization):
        key_a = OrganizationKey.objects.get(pk=doc_a.data_key_id)
    with org_scope(actor_b.organization):
        key_b = OrganizationKey.objects.get(pk=doc_b.data_key_id)
    assert keys.unwrap(key_b)
    key_b.wrapped_key = bytes(key_a.wrapped_key)  # same KEK, but bound to organization A
    with pytest.raises(DecryptionError):
        keys.unwrap(key_b)
