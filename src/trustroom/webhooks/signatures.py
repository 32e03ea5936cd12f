"""The one verifier of signed webhooks that Trustroom receives (the scheme fixed in DESIGN.md).

A sender signs each request with a secret shared with Trustroom:

    X-Trustroom-Timestamp: <unix seconds>
    X-Trustroom-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>

`verify()` fails closed: a missing or malformed header, a digest of the wrong length or not hex, a
timestamp more than `window` seconds away from now (either way) or a digest that does not match all
raise `SignatureError` with a short reason meant for the sender. The digest is compared with
`hmac.compare_digest` over the RAW body bytes (never re-serialized JSON).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

TIMESTAMP_HEADER = "X-Trustroom-Timestamp"
SIGNATURE_HEADER = "X-Trustroom-Signature"
WINDOW_SECONDS = 300
SCHEME = "sha256="
_DIGEST_HEX_LENGTH = hashlib.sha256().digest_size * 2
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_HEX = re.compile(r"^[0-9a-f]+$")


class SignatureError(Exception):
    """The request is not signed as the scheme requires; `reason` says how, for a 401 answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def compute(secret: bytes, timestamp: str, body: bytes) -> str:
    """The hex digest a sender puts after `sha256=`."""
    return hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """Both headers for `body`, as a sender makes them (used by tests, the benchmark and the docs)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: SCHEME + compute(secret, stamp, body)}


def verify(
    *,
    secret: bytes,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: float | None = None,
    window: int = WINDOW_SECONDS,
) -> str:
    """Check one request; return its normalized hex digest (for replay detection) or raise."""
    if not secret:
        raise SignatureError("the receiver has no secret for this endpoint")
    if not timestamp:
        raise SignatureError(f"missing {TIMESTAMP_HEADER} header")
    if not signature:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    timestamp = timestamp.strip()
    if not _TIMESTAMP.match(timestamp):
        raise SignatureError(f"{TIMESTAMP_HEADER} must be whole unix seconds")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window:
        raise SignatureError(
            f"{TIMESTAMP_HEADER} is more than {window} seconds away from the receiver's clock"
        )
    signature = signature.strip()
    if not signature.startswith(SCHEME):
        raise SignatureError(f"{SIGNATURE_HEADER} must start with {SCHEME!r}")
    given = signature[len(SCHEME) :].lower()
    if len(given) != _DIGEST_HEX_LENGTH or not _HEX.match(given):
        raise SignatureError(
            f"{SIGNATURE_HEADER} must be {SCHEME} followed by {_DIGEST_HEX_LENGTH} hex digits"
        )
    expected = compute(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii")):
        raise SignatureError("signature does not match the body")
    return given
