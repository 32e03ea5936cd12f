"""A questionnaire's original file, sealed under the organization's data key and kept on its row.

Associated data binds the organization, the questionnaire's uid and the purpose, so a ciphertext copied
to another questionnaire or organization does not decrypt. Kept in the database (files are at most
MAX_UPLOAD_BYTES), so the row and its file are written, rotated and deleted together.
"""

from __future__ import annotations

from trustroom.answers.models import Questionnaire
from trustroom.vault import crypto, keys
from trustroom.vault.models import OrganizationKey
from trustroom.vault.rotation import register_reencryptor

PURPOSE = "questionnaire-source"


def seal_source(content: bytes, *, data_key: bytes, organization_id: int, uid: str) -> bytes:
    return crypto.encrypt_document(
        data_key, content, organization_id=organization_id, document_uid=uid, purpose=PURPOSE
    )


def original_file(questionnaire: Questionnaire) -> bytes:
    """The uploaded file as it was (decrypted in memory for the export at hand)."""
    return crypto.decrypt_document(
        keys.unwrap(questionnaire.data_key),
        bytes(questionnaire.source_ciphertext),
        organization_id=questionnaire.organization_id,
        document_uid=str(questionnaire.uid),
        purpose=PURPOSE,
    )


def _reencrypt(old_data_keys: dict[int, bytes], new_key: OrganizationKey, new_data_key: bytes) -> int:
    count = 0
    for questionnaire in Questionnaire.objects.select_for_update().order_by("pk"):
        plaintext = crypto.decrypt_document(
            old_data_keys[questionnaire.data_key_id],
            bytes(questionnaire.source_ciphertext),
            organization_id=questionnaire.organization_id,
            document_uid=str(questionnaire.uid),
            purpose=PURPOSE,
        )
        questionnaire.source_ciphertext = seal_source(
            plaintext,
            data_key=new_data_key,
            organization_id=questionnaire.organization_id,
            uid=str(questionnaire.uid),
        )
        questionnaire.data_key = new_key
        questionnaire.save(update_fields=["source_ciphertext", "data_key"])
        count += 1
    return count


def register() -> None:
    register_reencryptor("questionnaires", _reencrypt)
