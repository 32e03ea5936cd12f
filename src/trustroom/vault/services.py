"""Writes of the vault: store, delete and (audit) download documents."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError

from trustroom.audit.services import record_event
from trustroom.tenancy import policies
from trustroom.tenancy.principal import Principal
from trustroom.tenancy.scope import require_org
from trustroom.vault import crypto, keys
from trustroom.vault.filenames import display_filename
from trustroom.vault.models import Document, OrganizationKey
from trustroom.vault.pdfinspect import PdfRejected, inspect_pdf

PDF_CONTENT_TYPE = "application/pdf"


def max_upload_bytes() -> int:
    return int(getattr(settings, "TRUSTROOM_VAULT_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def max_pages() -> int:
    return int(getattr(settings, "TRUSTROOM_VAULT_MAX_PAGES", 2000))


def _storage_name(organization_id: int) -> str:
    # Made by the server, never from the uploaded name: no path tricks, nothing guessable.
    return f"vault/{organization_id}/{secrets.token_hex(20)}.enc"


@transaction.atomic
def store_document(*, actor: Principal, title: str, content: bytes, filename: str) -> Document:
    """Check that `content` is a readable, unencrypted PDF within the limits; store it encrypted.

    Nothing is half-written: a refused file leaves no row and no stored file; if writing the row fails,
    the stored ciphertext is removed again.
    """
    policies.check(actor, "add", Document)
    org = require_org()
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Give the document a title."
    elif len(title) > 200:
        errors["title"] = "Keep the title to 200 characters or fewer."
    limit = max_upload_bytes()
    if len(content) > limit:
        errors["file"] = (
            f"The file is {len(content) / 1024 / 1024:.1f} MB; "
            f"at most {settings.TRUSTROOM_VAULT_MAX_UPLOAD_MB} MB is allowed."
        )
    if errors:
        raise ValidationError(errors)
    try:
        info = inspect_pdf(content, max_pages=max_pages())
    except PdfRejected as exc:
        raise ValidationError({"file": exc.message}) from exc

    org_key, data_key = keys.active_key(actor=actor)
    uid = uuid.uuid4()
    blob = crypto.encrypt_document(data_key, content, organization_id=org.pk, document_uid=str(uid))
    storage_name = default_storage.save(_storage_name(org.pk), ContentFile(blob))
    try:
        with transaction.atomic():
            document = Document.objects.create(
                organization=org,
                uid=uid,
                title=title,
                original_filename=display_filename(filename),
                content_type=PDF_CONTENT_TYPE,
                size_bytes=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                page_count=info.page_count,
                storage_name=storage_name,
                data_key=org_key,
                uploaded_by=actor.user if actor.is_member else None,
            )
            record_event(
                actor=actor,
                action="document.uploaded",
                target=document,
                changes={
                    "title": title,
                    "size_bytes": len(content),
                    "page_count": info.page_count,
                    "sha256": document.sha256,
                },
            )
    except BaseException:
        default_storage.delete(storage_name)
        raise
    return document


@transaction.atomic
def delete_document(*, actor: Principal, document: Document) -> None:
    """Delete the row now and the stored ciphertext once the transaction has committed."""
    policies.check(actor, "delete", document)
    storage_name = document.storage_name
    record_event(
        actor=actor,
        action="document.deleted",
        target=document,
        changes={"title": document.title, "sha256": document.sha256},
    )
    try:
        with transaction.atomic():
            document.delete()
    except ProtectedError as exc:
        raise ValidationError(
            "This document is still used (for example by a certification or report); remove it there first."
        ) from exc
    transaction.on_commit(lambda: default_storage.delete(storage_name))


@transaction.atomic
def record_download(*, actor: Principal, document: Document, watermarked: bool = False) -> None:
    """Audit a member's download of a stored document (the bytes come from selectors.document_bytes)."""
    policies.check(actor, "view", document)
    record_event(
        actor=actor,
        action="document.downloaded",
        target=document,
        changes={"title": document.title, "watermarked": watermarked},
    )


@transaction.atomic
def rotate_data_key(*, actor: Principal) -> OrganizationKey:
    """Give the scope's organization a new data key and re-encrypt every document with it (and what other
    apps registered in `trustroom.vault.rotation`, e.g. questionnaire originals).

    For use by the `vault rotate-keys --data-keys` command (data keys are not managed through views).
    All or nothing per organization: new ciphertexts go to new storage names and the rows switch to
    them in one transaction; the old files and the old keys go once it has committed (on failure the
    new files are removed instead). One audit event per organization.
    """
    from trustroom.vault.rotation import reencrypt_all
    from trustroom.vault.selectors import read_ciphertext

    org = require_org()
    if actor.organization.pk != org.pk:
        raise PermissionDenied("The actor belongs to another organization.")
    old_keys = {key.pk: key for key in OrganizationKey.objects.select_for_update().order_by("version")}
    version = max((key.version for key in old_keys.values()), default=0) + 1
    OrganizationKey.objects.filter(is_active=True).update(is_active=False)
    new_key, new_data_key = keys.create_key(actor=actor, version=version, audit=False)
    old_data_keys = {pk: keys.unwrap(key) for pk, key in old_keys.items()}
    written: list[str] = []
    replaced: list[str] = []
    try:
        with transaction.atomic():
            for document in Document.objects.select_for_update().order_by("pk"):
                plaintext = crypto.decrypt_document(
                    old_data_keys[document.data_key_id],
                    read_ciphertext(document),
                    organization_id=org.pk,
                    document_uid=str(document.uid),
                )
                blob = crypto.encrypt_document(
                    new_data_key, plaintext, organization_id=org.pk, document_uid=str(document.uid)
                )
                name = default_storage.save(_storage_name(org.pk), ContentFile(blob))
                written.append(name)
                replaced.append(document.storage_name)
                document.data_key = new_key
                document.storage_name = name
                document.save(update_fields=["data_key", "storage_name"])
            others = reencrypt_all(old_data_keys, new_key, new_data_key)
            OrganizationKey.objects.filter(pk__in=list(old_keys)).delete()
            record_event(
                actor=actor,
                action="organization_key.rotated",
                target=new_key,
                changes={
                    "version": version,
                    "retired_versions": sorted(key.version for key in old_keys.values()),
                    "documents_reencrypted": len(written),
                    **{f"{name}_reencrypted": count for name, count in others.items()},
                },
            )
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise

    def remove_old_files() -> None:
        for name in replaced:
            default_storage.delete(name)

    transaction.on_commit(remove_old_files)
    return new_key
