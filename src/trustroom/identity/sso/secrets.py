"""The OIDC client secret of a connection, sealed under the organization's data key.

Stored form `trsso2:<data key id>:<base64url(nonce || ciphertext || tag)>`: AES-256-GCM under the
organization's data key (`trustroom.vault.keys`), which is itself wrapped by the key-encryption keyset.
So rotating the key-encryption keyset (`trustroom vault rotate-keys --retire-old`) re-wraps the data key
and the secret keeps opening; rotating the data key (`--data-keys`) re-encrypts the secret through the
re-encryptor registered here. The associated data names the organization and the connection, so a sealed
secret copied onto another connection (or organization) does not open.

Everything here runs inside the organization's scope (the data key is an organization-owned row).
"""

from __future__ import annotations

import base64
import binascii

from trustroom.identity.models import SsoConnection
from trustroom.tenancy.principal import Principal
from trustroom.vault import keys
from trustroom.vault.crypto import DecryptionError, open_sealed, seal, sso_secret_aad
from trustroom.vault.models import OrganizationKey
from trustroom.vault.rotation import register_reencryptor

PREFIX = "trsso2"


def _seal(secret: str, *, key: OrganizationKey, data_key: bytes, connection_key: str) -> str:
    aad = sso_secret_aad(organization_id=key.organization_id, connection_key=connection_key)
    sealed = seal(data_key, secret.encode(), associated_data=aad)
    return f"{PREFIX}:{key.pk}:{base64.urlsafe_b64encode(sealed).decode()}"


def _parse(stored: str) -> tuple[int, bytes]:
    prefix, _, rest = stored.partition(":")
    key_id, _, encoded = rest.partition(":")
    if prefix != PREFIX or not key_id.isdigit() or not encoded:
        raise DecryptionError("The client secret is not in the sealed format")
    try:
        return int(key_id), base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The client secret is not valid base64") from exc


def seal_client_secret(secret: str, *, actor: Principal, connection_key: str) -> str:
    """The secret sealed under the scope organization's active data key (made on first use)."""
    key, data_key = keys.active_key(actor=actor)
    return _seal(secret, key=key, data_key=data_key, connection_key=connection_key)


def open_client_secret(stored: str, *, organization_id: int, connection_key: str) -> str:
    if not stored:
        return ""
    key_id, sealed = _parse(stored)
    key = OrganizationKey.objects.filter(pk=key_id).first()  # the scope's own keys only
    if key is None or key.organization_id != organization_id:
        raise DecryptionError("The client secret was sealed under a data key this organization lacks")
    aad = sso_secret_aad(organization_id=organization_id, connection_key=connection_key)
    return open_sealed(keys.unwrap(key), sealed, associated_data=aad).decode()


def _reencrypt(old_data_keys: dict[int, bytes], new_key: OrganizationKey, new_data_key: bytes) -> int:
    """Re-seal every client secret of the scope organization under its new data key."""
    count = 0
    for connection in SsoConnection.objects.select_for_update().exclude(oidc_client_secret_sealed=""):
        key_id, sealed = _parse(connection.oidc_client_secret_sealed)
        if key_id not in old_data_keys:
            raise DecryptionError(f"SSO connection {connection.pk}: its data key {key_id} is unknown")
        aad = sso_secret_aad(organization_id=connection.organization_id, connection_key=connection.key)
        secret = open_sealed(old_data_keys[key_id], sealed, associated_data=aad).decode()
        connection.oidc_client_secret_sealed = _seal(
            secret, key=new_key, data_key=new_data_key, connection_key=connection.key
        )
        connection.save(update_fields=["oidc_client_secret_sealed"])
        count += 1
    return count


def register() -> None:
    register_reencryptor("sso_client_secrets", _reencrypt)
