"""Other apps' ciphertexts under an organization's data keys, re-encrypted when the keys rotate.

`rotate_data_key` deletes the old keys once everything is re-encrypted, so every app that seals data
under them registers a re-encryptor here (in its AppConfig.ready()). Each one runs inside the rotation's
transaction, in the organization's scope: it gets the old plaintext keys by OrganizationKey id and the
new key, rewrites its rows, and returns how many it re-encrypted. Data held only in the database is
rolled back with the rotation if anything fails.
"""

from __future__ import annotations

from collections.abc import Callable

from trustroom.vault.models import OrganizationKey

Reencryptor = Callable[[dict[int, bytes], OrganizationKey, bytes], int]

_REENCRYPTORS: dict[str, Reencryptor] = {}


def register_reencryptor(name: str, reencrypt: Reencryptor) -> None:
    _REENCRYPTORS[name] = reencrypt


def reencrypt_all(
    old_data_keys: dict[int, bytes], new_key: OrganizationKey, new_data_key: bytes
) -> dict[str, int]:
    """Run every registered re-encryptor; {name: rows re-encrypted}."""
    return {name: fn(old_data_keys, new_key, new_data_key) for name, fn in sorted(_REENCRYPTORS.items())}
