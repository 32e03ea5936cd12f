"""Reads of the vault. Documents are only ever read decrypted, in their organization's scope."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from trustroom.tenancy.narrowing import unnarrowed
from trustroom.tenancy.scope import org_scope
from trustroom.vault import crypto, keys
from trustroom.vault.models import Document, OrganizationKey


def documents() -> QuerySet[Document]:
    """The current organization's documents (raises outside an organization scope)."""
    return Document.objects.select_related("uploaded_by").order_by("-created_at", "-id")


def read_ciphertext(document: Document) -> bytes:
    with default_storage.open(document.storage_name, "rb") as handle:
        data: bytes = handle.read()
    return data


def document_bytes(document: Document) -> bytes:
    """The document's plaintext PDF. Runs in the document's organization scope (entered if needed).

    Raises `crypto.DecryptionError` if the stored bytes do not authenticate under this organization's
    key and this document's id (tampered, or moved from another document or organization).
    """
    with org_scope(document.organization), unnarrowed():  # key material: internal, never a reader's row
        org_key = OrganizationKey.objects.get(pk=document.data_key_id)
    # Outside the scope's atomic block: a failure to decrypt must not doom the caller's transaction.
    data_key = keys.unwrap(org_key)
    return crypto.decrypt_document(
        data_key,
        read_ciphertext(document),
        organization_id=document.organization_id,
        document_uid=str(document.uid),
    )
