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
