"""The OIDC client secret of a connection, sealed under the key-encryption keyset.

Stored form `trsso1:<kek version>:<base64url(sealed)>`; the associated data names the organization and the
connection, so a sealed secret copied onto another connection (or organization) does not open.
"""

from __future__ import annotations

import base64
import binascii

from trustroom.vault.crypto import DecryptionError, get_kek, sso_secret_aad

PREFIX = "trsso1"


def seal_client_secret(secret: str, *, organization_id: int, connection_key: str) -> str:
    aad = sso_secret_aad(organization_id=organization_id, connection_key=connection_key)
    wrapped = get_kek().wrap(secret.encode(), associated_data=aad)
    return f"{PREFIX}:{wrapped.kek_version}:{base64.urlsafe_b64encode(wrapped.wrapped).decode()}"


def open_client_secret(stored: str, *, organization_id: int, connection_key: str) -> str:
    if not stored:
        return ""
    prefix, _, rest = stored.partition(":")
    version, _, encoded = rest.partition(":")
    if prefix != PREFIX or not version.isdigit() or not encoded:
        raise DecryptionError("The client secret is not in the sealed format")
    try:
        sealed = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The client secret is not valid base64") from exc
    aad = sso_secret_aad(organization_id=organization_id, connection_key=connection_key)
    return get_kek().unwrap(sealed, version=int(version), associated_data=aad).decode()
