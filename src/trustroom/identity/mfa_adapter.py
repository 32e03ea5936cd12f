"""allauth's MFA adapter: TOTP secrets and recovery-code seeds are stored encrypted.

allauth passes every secret it stores through `encrypt()` and every one it reads through `decrypt()`.
Here a secret is sealed with AES-256-GCM under the key-encryption keyset of `trustroom.vault.crypto`
(the primary version at the time; older versions keep decrypting until retired), with associated data
naming its purpose, so a ciphertext made for anything else (a wrapped organization data key, say) is
refused. Stored form: `trmfa1:<kek version>:<base64url(nonce || ciphertext || tag)>`.

It also names the WebAuthn relying party: its ID is `TRUSTROOM_WEBAUTHN_RP_ID` when set, otherwise the
host of the request (allauth's default; Django has checked it against ALLOWED_HOSTS).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

from trustroom.vault.crypto import DecryptionError, get_kek, mfa_secret_aad

PREFIX = "trmfa1"


def encrypt_mfa_secret(text: str) -> str:
    wrapped = get_kek().wrap(text.encode(), associated_data=mfa_secret_aad())
    encoded = base64.urlsafe_b64encode(wrapped.wrapped).decode()
    return f"{PREFIX}:{wrapped.kek_version}:{encoded}"


def decrypt_mfa_secret(stored: str) -> str:
    prefix, _, rest = stored.partition(":")
    version, _, encoded = rest.partition(":")
    if prefix != PREFIX or not version.isdigit() or not encoded:
        # Never fall back to reading the value as plaintext: a secret planted in the database in the
        # clear must not become a working authenticator.
        raise DecryptionError("The MFA secret is not in the encrypted format")
    try:
        sealed = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The MFA secret is not valid base64") from exc
    return get_kek().unwrap(sealed, version=int(version), associated_data=mfa_secret_aad()).decode()


def is_encrypted(stored: str) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX + ":")


def _sealed_version(stored: str) -> int | None:
    if not is_encrypted(stored):
        return None
    version = stored.split(":", 2)[1]
    return int(version) if version.isdigit() else None


def _secret_fields(data: dict) -> list[tuple[str, int | None]]:
    """(field, index in migrated_codes or None) of every sealed value an authenticator holds."""
    fields: list[tuple[str, int | None]] = [
        (f, None) for f in ("secret", "seed") if isinstance(data.get(f), str)
    ]
    codes = data.get("migrated_codes")
    if isinstance(codes, list):
        fields += [("migrated_codes", i) for i, code in enumerate(codes) if isinstance(code, str)]
    return fields


def _get(data: dict, field: str, index: int | None) -> str:
    return data[field] if index is None else data[field][index]


def _authenticators() -> Any:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES])


def mfa_secrets_behind() -> int:
    """How many sealed MFA values are under a KEK version other than the primary one."""
    primary = get_kek().primary_version
    return sum(
        1
        for authenticator in _authenticators().iterator()
        for field, index in _secret_fields(dict(authenticator.data or {}))
        if _sealed_version(_get(authenticator.data, field, index)) not in (None, primary)
    )


def rewrap_mfa_secrets() -> int:
    """Re-seal every MFA value under the primary KEK version (key rotation); returns how many changed."""
    from django.db import transaction

    primary = get_kek().primary_version
    changed = 0
    with transaction.atomic():
        for authenticator in _authenticators().select_for_update().iterator():
            data = dict(authenticator.data or {})
            touched = False
            for field, index in _secret_fields(data):
                stored = _get(data, field, index)
                if _sealed_version(stored) in (None, primary):
                    continue
                fresh = encrypt_mfa_secret(decrypt_mfa_secret(stored))
                if index is None:
                    data[field] = fresh
                else:
                    data[field] = [*data[field][:index], fresh, *data[field][index + 1 :]]
                touched = True
                changed += 1
            if touched:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
    return changed


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_mfa_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_mfa_secret(encrypted_text)

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        entity = super().get_public_key_credential_rp_entity()
        configured = settings.TRUSTROOM_WEBAUTHN_RP_ID
        if configured:
            entity["id"] = configured
        return entity
