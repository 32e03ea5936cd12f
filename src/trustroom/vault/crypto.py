"""Envelope encryption for the vault, with AES-256-GCM from `cryptography` (no hand-rolled modes).

- A document's bytes are encrypted with its organization's *data key*.
- A data key is stored only *wrapped* (encrypted) by the *key-encryption key* (KEK).
- Associated data binds every ciphertext to what it belongs to: a wrapped data key to its organization
  and key version, a document to its organization, its id and the purpose. Moving a ciphertext to
  another organization or document makes decryption fail instead of returning the wrong plaintext.

The KEK sits behind `KeyEncryptionKey`. The default is `LocalKeyset`, a JSON keyset file under
`TRUSTROOM_DATA_DIR/keys/` (created 0600 on first use) holding several versions with one primary, so
rotation adds a version and old versions keep reading until they are retired. A KMS-backed
implementation (production) plugs in at `get_kek()`.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96-bit random nonces; every encryption draws a fresh one
CIPHERTEXT_MAGIC = b"TRV1"  # format marker of stored document ciphertexts
KEYSET_FORMAT = "trustroom-kek-keyset/1"


class DecryptionError(Exception):
    """A ciphertext did not authenticate: wrong key, wrong associated data, or tampered bytes."""


class KeysetError(Exception):
    """The key-encryption keyset is missing a version, malformed, or cannot be changed as asked."""


# --- Associated data ----------------------------------------------------------------------------------


def _associated_data(**fields: Any) -> bytes:
    # Canonical JSON: unambiguous (no concatenation collisions) and stable across versions of Python.
    return json.dumps({"v": 1, **fields}, sort_keys=True, separators=(",", ":")).encode()


def data_key_aad(*, organization_id: int, key_version: int) -> bytes:
    return _associated_data(kind="data-key", org=organization_id, key_version=key_version)


def document_aad(*, organization_id: int, document_uid: str, purpose: str = "content") -> bytes:
    return _associated_data(kind="document", org=organization_id, doc=str(document_uid), purpose=purpose)


def sso_secret_aad(*, organization_id: int, connection_key: str) -> bytes:
    """An SSO connection's OIDC client secret (see `trustroom.identity.sso.secrets`)."""
    return _associated_data(kind="sso-client-secret", org=organization_id, connection=connection_key)


def mfa_secret_aad() -> bytes:
    """A TOTP secret or recovery-code seed of allauth's MFA (see `trustroom.identity.mfa_adapter`)."""
    return _associated_data(kind="mfa-secret")


# --- AEAD ---------------------------------------------------------------------------------------------


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: bytes, plaintext: bytes, *, associated_data: bytes) -> bytes:
    """nonce || AES-GCM(key, nonce, plaintext, associated_data) (ciphertext with its 16-byte tag)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)


def open_sealed(key: bytes, sealed: bytes, *, associated_data: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise DecryptionError("Ciphertext is too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)
    except InvalidTag as exc:
        raise DecryptionError("Ciphertext did not authenticate") from exc


def encrypt_document(
    key: bytes, plaintext: bytes, *, organization_id: int, document_uid: str, purpose: str = "content"
) -> bytes:
    aad = document_aad(organization_id=organization_id, document_uid=document_uid, purpose=purpose)
    return CIPHERTEXT_MAGIC + seal(key, plaintext, associated_data=aad)


def decrypt_document(
    key: bytes, blob: bytes, *, organization_id: int, document_uid: str, purpose: str = "content"
) -> bytes:
    if not blob.startswith(CIPHERTEXT_MAGIC):
        raise DecryptionError("Not a vault ciphertext")
    aad = document_aad(organization_id=organization_id, document_uid=document_uid, purpose=purpose)
    return open_sealed(key, blob[len(CIPHERTEXT_MAGIC) :], associated_data=aad)


# --- Key-encryption key -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrappedKey:
    kek_key_id: str
    kek_version: int
    wrapped: bytes


class KeyEncryptionKey(Protocol):
    """What the vault needs from a KEK (a local keyset here; a KMS key in production)."""

    @property
    def key_id(self) -> str: ...

    @property
    def primary_version(self) -> int: ...

    def versions(self) -> list[int]: ...

    def wrap(self, data_key: bytes, *, associated_data: bytes) -> WrappedKey: ...

    def unwrap(self, wrapped: bytes, *, version: int, associated_data: bytes) -> bytes: ...

    def add_primary_version(self) -> int: ...

    def retire_versions(self, *, keep: set[int]) -> list[int]: ...


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class LocalKeyset:
    """A keyset file: `{"format", "keyset_id", "primary", "keys": [{"version", "key", "created_at"}]}`.

    Created on first use with mode 0600 in a 0700 directory; changed by writing a new file and renaming
    it over the old one under an exclusive lock, so a crash never leaves half a keyset. Other processes
    pick up a new version when they meet it (an unknown version triggers a reload).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._data: dict[str, Any] | None = None
        self._data_mtime: int | None = None

    # Reading ------------------------------------------------------------------------------------
    def _read_file(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return self._create()
        try:
            data = json.loads(raw)
            if data.get("format") != KEYSET_FORMAT:
                raise ValueError("unknown format")
            keys = {int(k["version"]): base64.b64decode(k["key"]) for k in data["keys"]}
            if int(data["primary"]) not in keys or any(len(k) != KEY_BYTES for k in keys.values()):
                raise ValueError("no valid primary key")
        except (ValueError, KeyError, TypeError) as exc:
            raise KeysetError(f"The key-encryption keyset {self.path} is malformed: {exc}") from exc
        return data

    def _create(self) -> dict[str, Any]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = {
            "format": KEYSET_FORMAT,
            "keyset_id": f"local-{secrets.token_hex(8)}",
            "primary": 1,
            "keys": [{"version": 1, "key": _b64(new_data_key()), "created_at": _now_iso()}],
        }
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return self._read_file()
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        return data

    def _mtime(self) -> int | None:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def _loaded(self, *, reload: bool = False) -> dict[str, Any]:
        # A stat per use (microseconds) notices a rotation by another process, so new data keys are
        # wrapped with the new primary at once.
        mtime = self._mtime()
        with self._lock:
            if self._data is None or reload or mtime != self._data_mtime:
                self._data = self._read_file()
                self._data_mtime = self._mtime()
            return self._data

    def _keys(self, *, reload: bool = False) -> dict[int, bytes]:
        return {int(k["version"]): base64.b64decode(k["key"]) for k in self._loaded(reload=reload)["keys"]}

    @property
    def key_id(self) -> str:
        return str(self._loaded()["keyset_id"])

    @property
    def primary_version(self) -> int:
        return int(self._loaded()["primary"])

    def versions(self) -> list[int]:
        return sorted(self._keys())

    def reload(self) -> None:
        self._loaded(reload=True)

    # Wrapping -----------------------------------------------------------------------------------
    def wrap(self, data_key: bytes, *, associated_data: bytes) -> WrappedKey:
        version = self.primary_version
        sealed = seal(self._keys()[version], data_key, associated_data=associated_data)
        return WrappedKey(kek_key_id=self.key_id, kek_version=version, wrapped=sealed)

    def unwrap(self, wrapped: bytes, *, version: int, associated_data: bytes) -> bytes:
        keys = self._keys()
        if version not in keys:
            keys = self._keys(reload=True)  # rotated by another process since we loaded it
        if version not in keys:
            raise KeysetError(f"KEK version {version} is not in the keyset {self.path} (retired?)")
        return open_sealed(keys[version], wrapped, associated_data=associated_data)

    # Changing -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[dict[str, Any]]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = self._loaded(reload=True)
            yield json.loads(json.dumps(data))  # a copy the caller edits, then written by _write
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _write(self, data: dict[str, Any]) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        with self._lock:
            self._data = data
            self._data_mtime = self._mtime()

    def add_primary_version(self) -> int:
        with self._exclusive() as data:
            version = max(int(k["version"]) for k in data["keys"]) + 1
            data["keys"].append({"version": version, "key": _b64(new_data_key()), "created_at": _now_iso()})
            data["primary"] = version
            self._write(data)
        return version

    def retire_versions(self, *, keep: set[int]) -> list[int]:
        """Remove every version not in `keep` (the primary is always kept). Returns the removed ones."""
        with self._exclusive() as data:
            keep = keep | {int(data["primary"])}
            removed = sorted(int(k["version"]) for k in data["keys"] if int(k["version"]) not in keep)
            if removed:
                data["keys"] = [k for k in data["keys"] if int(k["version"]) in keep]
                self._write(data)
        return removed


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


_keks: dict[str, LocalKeyset] = {}
_keks_lock = threading.Lock()


def kek_path() -> Path:
    configured = getattr(settings, "TRUSTROOM_KEK_PATH", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "keys" / "kek.json"


def get_kek() -> LocalKeyset:
    """The configured key-encryption key (one instance per keyset path per process)."""
    path = str(kek_path())
    with _keks_lock:
        kek = _keks.get(path)
        if kek is None:
            kek = _keks[path] = LocalKeyset(Path(path))
        return kek
