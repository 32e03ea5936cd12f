"""The API token format: generating secrets, digesting them, and reading a presented token."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "trt"  # noqa: S105 - a public marker, not a secret
_TOKEN_RE = re.compile(r"^trt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class PresentedToken:
    prefix: str
    secret: str


def new_token_parts() -> tuple[str, str]:
    """A lookup prefix and a 256-bit secret."""
    return secrets.token_hex(6), secrets.token_urlsafe(32)


def format_token(prefix: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{prefix}_{secret}"


def digest(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 is enough to make a stolen table useless.
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse(raw: str) -> PresentedToken | None:
    match = _TOKEN_RE.match(raw.strip())
    if not match:
        return None
    return PresentedToken(prefix=match.group(1), secret=match.group(2))


def secret_matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
