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


# --- Secrets sealed directly under the key-encryption keyset (not under an organization's data key) ------
# e.g. TOTP secrets: they belong to a person, not to an organization. `rotate-keys` re-wraps them under the
# new primary KEK version, and `--retire-old` refuses while any is still on an old version.


class KekSealedSecrets:
    def __init__(self, *, rewrap: Callable[[], int], count_behind: Callable[[], int]) -> None:
        self.rewrap = rewrap  # re-seal everything under the primary version; returns how many changed
        self.count_behind = count_behind  # how many are still sealed under another version


_KEK_SEALED: dict[str, KekSealedSecrets] = {}


def register_kek_sealed(name: str, secrets: KekSealedSecrets) -> None:
    _KEK_SEALED[name] = secrets


def rewrap_kek_sealed() -> dict[str, int]:
    return {name: entry.rewrap() for name, entry in sorted(_KEK_SEALED.items())}


def kek_sealed_behind() -> dict[str, int]:
    return {name: count for name, entry in sorted(_KEK_SEALED.items()) if (count := entry.count_behind())}
