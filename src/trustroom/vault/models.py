"""Encrypted documents and the per-organization data keys that encrypt them.

Plaintext never reaches the database or the file store: a document's bytes are encrypted with its
organization's data key (AES-256-GCM) before they are stored, and a data key is only ever stored wrapped
(encrypted) by the key-encryption key (see `trustroom.vault.crypto`).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from trustroom.tenancy.models import OrgOwnedModel


class OrganizationKey(OrgOwnedModel):
    """One organization's data key, wrapped by a version of the key-encryption key (KEK).

    One key per organization is active (new documents use it); older ones stay to read the documents
    they encrypted. Nobody reads or edits these rows through views: only the vault's services do.
    """

    version = models.PositiveIntegerField(help_text="1, 2, … within the organization.")
    wrapped_key = models.BinaryField(help_text="The data key, encrypted by the KEK (nonce + ciphertext).")
    kek_key_id = models.CharField(max_length=100, help_text="Which keyset or KMS key wrapped this data key.")
    kek_version = models.PositiveIntegerField(help_text="Which version of that KEK wrapped it.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True, help_text="When it was last re-wrapped.")

    class Meta:
        ordering: ClassVar = ["organization_id", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "version"], name="vault_orgkey_unique_version"),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_active=True), name="vault_orgkey_one_active_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"Data key v{self.version} of organization {self.organization_id}"


class Document(OrgOwnedModel):
    """A PDF stored encrypted. `uid` (not user-controlled) is bound into the ciphertext's associated data."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    original_filename = models.CharField(max_length=255, blank=True, help_text="As uploaded; display only.")
    content_type = models.CharField(max_length=100, default="application/pdf")
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the plaintext.")
    page_count = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=200, unique=True, editable=False)
    data_key = models.ForeignKey(OrganizationKey, on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def download_filename(self) -> str:
        """A server-made file name: the title reduced to safe characters, never the uploaded name."""
        from django.utils.text import slugify

        return f"{slugify(self.title)[:80] or 'document'}-{self.pk}.pdf"
