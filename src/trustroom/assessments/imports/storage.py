"""A queued report waits in the file store encrypted, in segments, so neither side holds it in memory.

The report is cut into 1 MiB segments, each sealed with AES-256-GCM under the organization's data key
(`trustroom.vault.crypto.seal`). Each segment's associated data binds the organization, the import's
uid, the segment's index and whether it is the last one, so segments cannot be reordered, dropped,
moved to another import or organization, or the file truncated without decryption failing.
File layout: magic, then per segment a 4-byte big-endian length and the sealed bytes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

from trustroom.vault import crypto

MAGIC = b"TRI1"
SEGMENT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class StoredReport:
    storage_name: str
    size_bytes: int
    sha256: str


def _aad(organization_id: int, uid: str, index: int, final: bool) -> bytes:
    purpose = f"finding-import:{index}:{'final' if final else 'more'}"
    return crypto.document_aad(organization_id=organization_id, document_uid=uid, purpose=purpose)


def _segments(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, bool]]:
    """Re-cut the chunks into SEGMENT_BYTES pieces, telling which is the last (an empty file is one)."""
    buffer = b""
    pending: bytes | None = None
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= SEGMENT_BYTES:
            if pending is not None:
                yield pending, False
            pending, buffer = buffer[:SEGMENT_BYTES], buffer[SEGMENT_BYTES:]
    if buffer or pending is None:
        if pending is not None:
            yield pending, False
        yield buffer, True
    else:
        yield pending, True


def store_encrypted(
    chunks: Iterable[bytes], *, key: bytes, organization_id: int, uid: str, max_bytes: int
) -> StoredReport:
    """Encrypt the report into the file store; raises ValueError past `max_bytes` (nothing is kept)."""
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryFile() as spool:
        spool.write(MAGIC)
        for index, (segment, final) in enumerate(_segments(chunks)):
            size += len(segment)
            if size > max_bytes:
                raise ValueError(f"The file is larger than the limit of {max_bytes} bytes.")
            digest.update(segment)
            sealed = crypto.seal(key, segment, associated_data=_aad(organization_id, uid, index, final))
            spool.write(len(sealed).to_bytes(4, "big"))
            spool.write(sealed)
        spool.seek(0)
        # Made by the server, never from the uploaded name.
        name = default_storage.save(
            f"imports/{organization_id}/{secrets.token_hex(20)}.enc", File(spool, name="report.enc")
        )
    return StoredReport(storage_name=name, size_bytes=size, sha256=digest.hexdigest())


def _read_exact(handle: IO[bytes], n: int) -> bytes:
    data = handle.read(n)
    if len(data) != n:
        raise crypto.DecryptionError("The stored report is truncated.")
    return data


def decrypt_to_tempfile(storage_name: str, *, key: bytes, organization_id: int, uid: str) -> str:
    """Decrypt the stored report into a private temporary file and return its path (caller removes it)."""
    fd, path = tempfile.mkstemp(prefix="trustroom-import-", suffix=".report")
    try:
        with os.fdopen(fd, "wb") as out, default_storage.open(storage_name, "rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                raise crypto.DecryptionError("Not an encrypted scanner report.")
            header = handle.read(4)
            index = 0
            while header:
                if len(header) != 4:
                    raise crypto.DecryptionError("The stored report is truncated.")
                sealed = _read_exact(handle, int.from_bytes(header, "big"))
                header = handle.read(4)
                final = not header
                aad = _aad(organization_id, uid, index, final)
                out.write(crypto.open_sealed(key, sealed, associated_data=aad))
                index += 1
            if index == 0:
                raise crypto.DecryptionError("The stored report is truncated.")
    except BaseException:
        os.unlink(path)
        raise
    return path


def remove_stored(storage_name: str) -> None:
    if storage_name:
        default_storage.delete(storage_name)
