"""The shared webhook signature verifier: the scheme of DESIGN.md, failing closed on every defect."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from trustroom.webhooks.signatures import SignatureError, sign, verify

SECRET = b"s3cret-for-tests"
BODY = b'{"title": "x"}'
NOW = 1_700_000_000


def headers(**overrides: str) -> dict[str, str]:
    made = sign(SECRET, BODY, timestamp=NOW)
    return {
        "timestamp": made["X-Trustroom-Timestamp"],
        "signature": made["X-Trustroom-Signature"],
        **overrides,
    }


def test_a_correct_signature_verifies_and_returns_the_digest() -> None:
    expected = hmac.new(SECRET, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    h = headers()
    assert h["signature"] == f"sha256={expected}"
    assert verify(secret=SECRET, body=BODY, now=NOW, **h) == expected
    # Upper-case hex is the same digest.
    assert (
        verify(
            secret=SECRET,
            body=BODY,
            now=NOW,
            timestamp=h["timestamp"],
            signature=h["signature"].upper().replace("SHA256=", "sha256="),
        )
        == expected
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"signature": ""}, "missing X-Trustroom-Signature"),
        ({"timestamp": ""}, "missing X-Trustroom-Timestamp"),
        ({"timestamp": "yesterday"}, "whole unix seconds"),
        ({"timestamp": "-5"}, "whole unix seconds"),
        ({"signature": "md5=" + "0" * 64}, "must start with 'sha256='"),
        ({"signature": "sha256=" + "0" * 63}, "64 hex digits"),
        ({"signature": "sha256=" + "0" * 65}, "64 hex digits"),
        ({"signature": "sha256=" + "g" * 64}, "64 hex digits"),
        ({"signature": "sha256=" + "0" * 64}, "does not match"),
    ],
)
def test_every_defect_is_refused_with_its_reason(change: dict[str, str], reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify(secret=SECRET, body=BODY, now=NOW, **headers(**change))


def test_a_changed_body_or_another_secret_does_not_verify() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify(secret=SECRET, body=BODY + b" ", now=NOW, **headers())
    with pytest.raises(SignatureError, match="does not match"):
        verify(secret=b"other", body=BODY, now=NOW, **headers())


def test_the_signature_covers_the_timestamp() -> None:
    h = headers()
    with pytest.raises(SignatureError, match="does not match"):
        verify(secret=SECRET, body=BODY, now=NOW, timestamp=str(NOW + 1), signature=h["signature"])


@pytest.mark.parametrize("offset", [301, -301, 10_000])
def test_a_timestamp_more_than_five_minutes_off_is_refused(offset: int) -> None:
    with pytest.raises(SignatureError, match="more than 300 seconds"):
        verify(secret=SECRET, body=BODY, now=NOW + offset, **headers())


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_a_timestamp_inside_the_window_is_accepted(offset: int) -> None:
    assert verify(secret=SECRET, body=BODY, now=NOW + offset, **headers())


def test_no_secret_never_verifies() -> None:
    forged = "sha256=" + hmac.new(b"", f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    with pytest.raises(SignatureError):
        verify(secret=b"", body=BODY, now=NOW, timestamp=str(NOW), signature=forged)
