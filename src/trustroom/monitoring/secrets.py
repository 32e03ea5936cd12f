"""The signing secret of an alert source, sealed under the organization's data key.

Stored form `tralert1:<data key id>:<base64url(nonce || ciphertext || tag)>`: AES-256-GCM under the
organization's data key (`trustroom.vault.keys`), itself wrapped by the key-encryption keyset, like
the SSO client secrets (`trustroom.identity.sso.secrets`). The associated data names the organization
and the source's uid, so a sealed secret copied onto another source or organization does not open.
Rotating the data keys re-seals every source secret through the re-encryptor registered here.

Everything here runs inside the organization's scope (the data key is an organization-owned row).
"""

from __future__ import annotations

import base64
import binascii
import json

from trustroom.monitoring import opened
from trustroom.monitoring.models import AlertSource
from trustroom.tenancy.principal import Principal
from trustroom.vault import keys
from trustroom.vault.crypto import DecryptionError, open_sealed, seal
from trustroom.vault.models import OrganizationKey
from trustroom.vault.rotation import register_reencryptor

PREFIX = "tralert1"


def _aad(*, organization_id: int, source_uid: str) -> bytes:
    fields = {"v": 1, "kind": "alert-source-secret", "org": organization_id, "source": source_uid}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def _seal(secret: str, *, key: OrganizationKey, data_key: bytes, source_uid: str) -> str:
    aad = _aad(organization_id=key.organization_id, source_uid=source_uid)
    sealed = seal(data_key, secret.encode(), associated_data=aad)
    return f"{PREFIX}:{key.pk}:{base64.urlsafe_b64encode(sealed).decode()}"


def _parse(stored: str) -> tuple[int, bytes]:
    prefix, _, rest = stored.partition(":")
    key_id, _, encoded = rest.partition(":")
    if prefix != PREFIX or not key_id.isdigit() or not encoded:
        raise DecryptionError("The source secret is not in the sealed format")
    try:
        return int(key_id), base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The source secret is not valid base64") from exc


def seal_secret(secret: str, *, actor: Principal, source_uid: str) -> str:
    key, data_key = keys.active_key(actor=actor)
    return _seal(secret, key=key, data_key=data_key, source_uid=source_uid)


def open_secret(source: AlertSource) -> bytes:
    """The plaintext secret of `source` (in memory only; kept for a few minutes, see `opened`)."""
    cache_key = ("alert-source", source.organization_id, source.pk, str(source.uid), source.secret_sealed)
    return opened.remember(cache_key, lambda: _open(source))


def _open(source: AlertSource) -> bytes:
    key_id, sealed = _parse(source.secret_sealed)
    key = OrganizationKey.objects.filter(pk=key_id).first()  # the scope's own keys only
    if key is None or key.organization_id != source.organization_id:
        raise DecryptionError("The source secret was sealed under a data key this organization lacks")
    aad = _aad(organization_id=source.organization_id, source_uid=str(source.uid))
    return open_sealed(keys.unwrap(key), sealed, associated_data=aad)


def _reencrypt(old_data_keys: dict[int, bytes], new_key: OrganizationKey, new_data_key: bytes) -> int:
    count = 0
    for source in AlertSource.objects.select_for_update():
        key_id, sealed = _parse(source.secret_sealed)
        if key_id not in old_data_keys:
            raise DecryptionError(f"Alert source {source.pk}: its data key {key_id} is unknown")
        aad = _aad(organization_id=source.organization_id, source_uid=str(source.uid))
        secret = open_sealed(old_data_keys[key_id], sealed, associated_data=aad).decode()
        source.secret_sealed = _seal(secret, key=new_key, data_key=new_data_key, source_uid=str(source.uid))
        source.save(update_fields=["secret_sealed"])
        count += 1
    return count


def register() -> None:
    register_reencryptor("alert_source_secrets", _reencrypt)
